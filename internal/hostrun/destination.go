package hostrun

import (
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

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
	inbound[A]  // Recv and Wait
	fields      RecordFields[R]
	ackPosition AckPosition[A]
	transport   DestinationTransport[R, A]
	sendOne     func(R) error // the transport's SendOne, if it carries one record per message
	one         [1]R          // SendOne's batch of one for any other transport
	closedSend  atomic.Bool   // CloseSend was called

	mu   sync.Mutex        // guards sent, which Send and Recv share
	sent positions.Tracker // the records sent, in order, and their acks
}

// OpenDestination opens a destination's Run stream with open, as
// OpenSource does for a source.
func OpenDestination[R, A any](ctx context.Context, fields RecordFields[R], ackPosition AckPosition[A],
	open func(runCtx context.Context) (Opened[DestinationTransport[R, A]], error),
) *Destination[R, A] {
	r := &Destination[R, A]{fields: fields, ackPosition: ackPosition}
	r.check, r.checkOne = r.checkAcks, r.checkAck
	opened, err := open(r.start(ctx))
	if err != nil {
		r.transport = failed[A, R]{err: err}
	} else {
		r.transport, r.local = opened.Transport, opened.Local
	}
	r.receive = r.transport.Recv
	if one, ok := r.transport.(singleReceiver[A]); ok {
		r.receiveOne = one.RecvOne
	}
	if one, ok := r.transport.(singleSender[R]); ok {
		r.sendOne = one.SendOne
	}
	return r
}

// Send sends records to the connector, in order. It returns ctx's error
// once the host cancelled the Run, and io.EOF if the stream has ended (Recv
// then reports why). A record that breaks the protocol's rules is refused
// with a rules.Error, and neither it nor the records after it are sent;
// those before it are. Send does not keep the slice after it returns; the
// transport may read the records' bytes later: do not modify them.
func (r *Destination[R, A]) Send(records []R) error {
	if err := r.sendable(r.closedSend.Load()); err != nil {
		return err
	}
	n, refusal := r.track(records)
	if n > 0 {
		if err := r.transport.Send(records[:n]); err != nil {
			return err
		}
	}
	if refusal != nil {
		return refusal
	}
	return nil
}

// track checks the records the host is about to send and remembers their
// positions, before they can reach the connector and be acked. It returns
// how many keep to the rules, and the refusal of the next one, if any.
func (r *Destination[R, A]) track(records []R) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.violation.Load() != nil {
		return 0, io.EOF
	}
	for i, rec := range records {
		if refusal := r.trackLocked(rec); refusal != nil {
			return i, refusal
		}
	}
	return len(records), nil
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

// SendOne is Send for one record, for the API that sends them one at a
// time (cpluginv1's): through the transport's SendOne where it has one.
func (r *Destination[R, A]) SendOne(rec R) error {
	if err := r.sendable(r.closedSend.Load()); err != nil {
		return err
	}
	r.mu.Lock()
	var refusal *rules.Error
	violated := r.violation.Load() != nil
	if !violated {
		refusal = r.trackLocked(rec)
	}
	r.mu.Unlock()
	switch {
	case violated:
		return io.EOF
	case refusal != nil:
		return refusal
	case r.sendOne != nil:
		return r.sendOne(rec)
	}
	var zero R
	r.one[0] = rec
	err := r.transport.Send(r.one[:])
	r.one[0] = zero
	return err
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

// CloseSend tells the connector that no more records follow: its Recv
// returns io.EOF once it has received the records already sent.
func (r *Destination[R, A]) CloseSend() error {
	r.closedSend.Store(true)
	return r.transport.CloseSend()
}
