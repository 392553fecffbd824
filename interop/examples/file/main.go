// Command file serves this repository's reference destination connector
// (examples/file) as a standalone connector process, so that the interop
// test can run it under the existing Conduit host client.
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/file"
)

func main() {
	err := server.Serve(server.Connector{
		Specifier:   file.Specifier{},
		Destination: file.NewDestination(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "file:", err)
		os.Exit(1)
	}
}
