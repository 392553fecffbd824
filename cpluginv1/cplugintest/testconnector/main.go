// Command testconnector serves the cplugintest test connector as a
// standalone connector process, for the parity suite's subprocess mode.
// Tests build it with `go build` into a temporary directory and start it
// through package client; it is not meant to be run by hand.
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
