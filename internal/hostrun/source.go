package hostrun

import (
	"bytes"
	"context"
	"strconv"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// RecordFields returns what the engine checks of a record: its position
// and its operation (as the protocol numbers it).
type RecordFields[R any] func(R) (position []byte, operation int32)

// Source is the host's end of a source Run stream: see the package doc for
// the rules it holds both sides to. Recv and Send may be called from
// different goroutines at the same time; neither from two at once, and
// CloseSend not concurrently with Send. Stop may be called from any
// goroutine.
type Source[R any] struct {
	inbound[R]       // Recv, RecvOne and Wait: the records
	outbound[[]byte] // Send, SendOne and CloseSend: the acks
	fields           RecordFields[R]
	transport        SourceTransport[R]

	mu       sync.Mutex        // guards the fields below, which Recv, Send and Stop share
	received positions.Tracker // the records received, in order, and their acks
	stopped  bool              // Stop returned
	stopLast []byte            // the last position Stop returned
	reached  int               // the number of the record at stopLast once it arrived, else 0
}

// OpenSource opens the Run stream of plugin, a source plugin of either Go
// API, under the Run context (ended by ctx, or by a violation): directly on
// the transport if plugin is a SourceOpener (package client's), otherwise
// with inProcess, which calls plugin's Run in a new goroutine behind a pipe
// and returns the pipe's host end. If opening fails, every Recv reports why.
func OpenSource[R any](ctx context.Context, fields RecordFields[R], plugin any,
	inProcess func(runCtx context.Context) (SourceTransport[R], Local),
) *Source[R] {
	r := &Source[R]{fields: fields}
	r.check, r.checkOne = r.accept, r.acceptOne
	runCtx := r.start(ctx)
	if opener, ok := plugin.(SourceOpener[R]); ok {
		var err error
		if r.transport, err = opener.OpenSourceRun(runCtx); err != nil {
			r.transport = failed[R, []byte]{err: err}
		}
	} else {
		r.transport, r.local = inProcess(runCtx)
	}
	r.receive = r.transport.Recv
	if one, ok := r.transport.(singleReceiver[R]); ok {
		r.receiveOne = one.RecvOne
	}
	r.outbound = outbound[[]byte]{run: &r.runEnd, mu: &r.mu, checkLocked: r.checkAckLocked, send: r.transport.Send, closeSend: r.transport.CloseSend}
	if one, ok := r.transport.(singleSender[[]byte]); ok {
		r.sendOne = one.SendOne
	}
	return r
}

// accept checks the records from the connector in order and remembers the
// positions of those before the first that breaks a rule: it returns how
// many that is, and the violation of the next one, if any.
func (r *Source[R]) accept(batch []R) (int, *rules.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, rec := range batch {
		if v := r.acceptLocked(rec); v != nil {
			return i, v
		}
	}
	return len(batch), nil
}

// acceptOne is accept for one record.
func (r *Source[R]) acceptOne(rec R) *rules.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.acceptLocked(rec)
}

// acceptLocked checks one record and remembers its position, or returns
// the violation. Called with r.mu held.
func (r *Source[R]) acceptLocked(rec R) *rules.Error {
	if v := r.violation.Load(); v != nil {
		return v // Stop found a violation while the record was on its way
	}
	position, operation := r.fields(rec)
	n := r.received.Sent() + 1
	if problem := positions.RecordProblem(position, operation); problem != "" {
		return invalidArgument("record " + strconv.Itoa(n) + " from the source" + problem)
	}
	if r.stopped {
		switch {
		case len(r.stopLast) == 0:
			return emptyStopPosition(n, position)
		case r.reached > 0:
			return afterStopPosition(n, position, r.reached, r.stopLast)
		case bytes.Equal(position, r.stopLast):
			r.reached = n
		}
	}
	r.received.Push(position)
	return nil
}

// checkAckLocked checks one ack of the host's and records it, or returns
// the refusal. Called with r.mu held.
func (r *Source[R]) checkAckLocked(position []byte) *rules.Error {
	if len(position) == 0 {
		return invalidArgument(positions.EmptyAck)
	}
	res := r.received.Ack(position)
	if res.Verdict != positions.Expected {
		return failedPrecondition(positions.DescribeAck("ack for position "+positions.Format(position), res, &r.received, "the host received from the source"))
	}
	return nil
}

// Stopped remembers last, the last position the connector's Stop
// returned, so that the stream holds the connector to it: a record after
// the one at that position (any record, if the position is empty, which
// says that the source has sent no record) ends the stream with an error
// wrapping ErrFailedPrecondition that names both positions. A violation
// found now is reported by Recv and Wait.
func (r *Source[R]) Stopped(last []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.stopLast = bytes.Clone(last)
	n := r.received.Sent()
	if len(r.stopLast) == 0 {
		if n > 0 {
			newest, _ := r.received.Position(n)
			_ = r.fail(emptyStopPosition(n, newest))
		}
		return
	}
	if k, ok := r.received.Find(r.stopLast); ok {
		r.reached = k
		if k < n {
			next, _ := r.received.Position(k + 1)
			_ = r.fail(afterStopPosition(k+1, next, k, r.stopLast))
		}
	}
}
