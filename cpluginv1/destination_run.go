package cpluginv1

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// DestinationRun is the host's end of a destination Run stream, returned by
// [RunDestination]: a record at a time, whichever protocol version carries
// it. It works the same for built-in and standalone connectors.
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
	run *hostrun.Destination[Record, DestinationRunResponse]
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
	return &DestinationRun{run: hostrun.OpenDestination(ctx, recordFields, destinationAckPosition, plugin, func(runCtx context.Context) (hostrun.DestinationTransport[Record, DestinationRunResponse], hostrun.Local) {
		pipe := runpipe.New[DestinationRunResponse, DestinationRunRequest](runCtx, hostrun.AckBuffer, hostrun.RecordBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, destinationPipeEnd{pipe})) }()
		return &destinationPipeHost{pipe: pipe}, pipe
	})}
}

// Send sends a record to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read rec after Send has returned: do not modify it
// afterwards. A record that breaks the protocol's rules is not sent: see
// [DestinationRun].
func (r *DestinationRun) Send(rec DestinationRunRequest) error {
	return r.run.SendOne(rec.Record)
}

// Recv waits for the next ack from the connector. Once ctx ends it returns
// ctx's error without waiting for the connector's Run to notice. An ack
// that breaks the protocol's rules ends the stream: see [DestinationRun].
func (r *DestinationRun) Recv() (DestinationRunResponse, error) {
	return r.run.RecvOne()
}

// CloseSend tells the connector that no more records follow: its Recv
// returns io.EOF once it has received the records already sent.
func (r *DestinationRun) CloseSend() error { return r.run.CloseSend() }

// Wait receives what is left on the stream until it ends (checking the
// acks as Recv does, and dropping them) and returns how the connector's Run
// ended: nil, its error, or the [ContractError] that ended the stream. Call
// it once done receiving, typically after CloseSend.
func (r *DestinationRun) Wait() error { return r.run.Wait() }

// destinationPipeHost is the host's end of a pipe to a destination's Run in
// this process, as the engine takes it: each ack a batch of one.
type destinationPipeHost struct {
	pipe *runpipe.Pipe[DestinationRunResponse, DestinationRunRequest]
	one  [1]DestinationRunResponse // Recv's batch, valid until the next Recv
}

func (h *destinationPipeHost) Recv() ([]DestinationRunResponse, error) {
	ack, err := h.RecvOne()
	if err != nil {
		return nil, err
	}
	h.one[0] = ack
	return h.one[:], nil
}

func (h *destinationPipeHost) RecvOne() (DestinationRunResponse, error) {
	return h.pipe.Recv()
}

func (h *destinationPipeHost) SendOne(rec Record) error {
	return h.pipe.Send(DestinationRunRequest{Record: rec})
}

func (h *destinationPipeHost) Send(records []Record) error {
	for _, rec := range records {
		if err := h.SendOne(rec); err != nil {
			return err
		}
	}
	return nil
}

func (h *destinationPipeHost) CloseSend() error { return h.pipe.CloseSend() }

// destinationPipeEnd is the connector's end of a Run stream through a pipe.
type destinationPipeEnd struct {
	pipe *runpipe.Pipe[DestinationRunResponse, DestinationRunRequest]
}

func (c destinationPipeEnd) Send(ack DestinationRunResponse) error { return c.pipe.ConnectorSend(ack) }
func (c destinationPipeEnd) Recv() (DestinationRunRequest, error)  { return c.pipe.ConnectorRecv() }
