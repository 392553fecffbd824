package cpluginv2

import (
	"context"
	"slices"

	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// recordFields is what the host's Run engine (package hostrun) checks of a
// record.
func recordFields(rec Record) ([]byte, int32) { return rec.Position, int32(rec.Operation) }

// SourceRun is the host's end of a source Run stream, returned by
// [RunSource]: a batch at a time, whichever protocol version carries it
// (on protocol v1, a batch the host receives holds one record; acks the
// host sends in one batch go one per message). It works the same for
// built-in and standalone connectors.
//
// It holds both sides to the protocol's rules for records and acks as
// cpluginv1.SourceRun does, element by element, with a [ContractError]
// naming the record or ack:
//
//   - Recv delivers the records of a batch up to the first that breaks a
//     rule; the next Recv returns the error, which ends the stream (the
//     connector's Run context is cancelled, and Recv and Wait return the
//     error from then on).
//   - Send refuses the first ack that breaks a rule; the acks before it are
//     sent, it and those after it are not, and the stream stays open.
//
// Recv and Send may be called from different goroutines at the same time;
// neither from two at once, and CloseSend not concurrently with Send. Stop
// may be called from any goroutine. Wait receives what is left: call it
// once done receiving.
type SourceRun struct {
	plugin SourcePlugin
	run    *hostrun.Source[Record]
}

// RunSource opens plugin's Run stream and returns the host's end of it.
//
// For a plugin from package client (a standalone connector), Recv and Send
// read and write the gRPC stream directly, in the caller's goroutine. For
// any other plugin, RunSource calls plugin.Run in a new goroutine, with a
// stream of bounded buffers between the two ends (128 batches of records,
// 1024 of acks), as a gRPC server would.
//
// The stream ends when the connector's Run returns: after the connector's
// last record, Recv returns io.EOF if Run returned nil and Run's error
// otherwise. Cancelling ctx ends the stream on both sides with
// context.Canceled.
func RunSource(ctx context.Context, plugin SourcePlugin) *SourceRun {
	return &SourceRun{plugin: plugin, run: hostrun.OpenSource(ctx, recordFields, plugin, func(runCtx context.Context) (hostrun.SourceTransport[Record], hostrun.Local) {
		pipe := runpipe.New[SourceRunResponse, SourceRunRequest](runCtx, hostrun.RecordBuffer, hostrun.AckBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, sourcePipeEnd{pipe})) }()
		return sourcePipeHost{pipe}, pipe
	})}
}

// Recv waits for the next batch of records from the connector; see
// [SourceRun] for a batch with a record that breaks a rule. The batch's
// slice is valid until the next Recv; the records are the caller's. Once
// ctx ends Recv returns ctx's error without waiting for the connector's
// Run to notice.
func (r *SourceRun) Recv() (SourceRunResponse, error) {
	records, err := r.run.Recv()
	return SourceRunResponse{Records: records}, err
}

// Send sends a batch of acks to the connector, in the order the records
// came; see [SourceRun] for an ack that breaks a rule. It returns ctx's
// error once the host cancelled the Run, and io.EOF if the stream has
// ended (Recv then reports why). Send does not keep the batch's slice.
func (r *SourceRun) Send(req SourceRunRequest) error {
	if len(req.AckPositions) == 0 {
		return nil
	}
	return r.run.Send(req.AckPositions)
}

// Stop calls the connector's Stop and holds the stream to the last
// position it returned, as cpluginv1.SourceRun.Stop does.
func (r *SourceRun) Stop(ctx context.Context) (SourceStopResponse, error) {
	resp, err := r.plugin.Stop(ctx, SourceStopRequest{})
	if err == nil {
		r.run.Stopped(resp.LastPosition)
	}
	return resp, err
}

// CloseSend tells the connector that no more acks follow.
func (r *SourceRun) CloseSend() error { return r.run.CloseSend() }

// Wait receives what is left on the stream until it ends (checking and
// dropping the records) and returns how the connector's Run ended: nil,
// its error, or the [ContractError] that ended the stream.
func (r *SourceRun) Wait() error { return r.run.Wait() }

// sourcePipeHost is the host's end of a pipe to a source's Run in this
// process.
type sourcePipeHost struct {
	pipe *runpipe.Pipe[SourceRunResponse, SourceRunRequest]
}

func (h sourcePipeHost) Recv() ([]Record, error) {
	resp, err := h.pipe.Recv()
	if err != nil {
		return nil, err
	}
	return resp.Records, nil // never empty: see sourcePipeEnd.Send
}

func (h sourcePipeHost) Send(ackPositions [][]byte) error {
	// The pipe holds the batch until the connector takes it.
	return h.pipe.Send(SourceRunRequest{AckPositions: slices.Clone(ackPositions)})
}

func (h sourcePipeHost) CloseSend() error { return h.pipe.CloseSend() }

// sourcePipeEnd is the connector's end of a Run stream through a pipe.
type sourcePipeEnd struct {
	pipe *runpipe.Pipe[SourceRunResponse, SourceRunRequest]
}

func (c sourcePipeEnd) Send(resp SourceRunResponse) error {
	if len(resp.Records) == 0 {
		return nil
	}
	// The pipe holds the batch until the host takes it: the connector's
	// slice is the connector's again once Send returns.
	return c.pipe.ConnectorSend(SourceRunResponse{Records: slices.Clone(resp.Records)})
}

func (c sourcePipeEnd) Recv() (SourceRunRequest, error) { return c.pipe.ConnectorRecv() }
