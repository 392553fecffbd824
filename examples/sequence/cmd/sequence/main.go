// Command generator is the generator example as a standalone connector: a
// host (Conduit, or `cplugin`) starts it as a plugin process and talks to it
// over gRPC. Started by hand, it says what it is and exits.
//
//	go build -o generator ./examples/sequence/cmd/sequence
//	cplugin check ./generator
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

func main() {
	err := server.Serve(server.Connector{
		Specifier: sequence.Specifier{},
		SourceV2:  sequence.NewSource().V2(), // batches on protocol v2 (parameter "batch")
	})
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
