package hostrun

import (
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// inbound is what both engines do with what the connector sends (records
// of a source, acks of a destination): receive a batch from the transport,
// check its elements in order, deliver those before the first that breaks
// a rule and end the stream with that rule's error on the next Recv.
type inbound[T any] struct {
	runEnd
	receive func() ([]T, error)                 // the transport's Recv
	check   func(batch []T) (int, *rules.Error) // how many elements keep to the rules, and the next one's violation

	recvMu sync.Mutex // held by Recv and Wait: the transport's Recv is called by one goroutine at a time
	held   []T        // the rest of a batch whose first element broke a rule, for the next Recv; guarded by recvMu
}

// Recv returns the next elements up to the first that breaks a rule. The
// slice is valid until the next Recv. Once the stream ended it returns why.
func (in *inbound[T]) Recv() ([]T, error) {
	if v := in.violation.Load(); v != nil {
		return nil, v
	}
	in.recvMu.Lock()
	defer in.recvMu.Unlock()
	return in.recv()
}

// recv receives and checks one batch. Called with in.recvMu held.
func (in *inbound[T]) recv() ([]T, error) {
	batch := in.held
	in.held = nil
	if len(batch) == 0 {
		if in.ended {
			return nil, in.err
		}
		var err error
		if batch, err = in.receive(); err != nil {
			return nil, in.end(err)
		}
	}
	n, v := in.check(batch)
	switch {
	case v == nil:
		return batch, nil
	case n == 0:
		return nil, in.fail(v)
	default:
		in.held = batch[n:] // the host gets the good elements first
		return batch[:n], nil
	}
}

// Wait receives what is left on the stream until it ends (checking it as
// Recv does, and dropping it) and returns how the connector's Run ended:
// nil, its error, or the rules.Error that ended the stream.
func (in *inbound[T]) Wait() error {
	in.recvMu.Lock()
	for !in.ended {
		_, _ = in.recv()
	}
	in.recvMu.Unlock()
	return in.result()
}
