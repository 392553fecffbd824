// Command probe serves the probe connector as a standalone connector
// process for the cancellation tests, which build it into a temporary
// directory. It writes a report line on stderr whenever a Run returns.
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/reliability/cancel/internal/probe"
)

func main() {
	report := func(r probe.Report) { _, _ = fmt.Fprintln(os.Stderr, r.Line()) }
	err := server.Serve(server.Connector{
		Specifier:   probe.Specifier{},
		Source:      probe.NewSource(report),
		Destination: probe.NewDestination(report),
	})
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
