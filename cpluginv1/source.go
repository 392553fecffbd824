package cpluginv1

import "context"

// SourcePlugin is implemented by connectors that read records from a system.
// Hosts obtain one from the client package (standalone) or the builtin
// package (in-process) and call the methods in the protocol's order:
// Configure, LifecycleOnCreated or LifecycleOnUpdated, Start, Run, Stop,
// Teardown. Teardown may come at any time and is always the last call.
//
// A connector that does not support a method returns an error wrapping
// [ErrUnimplemented], except for the three lifecycle events: a connector with
// nothing to do for one answers it with success, because the Conduit server
// fails the pipeline when a standalone connector answers a lifecycle event
// with Unimplemented. [UnimplementedSourcePlugin] does both. Hosts built with
// this module accept ErrUnimplemented for a lifecycle event as "nothing to
// do", for connectors that predate the events. A deleted connector gets
// LifecycleOnDeleted alone, with no Configure before it.
type SourcePlugin interface {
	// Configure validates and stores the configuration. It returns an error
	// wrapping ErrInvalidArgument if the configuration is not usable, and
	// must not connect to external systems yet.
	Configure(context.Context, SourceConfigureRequest) (SourceConfigureResponse, error)
	// Start opens connections and positions the source after the request's
	// position (empty: from the beginning).
	Start(context.Context, SourceStartRequest) (SourceStartResponse, error)
	// Run sends records on the stream and receives their acks, in order,
	// until the host closes the stream (Recv returns io.EOF) or ctx ends. See
	// [SourceRunStream] for the stream's rules. If the connector breaks them
	// (a record without a position or with an undefined operation, a record
	// after Stop's last position), the host ends the stream and cancels ctx.
	Run(ctx context.Context, stream SourceRunStream) error
	// Stop makes the source stop producing records. It returns the position
	// of the last record it has sent or will still send on the Run stream
	// (empty if it has sent none), and sends nothing after that record.
	// Hosts call it through [SourceRun.Stop], which ends the stream with an
	// error wrapping ErrFailedPrecondition if a record follows that one.
	Stop(context.Context, SourceStopRequest) (SourceStopResponse, error)
	// Teardown releases every resource. It may be called at any time.
	Teardown(context.Context, SourceTeardownRequest) (SourceTeardownResponse, error)
	// LifecycleOnCreated runs once, after Configure and before Start, the
	// first time the connector runs.
	LifecycleOnCreated(context.Context, SourceLifecycleOnCreatedRequest) (SourceLifecycleOnCreatedResponse, error)
	// LifecycleOnUpdated runs after Configure and before Start when the
	// configuration changed since the last run.
	LifecycleOnUpdated(context.Context, SourceLifecycleOnUpdatedRequest) (SourceLifecycleOnUpdatedResponse, error)
	// LifecycleOnDeleted runs when the connector was deleted from its
	// pipeline. It is the only call the connector gets then (Teardown
	// aside): no Configure comes before it, so it must not rely on one. The
	// request carries the last configuration the connector had.
	LifecycleOnDeleted(context.Context, SourceLifecycleOnDeletedRequest) (SourceLifecycleOnDeletedResponse, error)
}

// SourceRunStream is the connector's end of a source Run stream.
//
// Send and Recv may be called from different goroutines at the same time,
// but neither may be called from two goroutines at once. Acks arrive in the
// order the records were sent. Recv returns io.EOF when the host closed the
// stream normally: the connector then returns nil from Run.
type SourceRunStream interface {
	// Send sends a record to the host. A record whose structured data holds
	// an unsupported value, or whose metadata is not valid UTF-8, is not
	// sent; the error wraps ErrUnsupportedValue and names the field, and the
	// stream stays open.
	Send(SourceRunResponse) error
	// Recv waits for the next ack. Served standalone (package
	// cpluginv1/server), Recv refuses an ack from a host that breaks the
	// protocol's rules (out of order, for a position never sent or acked
	// already, or empty) with an error wrapping ErrFailedPrecondition (or
	// ErrInvalidArgument for an empty one) that names the position; the Run
	// then ends with that error, whatever Run returns.
	Recv() (SourceRunRequest, error)
}

// SourceStartRequest is the request of SourcePlugin.Start.
type SourceStartRequest struct {
	// Position is the position of the last record the host acknowledged in
	// an earlier run, or empty on the first run. The source resumes after it.
	Position []byte
}

// SourceStartResponse is the response of SourcePlugin.Start.
type SourceStartResponse struct{}

// SourceRunRequest is an ack the host sends on a source Run stream.
type SourceRunRequest struct {
	// AckPosition is the position of the record being acknowledged.
	AckPosition []byte
}

// SourceRunResponse is a record the connector sends on a source Run stream.
type SourceRunResponse struct {
	// Record is the record.
	Record Record
}

// SourceStopRequest is the request of SourcePlugin.Stop.
type SourceStopRequest struct{}

// SourceStopResponse is the response of SourcePlugin.Stop.
type SourceStopResponse struct {
	// LastPosition is the position of the last record the source has sent or
	// will still send on the Run stream; empty if it never sent one.
	LastPosition []byte
}
