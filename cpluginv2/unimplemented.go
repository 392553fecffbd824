package cpluginv2

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func unimplemented(method string) error {
	return fmt.Errorf("%s: %w", method, cpluginv1.ErrUnimplemented)
}

// UnimplementedSourcePlugin answers every SourcePlugin call with an error
// wrapping cpluginv1.ErrUnimplemented, except the three lifecycle events,
// which it answers with success (the Conduit server fails the pipeline on a
// lifecycle event answered with Unimplemented). Embed it in a source to
// implement only some methods.
type UnimplementedSourcePlugin struct{}

// Configure returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedSourcePlugin) Configure(context.Context, SourceConfigureRequest) (SourceConfigureResponse, error) {
	return SourceConfigureResponse{}, unimplemented("source configure")
}

// Open returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedSourcePlugin) Open(context.Context, SourceOpenRequest) (SourceOpenResponse, error) {
	return SourceOpenResponse{}, unimplemented("source open")
}

// Stop returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedSourcePlugin) Stop(context.Context, SourceStopRequest) (SourceStopResponse, error) {
	return SourceStopResponse{}, unimplemented("source stop")
}

// Teardown returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedSourcePlugin) Teardown(context.Context, SourceTeardownRequest) (SourceTeardownResponse, error) {
	return SourceTeardownResponse{}, unimplemented("source teardown")
}

// LifecycleOnCreated succeeds: there is nothing to do.
func (UnimplementedSourcePlugin) LifecycleOnCreated(context.Context, SourceLifecycleOnCreatedRequest) (SourceLifecycleOnCreatedResponse, error) {
	return SourceLifecycleOnCreatedResponse{}, nil
}

// LifecycleOnUpdated succeeds: there is nothing to do.
func (UnimplementedSourcePlugin) LifecycleOnUpdated(context.Context, SourceLifecycleOnUpdatedRequest) (SourceLifecycleOnUpdatedResponse, error) {
	return SourceLifecycleOnUpdatedResponse{}, nil
}

// LifecycleOnDeleted succeeds: there is nothing to do.
func (UnimplementedSourcePlugin) LifecycleOnDeleted(context.Context, SourceLifecycleOnDeletedRequest) (SourceLifecycleOnDeletedResponse, error) {
	return SourceLifecycleOnDeletedResponse{}, nil
}

// Run returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedSourcePlugin) Run(context.Context, SourceRunStream) error {
	return unimplemented("source run")
}

// UnimplementedDestinationPlugin answers every DestinationPlugin call with an error
// wrapping cpluginv1.ErrUnimplemented, except the three lifecycle events,
// which it answers with success (the Conduit server fails the pipeline on a
// lifecycle event answered with Unimplemented). Embed it in a destination to
// implement only some methods.
type UnimplementedDestinationPlugin struct{}

// Configure returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedDestinationPlugin) Configure(context.Context, DestinationConfigureRequest) (DestinationConfigureResponse, error) {
	return DestinationConfigureResponse{}, unimplemented("destination configure")
}

// Open returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedDestinationPlugin) Open(context.Context, DestinationOpenRequest) (DestinationOpenResponse, error) {
	return DestinationOpenResponse{}, unimplemented("destination open")
}

// Stop returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedDestinationPlugin) Stop(context.Context, DestinationStopRequest) (DestinationStopResponse, error) {
	return DestinationStopResponse{}, unimplemented("destination stop")
}

// Teardown returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedDestinationPlugin) Teardown(context.Context, DestinationTeardownRequest) (DestinationTeardownResponse, error) {
	return DestinationTeardownResponse{}, unimplemented("destination teardown")
}

// LifecycleOnCreated succeeds: there is nothing to do.
func (UnimplementedDestinationPlugin) LifecycleOnCreated(context.Context, DestinationLifecycleOnCreatedRequest) (DestinationLifecycleOnCreatedResponse, error) {
	return DestinationLifecycleOnCreatedResponse{}, nil
}

// LifecycleOnUpdated succeeds: there is nothing to do.
func (UnimplementedDestinationPlugin) LifecycleOnUpdated(context.Context, DestinationLifecycleOnUpdatedRequest) (DestinationLifecycleOnUpdatedResponse, error) {
	return DestinationLifecycleOnUpdatedResponse{}, nil
}

// LifecycleOnDeleted succeeds: there is nothing to do.
func (UnimplementedDestinationPlugin) LifecycleOnDeleted(context.Context, DestinationLifecycleOnDeletedRequest) (DestinationLifecycleOnDeletedResponse, error) {
	return DestinationLifecycleOnDeletedResponse{}, nil
}

// Run returns an error wrapping cpluginv1.ErrUnimplemented.
func (UnimplementedDestinationPlugin) Run(context.Context, DestinationRunStream) error {
	return unimplemented("destination run")
}
