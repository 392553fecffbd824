package hostrun

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
	"github.com/connectorkit/conduit-connector-protocol/internal/sentinel"
)

// ErrSendClosed is returned by Send after CloseSend.
var ErrSendClosed = errors.New("send on a Run stream after CloseSend")

// runEnd is the end of a Run stream as the host's Recv reports it, shared
// by Source and Destination: the first error the transport's Recv
// returned, reworded if the Run context ended (the host cancelled, or a
// violation ended the stream).
type runEnd struct {
	ctx    context.Context // the host's context
	runCtx context.Context // ends with ctx or when a violation ended the stream
	endRun context.CancelFunc
	local  Local // the pipe to a Run in this process; nil for a transport's stream

	ended     bool        // the transport's Recv has failed; guarded by the Run's recvMu
	endedFlag atomic.Bool // ended, for Send
	err       error       // what Recv returns from then on
	violation atomic.Pointer[rules.Error]
}

// start starts the Run stream's context, a child of the host's ctx, and
// returns it.
func (e *runEnd) start(ctx context.Context) context.Context {
	e.ctx = ctx
	e.runCtx, e.endRun = context.WithCancel(ctx)
	return e.runCtx
}

// end records the end of the stream, seen as err from the transport's
// Recv, and returns what the host's Recv returns.
func (e *runEnd) end(err error) error {
	if e.runCtx.Err() != nil {
		switch v := e.violation.Load(); {
		case v != nil:
			err = v
		case e.ctx.Err() != nil:
			err = e.ctx.Err()
		}
	}
	e.ended, e.err = true, err
	e.endedFlag.Store(true)
	return err
}

// fail ends the stream because the connector broke the protocol's rules:
// Recv and Wait return v from now on, and the connector's Run context is
// cancelled. It returns the first violation.
func (e *runEnd) fail(v *rules.Error) *rules.Error {
	e.violation.CompareAndSwap(nil, v)
	e.endRun()
	return e.violation.Load()
}

// result is what Wait returns once the stream ended: the violation that
// ended it, or what the connector's Run returned (for a Run in this
// process, as it returned it, even io.EOF).
func (e *runEnd) result() error {
	violation := e.violation.Load()
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

// sendable returns why the host may not send now: ctx's error once the
// host cancelled the Run (what it sends would reach nobody), io.EOF if the
// stream is known to have ended (so that a Send after the end says so and
// does not fill a buffer nobody reads), ErrSendClosed after CloseSend.
func (e *runEnd) sendable(closedSend bool) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
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
	if closedSend {
		return ErrSendClosed
	}
	return nil
}

// LocalEnded returns the channel closed when a Run in this process has
// returned, or nil for a transport's stream. Tests wait for it.
func (e *runEnd) LocalEnded() <-chan struct{} {
	if e.local == nil {
		return nil
	}
	return e.local.Ended()
}

func invalidArgument(msg string) *rules.Error {
	return rules.New(sentinel.ErrInvalidArgument, msg)
}

func failedPrecondition(msg string) *rules.Error {
	return rules.New(sentinel.ErrFailedPrecondition, msg)
}

// afterStopPosition is the violation of record n at position, which came
// after record last at position stop, the last position Stop returned.
func afterStopPosition(n int, position []byte, last int, stop []byte) *rules.Error {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came after record " + strconv.Itoa(last) + " (position " + positions.Format(stop) +
		"), the last position Stop returned; a source sends nothing after that record")
}

// emptyStopPosition is the violation of record n at position, received
// although Stop returned an empty last position.
func emptyStopPosition(n int, position []byte) *rules.Error {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came although Stop returned an empty last position, which says that the source has sent no record")
}
