package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	p := cplugintest.Connector()
	err := server.Serve(server.Connector{
		Specifier:   p.Specifier,
		Source:      p.Source,
		Destination: p.Destination,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
