package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// envMaxSendSize, if set, gives the connector a send limit of that many
// bytes (server.WithMaxSendSize), for the tests of that limit; connectors
// have none by default.
const envMaxSendSize = "CPLUGINTEST_MAX_SEND_SIZE"

// envProtocolVersions, if set, lists the connector protocol versions the
// connector serves, comma-separated (server.WithProtocolVersions), for the
// tests of a host and a connector that share only some versions; by
// default it serves 1 and 2.
const envProtocolVersions = "CPLUGINTEST_PROTOCOL_VERSIONS"

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
	if v := os.Getenv(envProtocolVersions); v != "" {
		var versions []int
		for _, field := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(field))
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s=%q: %v\n", envProtocolVersions, v, err)
				os.Exit(1)
			}
			versions = append(versions, n)
		}
		opts = append(opts, server.WithProtocolVersions(versions...))
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
