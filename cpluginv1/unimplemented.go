package cpluginv1

import (
	"context"
	"fmt"
)

func unimplemented(method string) error {
	return fmt.Errorf("%s: %w", method, ErrUnimplemented)
}

// UnimplementedSourcePlugin answers every SourcePlugin call with an error
// wrapping ErrUnimplemented, except the three lifecycle events, which it
// answers with success. Embed it in a source to implement only some methods
// (for example to leave out the lifecycle events).
//
// A lifecycle event with nothing to do must succeed: the Conduit server fails
// the pipeline when a standalone connector answers one with Unimplemented,
// while connectors built with the Go connector SDK answer them with success.
type UnimplementedSourcePlugin struct{}

// Configure returns an error wrapping ErrUnimplemented.
func (UnimplementedSourcePlugin) Configure(context.Context, SourceConfigureRequest) (SourceConfigureResponse, error) {
	return SourceConfigureResponse{}, unimplemented("source configure")
}

// Start returns an error wrapping ErrUnimplemented.
func (UnimplementedSourcePlugin) Start(context.Context, SourceStartRequest) (SourceStartResponse, error) {
	return SourceStartResponse{}, unimplemented("source start")
}

// Run returns an error wrapping ErrUnimplemented.
func (UnimplementedSourcePlugin) Run(context.Context, SourceRunStream) error {
	return unimplemented("source run")
}

// Stop returns an error wrapping ErrUnimplemented.
func (UnimplementedSourcePlugin) Stop(context.Context, SourceStopRequest) (SourceStopResponse, error) {
	return SourceStopResponse{}, unimplemented("source stop")
}

// Teardown returns an error wrapping ErrUnimplemented.
func (UnimplementedSourcePlugin) Teardown(context.Context, SourceTeardownRequest) (SourceTeardownResponse, error) {
	return SourceTeardownResponse{}, unimplemented("source teardown")
}

// LifecycleOnCreated succeeds without doing anything: see
// [UnimplementedSourcePlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedSourcePlugin) LifecycleOnCreated(context.Context, SourceLifecycleOnCreatedRequest) (SourceLifecycleOnCreatedResponse, error) {
	return SourceLifecycleOnCreatedResponse{}, nil
}

// LifecycleOnUpdated succeeds without doing anything: see
// [UnimplementedSourcePlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedSourcePlugin) LifecycleOnUpdated(context.Context, SourceLifecycleOnUpdatedRequest) (SourceLifecycleOnUpdatedResponse, error) {
	return SourceLifecycleOnUpdatedResponse{}, nil
}

// LifecycleOnDeleted succeeds without doing anything: see
// [UnimplementedSourcePlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedSourcePlugin) LifecycleOnDeleted(context.Context, SourceLifecycleOnDeletedRequest) (SourceLifecycleOnDeletedResponse, error) {
	return SourceLifecycleOnDeletedResponse{}, nil
}

// UnimplementedDestinationPlugin answers every DestinationPlugin call with an
// error wrapping ErrUnimplemented, except the three lifecycle events, which
// it answers with success (see [UnimplementedSourcePlugin] for why). Embed it
// in a destination to implement only some methods.
type UnimplementedDestinationPlugin struct{}

// Configure returns an error wrapping ErrUnimplemented.
func (UnimplementedDestinationPlugin) Configure(context.Context, DestinationConfigureRequest) (DestinationConfigureResponse, error) {
	return DestinationConfigureResponse{}, unimplemented("destination configure")
}

// Start returns an error wrapping ErrUnimplemented.
func (UnimplementedDestinationPlugin) Start(context.Context, DestinationStartRequest) (DestinationStartResponse, error) {
	return DestinationStartResponse{}, unimplemented("destination start")
}

// Run returns an error wrapping ErrUnimplemented.
func (UnimplementedDestinationPlugin) Run(context.Context, DestinationRunStream) error {
	return unimplemented("destination run")
}

// Stop returns an error wrapping ErrUnimplemented.
func (UnimplementedDestinationPlugin) Stop(context.Context, DestinationStopRequest) (DestinationStopResponse, error) {
	return DestinationStopResponse{}, unimplemented("destination stop")
}

// Teardown returns an error wrapping ErrUnimplemented.
func (UnimplementedDestinationPlugin) Teardown(context.Context, DestinationTeardownRequest) (DestinationTeardownResponse, error) {
	return DestinationTeardownResponse{}, unimplemented("destination teardown")
}

// LifecycleOnCreated succeeds without doing anything: see
// [UnimplementedDestinationPlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedDestinationPlugin) LifecycleOnCreated(context.Context, DestinationLifecycleOnCreatedRequest) (DestinationLifecycleOnCreatedResponse, error) {
	return DestinationLifecycleOnCreatedResponse{}, nil
}

// LifecycleOnUpdated succeeds without doing anything: see
// [UnimplementedDestinationPlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedDestinationPlugin) LifecycleOnUpdated(context.Context, DestinationLifecycleOnUpdatedRequest) (DestinationLifecycleOnUpdatedResponse, error) {
	return DestinationLifecycleOnUpdatedResponse{}, nil
}

// LifecycleOnDeleted succeeds without doing anything: see
// [UnimplementedDestinationPlugin] for why a lifecycle event is never answered
// with ErrUnimplemented.
func (UnimplementedDestinationPlugin) LifecycleOnDeleted(context.Context, DestinationLifecycleOnDeletedRequest) (DestinationLifecycleOnDeletedResponse, error) {
	return DestinationLifecycleOnDeletedResponse{}, nil
}
