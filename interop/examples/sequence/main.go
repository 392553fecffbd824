// Command generator serves this repository's reference source connector
// (examples/sequence) as a standalone connector process, so that the
// interop test can run it under the existing Conduit host client.
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
		fmt.Fprintln(os.Stderr, "sequence:", err)
		os.Exit(1)
	}
}
