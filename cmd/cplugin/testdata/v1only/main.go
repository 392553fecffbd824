// Command v1only is a test connector for cplugin's own tests: the sequence
// example serving only protocol v1, as a connector built before v2 would.
// Offered only v2, it does not complete the plugin handshake.
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
		Source:    sequence.NewSource(),
	}, server.WithProtocolVersions(1))
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
