package cpluginv1

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// The buffers of a Run stream between a host and a plugin that no
// transport wraps (see [RunSource]), like the flow control window of a gRPC
// stream: a full buffer blocks the sender.
const (
	// runRecordBuffer is how many records wait between sender and receiver.
	runRecordBuffer = 128
	// runAckBuffer is how many acks wait between sender and receiver. It is
	// larger than runRecordBuffer so that a connector that sends a batch of
	// records before it reads their acks (or a host that acks a batch before
	// receiving more) does not stall on its own acks.
	runAckBuffer = 1024
)

// errSendClosed is returned by Send after CloseSend.
var errSendClosed = errors.New("send on a Run stream after CloseSend")

// SourceRunOpener is implemented by the SourcePlugin a transport gives a
// host (package client does): [RunSource] opens the Run stream through it
// and reads and writes the transport's stream directly, instead of calling
// Run with a stream of its own. Connector authors do not implement it.
type SourceRunOpener interface {
	// OpenSourceRun opens a Run stream whose life is bounded by ctx.
	OpenSourceRun(ctx context.Context) (SourceRunHostStream, error)
}

// SourceRunHostStream is the host's end of a source Run stream as a
// transport provides it, before [RunSource] holds both sides to the
// protocol's rules. Recv and Send may be called from different goroutines
// at once; neither from two.
type SourceRunHostStream interface {
	// Recv returns the next record. After the connector's last record it
	// returns io.EOF if the connector's Run returned nil and Run's error
	// otherwise.
	Recv() (SourceRunResponse, error)
	// Send sends an ack; io.EOF means the stream has ended and Recv says
	// why.
	Send(SourceRunRequest) error
	// CloseSend tells the connector that no more acks follow.
	CloseSend() error
}

// DestinationRunOpener is implemented by the DestinationPlugin a transport
// gives a host (package client does): [RunDestination] opens the Run stream
// through it and reads and writes the transport's stream directly.
// Connector authors do not implement it.
type DestinationRunOpener interface {
	// OpenDestinationRun opens a Run stream whose life is bounded by ctx.
	OpenDestinationRun(ctx context.Context) (DestinationRunHostStream, error)
}

// DestinationRunHostStream is the host's end of a destination Run stream as
// a transport provides it, before [RunDestination] holds both sides to the
// protocol's rules. Recv and Send may be called from different goroutines
// at once; neither from two.
type DestinationRunHostStream interface {
	// Recv returns the next ack. After the connector's last ack it returns
	// io.EOF if the connector's Run returned nil and Run's error otherwise.
	Recv() (DestinationRunResponse, error)
	// Send sends a record; io.EOF means the stream has ended and Recv says
	// why.
	Send(DestinationRunRequest) error
	// CloseSend tells the connector that no more records follow.
	CloseSend() error
}

// localRun is what a host stream to a connector's Run in this process
// (package runpipe) reports: Ended is closed when the connector's Run has
// returned, so that Wait returns only then, and Err is what Run returned.
type localRun interface {
	Ended() <-chan struct{}
	Err() error
}

// failedStream is the host stream of a Run that could not be opened: every
// call reports why.
type failedStream[Out, In any] struct{ err error }

func (s failedStream[Out, In]) Recv() (Out, error) {
	var zero Out
	return zero, s.err
}
func (s failedStream[Out, In]) Send(In) error    { return io.EOF }
func (s failedStream[Out, In]) CloseSend() error { return nil }

// ContractError is the error with which the host's end of a Run stream
// ([SourceRun], [DestinationRun]) refuses a message that breaks the
// protocol's rules for records and acks. Its message names the record or
// ack, the field or position at fault and what was expected. errors.Is
// reports ErrInvalidArgument for a message that breaks the contract's
// validation rules (an empty position, an undefined operation) and
// ErrFailedPrecondition for one that comes out of the protocol's order (an
// ack out of order, for a position never sent, or for a record acked
// already; a record after the last position Stop returned).
//
// From Recv (and Wait) it means that the connector broke the rule and the
// stream has ended; from Send, that the host did and its message was not
// sent. A connector served with package server refuses a host's message
// with the same type. Error returns the message; Unwrap the sentinel.
type ContractError = rules.Error

func invalidArgument(msg string) *ContractError {
	return rules.New(ErrInvalidArgument, msg)
}

func failedPrecondition(msg string) *ContractError {
	return rules.New(ErrFailedPrecondition, msg)
}

// recordProblem returns what breaks the contract's rules for records in
// rec (see positions.RecordProblem), or "". The connector-side guard in
// cpluginv1/server checks the same rules, with the same words.
func recordProblem(rec Record) string {
	return positions.RecordProblem(rec.Position, int32(rec.Operation))
}

// afterStopPosition is the violation of record n at position, which came
// after record last at position stop, the last position Stop returned.
func afterStopPosition(n int, position []byte, last int, stop []byte) *ContractError {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came after record " + strconv.Itoa(last) + " (position " + positions.Format(stop) +
		"), the last position Stop returned; a source sends nothing after that record")
}

// emptyStopPosition is the violation of record n at position, received
// although Stop returned an empty last position.
func emptyStopPosition(n int, position []byte) *ContractError {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came although Stop returned an empty last position, which says that the source has sent no record")
}

// runEnd is the end of a Run stream as the host's Recv reports it, shared
// by SourceRun and DestinationRun: the first error the transport's Recv
// returned, reworded if the Run context ended (the host cancelled, or a
// violation ended the stream).
type runEnd struct {
	ctx    context.Context // the host's context
	runCtx context.Context // ends with ctx or when a violation ended the stream
	endRun context.CancelFunc
	local  localRun // the pipe to a Run in this process; nil for a transport's stream

	ended     bool        // the transport's Recv has failed; guarded by the Run's recvMu
	endedFlag atomic.Bool // ended, for Send
	err       error       // what Recv returns from then on
}

// end records the end of the stream, seen as err from the transport's Recv,
// and returns what the host's Recv returns. violation is the contract error
// that ended the stream, if any.
func (e *runEnd) end(err error, violation *ContractError) error {
	if e.runCtx.Err() != nil {
		switch {
		case violation != nil:
			err = violation
		case e.ctx.Err() != nil:
			err = e.ctx.Err()
		}
	}
	e.ended, e.err = true, err
	e.endedFlag.Store(true)
	return err
}

// result is what Wait returns once the stream ended: the violation that
// ended it, or what the connector's Run returned (for a Run in this
// process, as it returned it, even io.EOF).
func (e *runEnd) result(violation *ContractError) error {
	if local := e.local; local != nil {
		<-local.Ended()
		if violation != nil {
			return violation
		}
		return local.Err()
	}
	if violation != nil {
		return violation
	}
	if errors.Is(e.err, io.EOF) {
		return nil
	}
	return e.err
}

// sendEnded returns io.EOF if the stream is known to have ended, so that a
// Send after the end says so (and does not fill a buffer nobody reads).
func (e *runEnd) sendEnded() error {
	if e.endedFlag.Load() {
		return io.EOF
	}
	if e.local != nil {
		select {
		case <-e.local.Ended():
			return io.EOF
		default:
		}
	}
	return nil
}
