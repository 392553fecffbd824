package cpluginv1

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// SourceRun is the host's end of a source Run stream, returned by
// [RunSource]: a record at a time, whichever protocol version carries it.
// It works the same for built-in and standalone connectors.
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
	plugin SourcePlugin
	run    *hostrun.Source[Record]
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
	return &SourceRun{plugin: plugin, run: hostrun.OpenSource(ctx, recordFields, plugin, func(runCtx context.Context) (hostrun.SourceTransport[Record], hostrun.Local) {
		pipe := runpipe.New[SourceRunResponse, SourceRunRequest](runCtx, hostrun.RecordBuffer, hostrun.AckBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, sourcePipeEnd{pipe})) }()
		return &sourcePipeHost{pipe: pipe}, pipe
	})}
}

// Recv waits for the next record from the connector. Once ctx ends it
// returns ctx's error without waiting for the connector's Run to notice. A
// record that breaks the protocol's rules ends the stream: see [SourceRun].
// The record is the caller's; the stream keeps no reference to it.
func (r *SourceRun) Recv() (SourceRunResponse, error) {
	rec, err := r.run.RecvOne()
	return SourceRunResponse{Record: rec}, err
}

// Send sends an ack to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read ack after Send has returned: do not modify it
// afterwards. An ack that breaks the protocol's rules is not sent: see
// [SourceRun].
func (r *SourceRun) Send(ack SourceRunRequest) error {
	return r.run.SendOne(ack.AckPosition)
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
	if err == nil {
		r.run.Stopped(resp.LastPosition)
	}
	return resp, err
}

// CloseSend tells the connector that no more acks follow: its Recv returns
// io.EOF, after which a well-behaved connector returns from Run.
func (r *SourceRun) CloseSend() error { return r.run.CloseSend() }

// Wait receives what is left on the stream until it ends (checking the
// records as Recv does, and dropping them) and returns how the connector's
// Run ended: nil, its error, or the [ContractError] that ended the stream.
// Call it once done receiving, typically after CloseSend, or to wait for
// the end after cancelling ctx. Records it drops get no ack: a host that
// wants them receives until Recv returns io.EOF instead.
func (r *SourceRun) Wait() error { return r.run.Wait() }

// sourcePipeHost is the host's end of a pipe to a source's Run in this
// process, as the engine takes it: each record a batch of one, or a record
// of its own (RecvOne, SendOne).
type sourcePipeHost struct {
	pipe *runpipe.Pipe[SourceRunResponse, SourceRunRequest]
	one  [1]Record // Recv's batch, valid until the next Recv
}

func (h *sourcePipeHost) Recv() ([]Record, error) {
	rec, err := h.RecvOne()
	if err != nil {
		return nil, err
	}
	h.one[0] = rec
	return h.one[:], nil
}

func (h *sourcePipeHost) RecvOne() (Record, error) {
	resp, err := h.pipe.Recv()
	return resp.Record, err
}

func (h *sourcePipeHost) SendOne(position []byte) error {
	return h.pipe.Send(SourceRunRequest{AckPosition: position})
}

func (h *sourcePipeHost) Send(ackPositions [][]byte) error {
	for _, position := range ackPositions {
		if err := h.SendOne(position); err != nil {
			return err
		}
	}
	return nil
}

func (h *sourcePipeHost) CloseSend() error { return h.pipe.CloseSend() }

// sourcePipeEnd is the connector's end of a Run stream through a pipe.
type sourcePipeEnd struct {
	pipe *runpipe.Pipe[SourceRunResponse, SourceRunRequest]
}

func (c sourcePipeEnd) Send(rec SourceRunResponse) error { return c.pipe.ConnectorSend(rec) }
func (c sourcePipeEnd) Recv() (SourceRunRequest, error)  { return c.pipe.ConnectorRecv() }
