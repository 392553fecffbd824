package cpluginv1

import (
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// DestinationRun is the host's end of a destination Run stream, returned by
// [RunDestination]. It works the same for built-in and standalone connectors.
//
// It holds both sides to the protocol's rules for records and acks, with a
// [ContractError]:
//
//   - Send refuses a record that breaks the contract's rules (an empty
//     position; an operation other than create, update, delete and
//     snapshot) with an error wrapping ErrInvalidArgument. The record is not
//     sent and the stream stays open: it is the host's own mistake.
//   - Recv refuses an ack that is out of order, for a position the host has
//     not sent, or for a record acked already, with an error wrapping
//     ErrFailedPrecondition that names the ack's position and the one
//     expected, and an empty ack position with one wrapping
//     ErrInvalidArgument. Either ends the stream: the connector's Run
//     context is cancelled, and Recv and Wait return the error from then on.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send. Wait receives what is left: call it once done
// receiving.
type DestinationRun struct {
	runEnd
	transport  DestinationRunHostStream
	closedSend atomic.Bool // CloseSend was called
	violation  atomic.Pointer[ContractError]
	recvMu     sync.Mutex // held by Recv and Wait

	mu   sync.Mutex        // guards sent, which Send and Recv share
	sent positions.Tracker // the records sent, in order, and their acks
}

// RunDestination opens plugin's Run stream and returns the host's end of
// it, the way [RunSource] does for a source: directly on the gRPC stream
// for a plugin from package client, through bounded buffers to plugin.Run
// in a new goroutine for any other.
//
// The stream ends when the connector's Run returns: after the connector's
// last ack, Recv returns io.EOF if Run returned nil and Run's error
// otherwise. Cancelling ctx ends the stream on both sides with
// context.Canceled.
func RunDestination(ctx context.Context, plugin DestinationPlugin) *DestinationRun {
	runCtx, endRun := context.WithCancel(ctx)
	r := &DestinationRun{}
	r.runEnd = runEnd{ctx: ctx, runCtx: runCtx, endRun: endRun}
	if opener, ok := plugin.(DestinationRunOpener); ok {
		stream, err := opener.OpenDestinationRun(runCtx)
		if err != nil {
			stream = failedStream[DestinationRunResponse, DestinationRunRequest]{err: err}
		}
		r.transport = stream
	} else {
		pipe := runpipe.New[DestinationRunResponse, DestinationRunRequest](runCtx, runAckBuffer, runRecordBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, destinationPipeEnd{pipe})) }()
		r.transport = pipe
		r.local = pipe
	}
	return r
}

// Send sends a record to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read rec after Send has returned: do not modify it
// afterwards. A record that breaks the protocol's rules is not sent: see
// [DestinationRun].
func (r *DestinationRun) Send(rec DestinationRunRequest) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if err := r.sendEnded(); err != nil {
		return err
	}
	if r.closedSend.Load() {
		return errSendClosed
	}
	if err := r.track(rec.Record); err != nil {
		return err
	}
	return r.transport.Send(rec)
}

// track checks a record the host is about to send and remembers its
// position, before the record can reach the connector and be acked.
func (r *DestinationRun) track(rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.violation.Load() != nil {
		return io.EOF
	}
	if problem := recordProblem(rec); problem != "" {
		return invalidArgument("record " + strconv.Itoa(r.sent.Sent()+1) + " to the destination" + problem)
	}
	r.sent.Push(rec.Position)
	return nil
}

// Recv waits for the next ack from the connector. Once ctx ends it returns
// ctx's error without waiting for the connector's Run to notice. An ack
// that breaks the protocol's rules ends the stream: see [DestinationRun].
func (r *DestinationRun) Recv() (DestinationRunResponse, error) {
	if v := r.violation.Load(); v != nil {
		return DestinationRunResponse{}, v
	}
	r.recvMu.Lock()
	defer r.recvMu.Unlock()
	return r.recv()
}

// recv receives and checks one ack. Called with r.recvMu held.
func (r *DestinationRun) recv() (DestinationRunResponse, error) {
	if r.ended {
		return DestinationRunResponse{}, r.err
	}
	ack, err := r.transport.Recv()
	if err != nil {
		return DestinationRunResponse{}, r.end(err, r.violation.Load())
	}
	if err := r.checkAck(ack.AckPosition); err != nil {
		return DestinationRunResponse{}, err
	}
	return ack, nil
}

func (r *DestinationRun) checkAck(position []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.violation.Load(); v != nil {
		return v
	}
	if len(position) == 0 {
		n := strconv.Itoa(r.sent.Acked() + 1)
		return r.fail(invalidArgument("ack " + n + " from the destination: " + positions.EmptyAck + positions.OldestNotAcked(&r.sent)))
	}
	res := r.sent.Ack(position)
	if res.Verdict == positions.Expected {
		return nil
	}
	// An ack other than the expected one changed nothing: the count is
	// still the one before it. (Formatted only now: the expected ack is the
	// hot path.)
	n := strconv.Itoa(r.sent.Acked() + 1)
	return r.fail(failedPrecondition(positions.DescribeAck("ack "+n+" from the destination, for position "+positions.Format(position)+",", res, &r.sent, "the host sent")))
}

// fail ends the stream because the connector broke the protocol's rules:
// Recv and Wait return v from now on, and the connector's Run context is
// cancelled. It returns the first violation. Called with r.mu held.
func (r *DestinationRun) fail(v *ContractError) error {
	r.violation.CompareAndSwap(nil, v)
	r.endRun()
	return r.violation.Load()
}

// CloseSend tells the connector that no more records follow: its Recv
// returns io.EOF once it has received the records already sent.
func (r *DestinationRun) CloseSend() error {
	r.closedSend.Store(true)
	return r.transport.CloseSend()
}

// Wait receives what is left on the stream until it ends (checking the
// acks as Recv does, and dropping them) and returns how the connector's Run
// ended: nil, its error, or the [ContractError] that ended the stream. Call
// it once done receiving, typically after CloseSend.
func (r *DestinationRun) Wait() error {
	r.recvMu.Lock()
	for !r.ended {
		_, _ = r.recv()
	}
	r.recvMu.Unlock()
	return r.result(r.violation.Load())
}

// destinationPipeEnd is the connector's end of a Run stream through a pipe.
type destinationPipeEnd struct {
	pipe *runpipe.Pipe[DestinationRunResponse, DestinationRunRequest]
}

func (c destinationPipeEnd) Send(ack DestinationRunResponse) error { return c.pipe.ConnectorSend(ack) }
func (c destinationPipeEnd) Recv() (DestinationRunRequest, error)  { return c.pipe.ConnectorRecv() }
