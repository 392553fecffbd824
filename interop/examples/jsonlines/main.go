// Command file serves this repository's reference destination connector
// (examples/jsonlines) as a standalone connector process, so that the interop
// test can run it under the existing Conduit host client.
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

func main() {
	err := server.Serve(server.Connector{
		Specifier:   jsonlines.Specifier{},
		Destination: jsonlines.NewDestination(),
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsonlines:", err)
		os.Exit(1)
	}
}
