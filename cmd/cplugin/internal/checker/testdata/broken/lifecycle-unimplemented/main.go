// Command lifecycle-unimplemented is a broken connector for the checker's
// tests: the jsonlines example whose LifecycleOnCreated and
// LifecycleOnUpdated answer Unimplemented, as connectors were once told to
// when they had nothing to do. The Conduit server fails the pipeline on it.
// check must fail destination.lifecycle, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

type destination struct{ *jsonlines.Destination }

func (destination) LifecycleOnCreated(context.Context, cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	return cpluginv1.DestinationLifecycleOnCreatedResponse{}, fmt.Errorf("nothing to do: %w", cpluginv1.ErrUnimplemented)
}

func (destination) LifecycleOnUpdated(context.Context, cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, fmt.Errorf("nothing to do: %w", cpluginv1.ErrUnimplemented)
}

func main() {
	if err := server.Serve(server.Connector{Specifier: jsonlines.Specifier{}, Destination: destination{jsonlines.NewDestination()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
