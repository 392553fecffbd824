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
	receive    func() ([]T, error)                 // the transport's Recv
	receiveOne func() (T, error)                   // the transport's RecvOne, if it carries one element per message
	check      func(batch []T) (int, *rules.Error) // how many elements keep to the rules, and the next one's violation
	checkOne   func(T) *rules.Error                // check for one element

	recvMu  sync.Mutex // held by Recv, RecvOne and Wait: the transport's Recv is called by one goroutine at a time
	held    []T        // the rest of a batch whose first element broke a rule, for the next Recv; guarded by recvMu
	pending []T        // RecvOne's: the checked elements of the last batch not handed out yet; guarded by recvMu
}

// singleReceiver is implemented by a transport whose messages carry one
// element each (protocol v1, and a pipe to a cpluginv1 plugin): RecvOne
// receives it without a batch around it.
type singleReceiver[T any] interface {
	RecvOne() (T, error)
}

// singleSender is implemented by a transport whose messages carry one
// element each: SendOne sends it without a batch around it.
type singleSender[T any] interface {
	SendOne(T) error
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

// RecvOne returns the next element, for the API that hands them out one at
// a time (cpluginv1's): from the transport's RecvOne where it has one, from
// the batches otherwise. An element that breaks a rule ends the stream, and
// RecvOne returns the violation from then on, also with elements of its
// batch not handed out yet.
func (in *inbound[T]) RecvOne() (T, error) {
	var zero T
	if v := in.violation.Load(); v != nil {
		return zero, v
	}
	in.recvMu.Lock()
	defer in.recvMu.Unlock()
	if len(in.pending) == 0 {
		if in.receiveOne != nil && len(in.held) == 0 {
			if in.ended {
				return zero, in.err
			}
			el, err := in.receiveOne()
			if err != nil {
				return zero, in.end(err)
			}
			if v := in.checkOne(el); v != nil {
				return zero, in.fail(v)
			}
			return el, nil
		}
		batch, err := in.recv()
		if err != nil {
			return zero, err
		}
		in.pending = batch
	}
	el := in.pending[0]
	in.pending = in.pending[1:]
	return el, nil
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
	in.pending = nil
	for !in.ended {
		_, _ = in.recv()
	}
	in.recvMu.Unlock()
	return in.result()
}
