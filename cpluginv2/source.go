package cpluginv2

import "context"

// SourcePlugin is a source connector in protocol v2: cpluginv1's
// SourcePlugin, with Start named Open as in the protocol, and a Run stream
// that carries batches. The calls come in the same order and mean the same;
// see cpluginv1.SourcePlugin for each. [UnimplementedSourcePlugin] answers
// them as cpluginv1's does.
type SourcePlugin interface {
	// Configure validates and stores the configuration.
	Configure(context.Context, SourceConfigureRequest) (SourceConfigureResponse, error)
	// Open opens connections and positions the source after the request's
	// position (empty: from the beginning).
	Open(context.Context, SourceOpenRequest) (SourceOpenResponse, error)
	// Run sends batches of records on the stream and receives batches of
	// their acks, in order, until the host closes the stream (Recv returns
	// io.EOF) or ctx ends.
	Run(ctx context.Context, stream SourceRunStream) error
	// Stop makes the source stop producing records and returns the
	// position of the last record it has sent or will still send.
	Stop(context.Context, SourceStopRequest) (SourceStopResponse, error)
	// Teardown releases every resource. It may be called at any time.
	Teardown(context.Context, SourceTeardownRequest) (SourceTeardownResponse, error)
	// LifecycleOnCreated runs once, after Configure and before Open, the
	// first time the connector runs.
	LifecycleOnCreated(context.Context, SourceLifecycleOnCreatedRequest) (SourceLifecycleOnCreatedResponse, error)
	// LifecycleOnUpdated runs after Configure and before Open when the
	// configuration changed since the last run.
	LifecycleOnUpdated(context.Context, SourceLifecycleOnUpdatedRequest) (SourceLifecycleOnUpdatedResponse, error)
	// LifecycleOnDeleted runs, alone, when the connector was deleted from
	// its pipeline.
	LifecycleOnDeleted(context.Context, SourceLifecycleOnDeletedRequest) (SourceLifecycleOnDeletedResponse, error)
}

// SourceRunStream is the connector's end of a source Run stream.
//
// Send and Recv may be called from different goroutines at the same time,
// but neither from two goroutines at once. Acks arrive in the order the
// records were sent, in batches of the host's choosing (not necessarily
// those the records came in). Recv returns io.EOF when the host closed the
// stream normally: the connector then returns nil from Run.
type SourceRunStream interface {
	// Send sends a batch of records; an empty batch sends nothing. Every
	// record needs a position and a defined operation, as on protocol v1.
	// Send does not keep the batch's slice after it returns, but the host
	// may read the records' bytes later: do not modify them. A record that
	// cannot be encoded (a structured value the protocol cannot carry)
	// fails Send, naming the record; nothing of the batch is sent then.
	Send(SourceRunResponse) error
	// Recv returns the next batch of acks. Its slice is valid until the
	// next Recv; the positions are the connector's to keep.
	Recv() (SourceRunRequest, error)
}

// SourceRunResponse is what a source sends on its Run stream: a batch of
// records.
type SourceRunResponse struct {
	// Records are the records, in the order they are sent.
	Records []Record
}

// SourceRunRequest is what the host sends on a source's Run stream: a batch
// of acks.
type SourceRunRequest struct {
	// AckPositions are the positions of the records acknowledged, in the
	// order the records were sent.
	AckPositions [][]byte
}
