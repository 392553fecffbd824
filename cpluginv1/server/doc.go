// Package server is the connector side of a standalone connector process:
// it serves a connector's [cpluginv1.SpecifierPlugin], [cpluginv1.SourcePlugin]
// and [cpluginv1.DestinationPlugin] over gRPC, after the hashicorp/go-plugin
// handshake a host expects.
//
// Connector authors call [Serve] from their main function and nothing
// else:
//
//	func main() {
//		err := server.Serve(server.Connector{Specifier: spec, Source: src})
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//	}
//
// The transport adds no behaviour of its own: every call is converted from
// protobuf, handed to the Go implementation and converted back, and errors
// cross the boundary as the table in cpluginv1/errors.go says. A host
// therefore sees the same results whether it runs the connector standalone
// (through package cpluginv1/client) or built-in.
//
// [NewGRPCServer] and [Register] serve a connector on a gRPC server of the
// caller's choosing, without the plugin handshake: tests use them to run
// connector and host in one process.
package server
