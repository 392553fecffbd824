package cpluginv2

import "context"

// DestinationPlugin is a destination connector in protocol v2:
// cpluginv1's DestinationPlugin, with Start named Open as in the protocol,
// and a Run stream that carries batches. The calls come in the same order
// and mean the same; see cpluginv1.DestinationPlugin for each.
// [UnimplementedDestinationPlugin] answers them as cpluginv1's does.
type DestinationPlugin interface {
	// Configure validates and stores the configuration.
	Configure(context.Context, DestinationConfigureRequest) (DestinationConfigureResponse, error)
	// Open opens connections.
	Open(context.Context, DestinationOpenRequest) (DestinationOpenResponse, error)
	// Run receives batches of records and sends batches of acks, one ack
	// per record in the order the records came, until the host closes the
	// stream (Recv returns io.EOF) or ctx ends.
	Run(ctx context.Context, stream DestinationRunStream) error
	// Stop tells the destination the position of the last record the host
	// sent: once it has acked that record it may return from Run.
	Stop(context.Context, DestinationStopRequest) (DestinationStopResponse, error)
	// Teardown releases every resource. It may be called at any time.
	Teardown(context.Context, DestinationTeardownRequest) (DestinationTeardownResponse, error)
	// LifecycleOnCreated runs once, after Configure and before Open, the
	// first time the connector runs.
	LifecycleOnCreated(context.Context, DestinationLifecycleOnCreatedRequest) (DestinationLifecycleOnCreatedResponse, error)
	// LifecycleOnUpdated runs after Configure and before Open when the
	// configuration changed since the last run.
	LifecycleOnUpdated(context.Context, DestinationLifecycleOnUpdatedRequest) (DestinationLifecycleOnUpdatedResponse, error)
	// LifecycleOnDeleted runs, alone, when the connector was deleted from
	// its pipeline.
	LifecycleOnDeleted(context.Context, DestinationLifecycleOnDeletedRequest) (DestinationLifecycleOnDeletedResponse, error)
}

// DestinationRunStream is the connector's end of a destination Run stream.
//
// Send and Recv may be called from different goroutines at the same time,
// but neither from two goroutines at once. Recv returns io.EOF when the
// host closed the stream normally and every record was received.
type DestinationRunStream interface {
	// Send sends a batch of acks, in the order the records came (in
	// batches of the connector's choosing); an empty batch sends nothing.
	// Send does not keep the batch's slice after it returns.
	Send(DestinationRunResponse) error
	// Recv returns the next batch of records. Its slice is valid until the
	// next Recv; the records, and their bytes, are the connector's to keep.
	Recv() (DestinationRunRequest, error)
}

// DestinationRunRequest is what the host sends on a destination's Run
// stream: a batch of records.
type DestinationRunRequest struct {
	// Records are the records to write, in order.
	Records []Record
}

// DestinationRunResponse is what a destination sends on its Run stream: a
// batch of acks.
type DestinationRunResponse struct {
	// Acks are the acks, in the order the records came.
	Acks []DestinationAck
}
