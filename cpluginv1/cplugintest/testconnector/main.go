package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// envMaxSendSize, if set, gives the connector a send limit of that many
// bytes (server.WithMaxSendSize), for the tests of that limit; connectors
// have none by default.
const envMaxSendSize = "CPLUGINTEST_MAX_SEND_SIZE"

func main() {
	var opts []server.Option
	if v := os.Getenv(envMaxSendSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s=%q: %v\n", envMaxSendSize, v, err)
			os.Exit(1)
		}
		opts = append(opts, server.WithMaxSendSize(n))
	}
	p := cplugintest.Connector()
	err := server.Serve(server.Connector{
		Specifier:   p.Specifier,
		Source:      p.Source,
		Destination: p.Destination,
	}, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
