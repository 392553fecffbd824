package server

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// missingSource stands in for the Source of a connector that has none. Unlike
// cpluginv1.UnimplementedSourcePlugin it answers the lifecycle events with
// Unimplemented too: the plugin does not exist, so no call of it succeeds,
// and a host (or cplugin check) learns that from any call.
type missingSource struct {
	cpluginv1.UnimplementedSourcePlugin
}

func (missingSource) LifecycleOnCreated(context.Context, cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, missing("source lifecycle on created")
}

func (missingSource) LifecycleOnUpdated(context.Context, cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, missing("source lifecycle on updated")
}

func (missingSource) LifecycleOnDeleted(context.Context, cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, missing("source lifecycle on deleted")
}

// missingDestination stands in for the Destination of a connector that has
// none, like missingSource.
type missingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
}

func (missingDestination) LifecycleOnCreated(context.Context, cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	return cpluginv1.DestinationLifecycleOnCreatedResponse{}, missing("destination lifecycle on created")
}

func (missingDestination) LifecycleOnUpdated(context.Context, cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, missing("destination lifecycle on updated")
}

func (missingDestination) LifecycleOnDeleted(context.Context, cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	return cpluginv1.DestinationLifecycleOnDeletedResponse{}, missing("destination lifecycle on deleted")
}

func missing(method string) error {
	return fmt.Errorf("%s: %w", method, cpluginv1.ErrUnimplemented)
}
