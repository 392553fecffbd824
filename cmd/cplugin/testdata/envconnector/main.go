// Command envconnector is a test connector for cplugin's own tests. Like
// connectors built with the Go connector SDK, it refuses to start unless
// CONDUIT_CONNECTOR_TOKEN, CONDUIT_CONNECTOR_ID and
// CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET are set; it reports the value of
// CPLUGIN_TEST_VALUE as its specification's summary, and the connector ID as
// its author, so a test can see the environment cplugin gave it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := sequence.Specification()
	spec.Name = "envconnector"
	spec.Summary = os.Getenv("CPLUGIN_TEST_VALUE")
	spec.Author = os.Getenv("CONDUIT_CONNECTOR_ID")
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

func main() {
	for _, key := range []string{"CONDUIT_CONNECTOR_TOKEN", "CONDUIT_CONNECTOR_ID", "CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET"} {
		if os.Getenv(key) == "" {
			fmt.Fprintf(os.Stderr, "%s is not set\n", key)
			os.Exit(1)
		}
	}
	if err := server.Serve(server.Connector{Specifier: specifier{}, Source: sequence.NewSource()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
