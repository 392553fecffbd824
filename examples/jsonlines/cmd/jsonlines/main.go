// Command file is the file example as a standalone connector: a host
// (Conduit, or `cplugin`) starts it as a plugin process and talks to it over
// gRPC. Started by hand, it says what it is and exits.
//
//	go build -o file ./examples/jsonlines/cmd/jsonlines
//	cplugin check ./file
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
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
