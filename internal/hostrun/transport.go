package hostrun

import (
	"context"
	"io"
)

// The buffers of a Run stream through a pipe to a connector's Run in the
// host's process, like the flow control window of a gRPC stream: a full
// buffer blocks the sender. They count messages (a record, an ack, or a
// batch of either).
const (
	// RecordBuffer is how many messages of records wait between sender and
	// receiver.
	RecordBuffer = 128
	// AckBuffer is how many messages of acks wait between sender and
	// receiver. It is larger than RecordBuffer so that a connector that
	// sends records before it reads their acks (or a host that acks before
	// receiving more) does not stall on its own acks.
	AckBuffer = 1024
)

// SourceTransport is the host's end of a source Run stream as a transport
// provides it, before the engine holds both sides to the protocol's rules.
// Recv and Send may be called from different goroutines at once; neither
// from two.
type SourceTransport[R any] interface {
	// Recv returns the next batch of records, never an empty one. The
	// slice is valid until the next Recv; the records are the caller's.
	// After the connector's last record it returns io.EOF if the
	// connector's Run returned nil and Run's error otherwise.
	Recv() ([]R, error)
	// Send sends acks, never none, in order. It does not keep the slice
	// after it returns. io.EOF means the stream has ended and Recv says
	// why.
	Send(ackPositions [][]byte) error
	// CloseSend tells the connector that no more acks follow.
	CloseSend() error
}

// SourceOpener is implemented by a source plugin whose transport gives the
// host the Run stream to read and write directly (package client's): the
// engine opens the stream through it instead of calling the plugin's Run.
type SourceOpener[R any] interface {
	// OpenSourceRun opens a Run stream whose life is bounded by ctx.
	OpenSourceRun(ctx context.Context) (SourceTransport[R], error)
}

// DestinationTransport is the host's end of a destination Run stream as a
// transport provides it. Recv and Send may be called from different
// goroutines at once; neither from two.
type DestinationTransport[R, A any] interface {
	// Recv returns the next batch of acks, never an empty one, valid until
	// the next Recv. After the connector's last ack it returns io.EOF if
	// the connector's Run returned nil and Run's error otherwise.
	Recv() ([]A, error)
	// Send sends records, never none, in order. It does not keep the
	// slice after it returns (it may keep the records' bytes). io.EOF
	// means the stream has ended and Recv says why.
	Send(records []R) error
	// CloseSend tells the connector that no more records follow.
	CloseSend() error
}

// DestinationOpener is implemented by a destination plugin whose transport
// gives the host the Run stream directly (package client's).
type DestinationOpener[R, A any] interface {
	// OpenDestinationRun opens a Run stream whose life is bounded by ctx.
	OpenDestinationRun(ctx context.Context) (DestinationTransport[R, A], error)
}

// Local is what a transport to a connector's Run in the host's process (a
// pipe, package runpipe) reports: Ended is closed when the connector's Run
// has returned, so that Wait returns only then, and Err is what Run
// returned.
type Local interface {
	Ended() <-chan struct{}
	Err() error
}

// failed is the transport of a Run that could not be opened: every call
// reports why.
type failed[Out, In any] struct{ err error }

func (s failed[Out, In]) Recv() ([]Out, error) { return nil, s.err }
func (s failed[Out, In]) Send([]In) error      { return io.EOF }
func (s failed[Out, In]) CloseSend() error     { return nil }
