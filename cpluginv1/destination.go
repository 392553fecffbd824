package cpluginv1

import "context"

// DestinationPlugin is implemented by connectors that write records to a
// system. Hosts call the methods in the protocol's order: Configure,
// LifecycleOnCreated or LifecycleOnUpdated, Start, Run, Stop, Teardown.
// Teardown may come at any time and is always the last call.
//
// A connector that does not support a method returns an error wrapping
// [ErrUnimplemented], except for the three lifecycle events: a connector with
// nothing to do for one answers it with success, because the Conduit server
// fails the pipeline when a standalone connector answers a lifecycle event
// with Unimplemented. [UnimplementedDestinationPlugin] does both. Hosts built with
// this module accept ErrUnimplemented for a lifecycle event as "nothing to
// do", for connectors that predate the events. A deleted connector gets
// LifecycleOnDeleted alone, with no Configure before it.
type DestinationPlugin interface {
	// Configure validates and stores the configuration. It returns an error
	// wrapping ErrInvalidArgument if the configuration is not usable, and
	// must not connect to external systems yet.
	Configure(context.Context, DestinationConfigureRequest) (DestinationConfigureResponse, error)
	// Start opens connections.
	Start(context.Context, DestinationStartRequest) (DestinationStartResponse, error)
	// Run receives records on the stream and sends one ack per record, in the
	// order the records arrived, until the host closes the stream (Recv
	// returns io.EOF) or ctx ends. See [DestinationRunStream]. If the
	// connector breaks the rules for acks (out of order, for a position never
	// sent or acked already, or empty), the host ends the stream and cancels
	// ctx.
	Run(ctx context.Context, stream DestinationRunStream) error
	// Stop is told the position of the last record the host sent. It writes
	// what is buffered and sends the acks up to that position before it
	// returns.
	Stop(context.Context, DestinationStopRequest) (DestinationStopResponse, error)
	// Teardown releases every resource. It may be called at any time.
	Teardown(context.Context, DestinationTeardownRequest) (DestinationTeardownResponse, error)
	// LifecycleOnCreated runs once, after Configure and before Start, the
	// first time the connector runs.
	LifecycleOnCreated(context.Context, DestinationLifecycleOnCreatedRequest) (DestinationLifecycleOnCreatedResponse, error)
	// LifecycleOnUpdated runs after Configure and before Start when the
	// configuration changed since the last run.
	LifecycleOnUpdated(context.Context, DestinationLifecycleOnUpdatedRequest) (DestinationLifecycleOnUpdatedResponse, error)
	// LifecycleOnDeleted runs when the connector was deleted from its
	// pipeline. It is the only call the connector gets then (Teardown
	// aside): no Configure comes before it, so it must not rely on one. The
	// request carries the last configuration the connector had.
	LifecycleOnDeleted(context.Context, DestinationLifecycleOnDeletedRequest) (DestinationLifecycleOnDeletedResponse, error)
}

// DestinationRunStream is the connector's end of a destination Run stream.
//
// Send and Recv may be called from different goroutines at the same time,
// but neither may be called from two goroutines at once. Recv returns io.EOF
// when the host closed the stream normally: the connector then returns nil
// from Run.
type DestinationRunStream interface {
	// Send sends an ack (or, with Error set, a negative ack) for the oldest
	// record not acked yet.
	Send(DestinationRunResponse) error
	// Recv waits for the next record. Served standalone (package
	// cpluginv1/server), Recv refuses a record from a host that breaks the
	// contract's rules for records (an empty position, an undefined
	// operation) with an error wrapping ErrInvalidArgument that names the
	// record and the field; the Run then ends with that error, whatever Run
	// returns.
	Recv() (DestinationRunRequest, error)
}

// DestinationStartRequest is the request of DestinationPlugin.Start.
type DestinationStartRequest struct{}

// DestinationStartResponse is the response of DestinationPlugin.Start.
type DestinationStartResponse struct{}

// DestinationRunRequest is a record the host sends on a destination Run
// stream.
type DestinationRunRequest struct {
	// Record is the record to write.
	Record Record
}

// DestinationRunResponse is an ack the connector sends on a destination Run
// stream.
type DestinationRunResponse struct {
	// AckPosition is the position of the record being acknowledged.
	AckPosition []byte
	// Error is empty if the record was written; otherwise it makes this a
	// negative ack and says why, for users. The stream stays open. Bytes
	// that are not part of valid UTF-8 reach the host as U+FFFD, in both
	// modes, as protobuf can carry only valid UTF-8.
	Error string
}

// DestinationStopRequest is the request of DestinationPlugin.Stop.
type DestinationStopRequest struct {
	// LastPosition is the position of the last record the host sent, or
	// empty if it sent none.
	LastPosition []byte
}

// DestinationStopResponse is the response of DestinationPlugin.Stop.
type DestinationStopResponse struct{}
