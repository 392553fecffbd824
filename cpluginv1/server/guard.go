package server

import (
	"context"
	"strconv"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// The Run guards hold a host that is not built on cpluginv1 (an older
// Conduit, or a host in another language) to the protocol's rules on a Run
// stream, as cpluginv1.SourceRun and cpluginv1.DestinationRun hold the
// connector to them on the host's side: a source connector refuses an ack
// that is out of order, for a position it never sent, for a record acked
// already, or empty; a destination connector refuses a record without a
// position or with an undefined operation. The connector's stream Recv
// returns the refusal (an error wrapping cpluginv1.ErrFailedPrecondition or
// cpluginv1.ErrInvalidArgument that names the position or field), the
// context of the connector's Run is cancelled, and the Run call ends with
// the refusal as its gRPC status, whatever the connector's Run returns.

// The refusal of a message from the host is a cpluginv1.ContractError (a
// rules.Error), as the host's end refuses a connector's message.

// runGuard is what both guards share: the connector's Run context and the
// first refusal, which ends the Run.
type runGuard struct {
	endRun    context.CancelFunc
	mu        sync.Mutex
	violation *rules.Error // guarded by mu
}

// refuse ends the Run because the host broke the protocol's rules: the
// connector's Run context is cancelled, and the Run call will end with the
// first refusal, which refuse returns. Called with g.mu held.
func (g *runGuard) refuse(v *rules.Error) error {
	if g.violation == nil {
		g.violation = v
	}
	g.endRun()
	return g.violation
}

// result returns what the Run call ends with once the connector's Run
// returned runErr: the refusal if the host broke a rule, runErr otherwise.
// It also releases the connector's Run context.
func (g *runGuard) result(runErr error) error {
	g.endRun()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.violation != nil {
		return g.violation
	}
	return runErr
}

// element names an element of a list in one of the host's Run messages
// (protocol v2's carry batches) for a refusal, as in "ack 7 from the host
// in ack_positions[2] of Run request 3". The zero value names none: a
// message of protocol v1 carries one ack or record.
type element struct {
	list    string // the field: "ack_positions" or "records"; "" for none
	index   int    // the element's index in the list, from 0
	request int    // the message's number on the stream, from 1
}

// String returns " in LIST[INDEX] of Run request N", or "" for the zero
// element.
func (e element) String() string {
	if e.list == "" {
		return ""
	}
	return " in " + e.list + "[" + strconv.Itoa(e.index) + "] of Run request " + strconv.Itoa(e.request)
}

// sourceRunGuard checks the acks a host sends on a source Run stream
// against the records the connector sent.
type sourceRunGuard struct {
	runGuard
	sent positions.Tracker // guarded by mu
}

// newSourceRunGuard returns the guard of one source Run call and the
// context for the connector's Run: ctx, until the host breaks a rule.
func newSourceRunGuard(ctx context.Context) (context.Context, *sourceRunGuard) {
	ctx, endRun := context.WithCancel(ctx)
	return ctx, &sourceRunGuard{runGuard: runGuard{endRun: endRun}}
}

// sending records that the connector is about to send a record with
// position; it must come before the record is on its way, so that the ack
// cannot overtake it. Once the host broke a rule, it returns the refusal
// and the record must not be sent.
func (g *sourceRunGuard) sending(position []byte) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.violation != nil {
		return g.violation
	}
	g.sent.Push(position)
	return nil
}

// ack checks an ack from the host and returns nil if it names the oldest
// record not acked yet, and the refusal otherwise.
func (g *sourceRunGuard) ack(position []byte) error {
	return g.ackElement(position, element{}, positions.EmptyAck)
}

// ackElement is ack for an ack that el names within the host's message;
// empty completes the refusal of an empty position.
func (g *sourceRunGuard) ackElement(position []byte, el element, empty string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.violation != nil {
		return g.violation
	}
	if len(position) == 0 {
		return g.refuse(rules.New(cpluginv1.ErrInvalidArgument, "ack "+strconv.Itoa(g.sent.Acked()+1)+" from the host"+el.String()+": "+empty+positions.OldestNotAcked(&g.sent)))
	}
	res := g.sent.Ack(position)
	if res.Verdict == positions.Expected {
		return nil
	}
	subject := "ack " + strconv.Itoa(g.sent.Acked()+1) + " from the host" + el.String() + ", for position " + positions.Format(position) + ","
	return g.refuse(rules.New(cpluginv1.ErrFailedPrecondition, positions.DescribeAck(subject, res, &g.sent, "the connector sent")))
}

// destinationRunGuard checks the records a host sends on a destination Run
// stream.
type destinationRunGuard struct {
	runGuard
	received int // records received, guarded by mu
}

// newDestinationRunGuard returns the guard of one destination Run call and
// the context for the connector's Run: ctx, until the host breaks a rule.
func newDestinationRunGuard(ctx context.Context) (context.Context, *destinationRunGuard) {
	ctx, endRun := context.WithCancel(ctx)
	return ctx, &destinationRunGuard{runGuard: runGuard{endRun: endRun}}
}

// record checks a record from the host and returns nil if it satisfies the
// contract's rules for records, and the refusal otherwise.
func (g *destinationRunGuard) record(rec cpluginv1.Record) error {
	return g.recordElement(rec, element{})
}

// recordElement is record for a record that el names within the host's
// message.
func (g *destinationRunGuard) recordElement(rec cpluginv1.Record, el element) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.violation != nil {
		return g.violation
	}
	g.received++
	if problem := positions.RecordProblem(rec.Position, int32(rec.Operation)); problem != "" {
		return g.refuse(rules.New(cpluginv1.ErrInvalidArgument, "record "+strconv.Itoa(g.received)+" from the host"+el.String()+problem))
	}
	return nil
}
