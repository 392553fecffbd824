// Package connector opens the connectors cplugin works with, named the way a
// user names them on the command line: "builtin:sequence" and
// "builtin:jsonlines" for the bundled examples compiled into cplugin, anything
// else for the path of a standalone connector executable (in any language).
//
// Each [Open] returns a fresh [Instance]: for a standalone connector that is
// a new process, as a host starts one process per pipeline connector,
// speaking the protocol version it negotiated ([Options.ProtocolVersions]
// offers some; [Instance.ProtocolVersion] says which). The
// checker and the pipe of cplugin import it; nothing outside cmd/cplugin
// does.
package connector
