// Command file is the file example as a standalone connector: a host
// (Conduit, or `cplugin`) starts it as a plugin process and talks to it over
// gRPC. Started by hand, it says what it is and exits.
//
//	go build -o file ./examples/file/cmd/file
//	cplugin check ./file
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
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
