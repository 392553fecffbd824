package cpluginv1

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// SourceRun is the host's end of a source Run stream, returned by
// [RunSource]. It works the same for built-in and standalone connectors.
//
// It holds both sides to the protocol's rules for records and acks, with a
// [ContractError]:
//
//   - Recv refuses a record that breaks the contract's rules (an empty
//     position; an operation other than create, update, delete and
//     snapshot), with an error wrapping ErrInvalidArgument, and a record that
//     comes after the record at the position [SourceRun.Stop] returned, with
//     an error wrapping ErrFailedPrecondition. Either ends the stream: the
//     connector's Run context is cancelled, and Recv and Wait return the
//     error from then on.
//   - Send refuses an ack that is out of order, for a position the host has
//     not received, or for a record acked already, with an error wrapping
//     ErrFailedPrecondition, and an empty ack position with one wrapping
//     ErrInvalidArgument. The ack is not sent and the stream stays open:
//     these are the host's own mistakes.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send. Stop may be called from any goroutine. Wait
// receives what is left: call it once done receiving.
type SourceRun struct {
	runEnd
	plugin     SourcePlugin
	transport  SourceRunHostStream
	closedSend atomic.Bool // CloseSend was called
	violation  atomic.Pointer[ContractError]
	recvMu     sync.Mutex // held by Recv and Wait: the transport's Recv is called by one goroutine at a time

	mu       sync.Mutex        // guards the fields below, which Recv, Send and Stop share
	received positions.Tracker // the records received, in order, and their acks
	stopped  bool              // Stop returned
	stopLast []byte            // the last position Stop returned
	reached  int               // the number of the record at stopLast once it arrived, else 0
}

// RunSource opens plugin's Run stream and returns the host's end of it.
//
// For a plugin from package client (a standalone connector), the host's
// Recv and Send read and write the gRPC stream directly, in the caller's
// goroutine. For any other plugin (package builtin's, or a SourcePlugin
// handed over as is), RunSource calls plugin.Run in a new goroutine, with a
// stream of bounded buffers between the two ends, as a gRPC server would.
//
// The stream ends when the connector's Run returns: after the connector's
// last record, Recv returns io.EOF if Run returned nil and Run's error
// otherwise. Cancelling ctx ends the stream on both sides with
// context.Canceled.
func RunSource(ctx context.Context, plugin SourcePlugin) *SourceRun {
	runCtx, endRun := context.WithCancel(ctx)
	r := &SourceRun{plugin: plugin}
	r.runEnd = runEnd{ctx: ctx, runCtx: runCtx, endRun: endRun}
	if opener, ok := plugin.(SourceRunOpener); ok {
		stream, err := opener.OpenSourceRun(runCtx)
		if err != nil {
			stream = failedStream[SourceRunResponse, SourceRunRequest]{err: err}
		}
		r.transport = stream
	} else {
		pipe := runpipe.New[SourceRunResponse, SourceRunRequest](runCtx, runRecordBuffer, runAckBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, sourcePipeEnd{pipe})) }()
		r.transport = pipe
		r.local = pipe
	}
	return r
}

// Recv waits for the next record from the connector. Once ctx ends it
// returns ctx's error without waiting for the connector's Run to notice. A
// record that breaks the protocol's rules ends the stream: see [SourceRun].
// The record is the caller's; the stream keeps no reference to it.
func (r *SourceRun) Recv() (SourceRunResponse, error) {
	if v := r.violation.Load(); v != nil {
		return SourceRunResponse{}, v
	}
	r.recvMu.Lock()
	defer r.recvMu.Unlock()
	return r.recv()
}

// recv receives and checks one record. Called with r.recvMu held.
func (r *SourceRun) recv() (SourceRunResponse, error) {
	if r.ended {
		return SourceRunResponse{}, r.err
	}
	rec, err := r.transport.Recv()
	if err != nil {
		return SourceRunResponse{}, r.end(err, r.violation.Load())
	}
	if err := r.accept(rec.Record); err != nil {
		return SourceRunResponse{}, err
	}
	return rec, nil
}

// accept checks a record from the connector and remembers its position, or
// ends the stream if the record breaks the protocol's rules.
func (r *SourceRun) accept(rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.violation.Load(); v != nil {
		return v // Stop found a violation while this record was on its way
	}
	n := r.received.Sent() + 1
	if problem := recordProblem(rec); problem != "" {
		return r.fail(invalidArgument("record " + strconv.Itoa(n) + " from the source" + problem))
	}
	if r.stopped {
		switch {
		case len(r.stopLast) == 0:
			return r.fail(emptyStopPosition(n, rec.Position))
		case r.reached > 0:
			return r.fail(afterStopPosition(n, rec.Position, r.reached, r.stopLast))
		case bytes.Equal(rec.Position, r.stopLast):
			r.reached = n
		}
	}
	r.received.Push(rec.Position)
	return nil
}

// fail ends the stream because the connector broke the protocol's rules:
// Recv and Wait return v from now on, and the connector's Run context is
// cancelled. It returns the first violation. Called with r.mu held.
func (r *SourceRun) fail(v *ContractError) error {
	r.violation.CompareAndSwap(nil, v)
	r.endRun()
	return r.violation.Load()
}

// Send sends an ack to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read ack after Send has returned: do not modify it
// afterwards. An ack that breaks the protocol's rules is not sent: see
// [SourceRun].
func (r *SourceRun) Send(ack SourceRunRequest) error {
	if err := r.ctx.Err(); err != nil {
		// The host cancelled the Run: the ack would reach nobody.
		return err
	}
	if err := r.sendEnded(); err != nil {
		return err
	}
	if r.closedSend.Load() {
		return errSendClosed
	}
	if err := r.checkAck(ack.AckPosition); err != nil {
		return err
	}
	return r.transport.Send(ack)
}

func (r *SourceRun) checkAck(position []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.violation.Load() != nil {
		return io.EOF
	}
	if len(position) == 0 {
		return invalidArgument(positions.EmptyAck)
	}
	res := r.received.Ack(position)
	if res.Verdict == positions.Expected {
		return nil
	}
	return failedPrecondition(positions.DescribeAck("ack for position "+positions.Format(position), res, &r.received, "the host received from the source"))
}

// Stop calls the connector's Stop and remembers the last position it
// returned, so that the stream holds the connector to it: a record after
// the one at that position (any record, if the position is empty, which
// says that the source has sent no record) ends the stream with an error
// wrapping ErrFailedPrecondition that names both positions. A host that
// calls SourcePlugin.Stop itself instead gets no such check.
//
// Stop returns the connector's response and error unchanged; a violation
// found when it returns (the host has already received a record after the
// last position) is reported by Recv and Wait, as one found later.
func (r *SourceRun) Stop(ctx context.Context) (SourceStopResponse, error) {
	resp, err := r.plugin.Stop(ctx, SourceStopRequest{})
	if err != nil {
		return resp, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.stopLast = bytes.Clone(resp.LastPosition)
	n := r.received.Sent()
	if len(r.stopLast) == 0 {
		if n > 0 {
			newest, _ := r.received.Position(n)
			_ = r.fail(emptyStopPosition(n, newest)) // reported by Recv and Wait
		}
		return resp, nil
	}
	if k, ok := r.received.Find(r.stopLast); ok {
		r.reached = k
		if k < n {
			next, _ := r.received.Position(k + 1)
			_ = r.fail(afterStopPosition(k+1, next, k, r.stopLast)) // reported by Recv and Wait
		}
	}
	return resp, nil
}

// CloseSend tells the connector that no more acks follow: its Recv returns
// io.EOF, after which a well-behaved connector returns from Run.
func (r *SourceRun) CloseSend() error {
	r.closedSend.Store(true)
	return r.transport.CloseSend()
}

// Wait receives what is left on the stream until it ends (checking the
// records as Recv does, and dropping them) and returns how the connector's
// Run ended: nil, its error, or the [ContractError] that ended the stream.
// Call it once done receiving, typically after CloseSend, or to wait for
// the end after cancelling ctx. Records it drops get no ack: a host that
// wants them receives until Recv returns io.EOF instead.
func (r *SourceRun) Wait() error {
	r.recvMu.Lock()
	for !r.ended {
		_, _ = r.recv()
	}
	r.recvMu.Unlock()
	return r.result(r.violation.Load())
}

// sourcePipeEnd is the connector's end of a Run stream through a pipe.
type sourcePipeEnd struct {
	pipe *runpipe.Pipe[SourceRunResponse, SourceRunRequest]
}

func (c sourcePipeEnd) Send(rec SourceRunResponse) error { return c.pipe.ConnectorSend(rec) }
func (c sourcePipeEnd) Recv() (SourceRunRequest, error)  { return c.pipe.ConnectorRecv() }
