// Command cplugin inspects, checks and runs connectors of the Conduit
// connector protocol, in any language:
//
//	cplugin spec PATH                 print a connector's specification
//	cplugin check PATH                run the conformance checks on a connector
//	cplugin pipe SOURCE DESTINATION   move records between two connectors
//	cplugin demo                      show the whole contract on the bundled examples
//
// A connector is the path of a standalone connector executable, or
// "builtin:sequence" / "builtin:jsonlines" for the reference connectors in
// examples/, compiled into cplugin. Run `cplugin help COMMAND` for the flags
// of a command, `cplugin --version` for the version.
//
// Standalone connectors get CONDUIT_CONNECTOR_ID (the executable's name),
// and the connector utilities through CONDUIT_CONNECTOR_TOKEN and
// CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET, because connectors built with the
// Go connector SDK refuse to start without them; --env KEY=VALUE overrides
// them and adds others. Every command that starts a connector bounds its
// start with --start-timeout.
//
// spec, check and pipe speak protocol v1 or v2 with a standalone connector:
// spec and pipe offer both (the connector picks the highest it serves) and
// say which one each connector spoke; check runs its checks over every
// version the connector serves, a section per version. --protocol 1 or
// --protocol 2 offers only that version. A built-in connector is called
// directly and speaks none ("built-in").
//
// `pipe --records N` moves exactly N records, and its summary separates
// what the acks show from what reading the destination's file back shows.
// Ctrl-C ends spec and check; it stops pipe gracefully, and a second Ctrl-C
// aborts it.
package main
