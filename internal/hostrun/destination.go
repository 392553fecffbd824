package hostrun

import (
	"context"
	"strconv"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// AckPosition returns the position an ack acknowledges.
type AckPosition[A any] func(A) []byte

// Destination is the host's end of a destination Run stream: see the
// package doc for the rules it holds both sides to. Recv and Send may be
// called from different goroutines at the same time; neither from two at
// once, and CloseSend not concurrently with Send.
type Destination[R, A any] struct {
	inbound[A]  // Recv, RecvOne and Wait: the acks
	outbound[R] // Send, SendOne and CloseSend: the records
	fields      RecordFields[R]
	ackPosition AckPosition[A]
	transport   DestinationTransport[R, A]

	mu   sync.Mutex        // guards sent, which Send and Recv share
	sent positions.Tracker // the records sent, in order, and their acks
}

// OpenDestination opens the Run stream of plugin, a destination plugin of
// either Go API, as OpenSource does for a source.
func OpenDestination[R, A any](ctx context.Context, fields RecordFields[R], ackPosition AckPosition[A], plugin any,
	inProcess func(runCtx context.Context) (DestinationTransport[R, A], Local),
) *Destination[R, A] {
	r := &Destination[R, A]{fields: fields, ackPosition: ackPosition}
	r.check, r.checkOne = r.checkAcks, r.checkAck
	runCtx := r.start(ctx)
	if opener, ok := plugin.(DestinationOpener[R, A]); ok {
		var err error
		if r.transport, err = opener.OpenDestinationRun(runCtx); err != nil {
			r.transport = failed[A, R]{err: err}
		}
	} else {
		r.transport, r.local = inProcess(runCtx)
	}
	r.receive = r.transport.Recv
	if one, ok := r.transport.(singleReceiver[A]); ok {
		r.receiveOne = one.RecvOne
	}
	r.outbound = outbound[R]{run: &r.runEnd, mu: &r.mu, checkLocked: r.trackLocked, send: r.transport.Send, closeSend: r.transport.CloseSend}
	if one, ok := r.transport.(singleSender[R]); ok {
		r.sendOne = one.SendOne
	}
	return r
}

// trackLocked checks one record of the host's and remembers its position,
// or returns the refusal. Called with r.mu held.
func (r *Destination[R, A]) trackLocked(rec R) *rules.Error {
	position, operation := r.fields(rec)
	if problem := positions.RecordProblem(position, operation); problem != "" {
		return invalidArgument("record " + strconv.Itoa(r.sent.Sent()+1) + " to the destination" + problem)
	}
	r.sent.Push(position)
	return nil
}

// checkAcks checks the connector's acks in order, and returns how many
// keep to the rules and the violation of the next one, if any.
func (r *Destination[R, A]) checkAcks(acks []A) (int, *rules.Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, ack := range acks {
		if v := r.checkAckLocked(ack); v != nil {
			return i, v
		}
	}
	return len(acks), nil
}

// checkAck is checkAcks for one ack.
func (r *Destination[R, A]) checkAck(ack A) *rules.Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.checkAckLocked(ack)
}

// checkAckLocked checks one ack and records it, or returns the violation.
// Called with r.mu held.
func (r *Destination[R, A]) checkAckLocked(ack A) *rules.Error {
	if v := r.violation.Load(); v != nil {
		return v
	}
	position := r.ackPosition(ack)
	if len(position) == 0 {
		n := strconv.Itoa(r.sent.Acked() + 1)
		return invalidArgument("ack " + n + " from the destination: " + positions.EmptyAck + positions.OldestNotAcked(&r.sent))
	}
	res := r.sent.Ack(position)
	if res.Verdict != positions.Expected {
		// An ack other than the expected one changed nothing: the count is
		// still the one before it. (Formatted only now: the expected ack is
		// the hot path.)
		n := strconv.Itoa(r.sent.Acked() + 1)
		return failedPrecondition(positions.DescribeAck("ack "+n+" from the destination, for position "+positions.Format(position)+",", res, &r.sent, "the host sent"))
	}
	return nil
}
