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
// of a command.
//
// Standalone connectors get CONDUIT_CONNECTOR_ID, CONDUIT_CONNECTOR_TOKEN and
// CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET set to harmless values, because
// connectors built with the Go connector SDK refuse to start without them;
// --env KEY=VALUE overrides them and adds others.
package main
