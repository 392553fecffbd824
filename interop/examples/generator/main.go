// Command generator serves this repository's reference source connector
// (examples/generator) as a standalone connector process, so that the
// interop test can run it under the existing Conduit host client.
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/generator"
)

func main() {
	err := server.Serve(server.Connector{
		Specifier: generator.Specifier{},
		Source:    generator.NewSource(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "generator:", err)
		os.Exit(1)
	}
}
