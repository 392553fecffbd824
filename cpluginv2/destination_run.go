package cpluginv2

import (
	"context"
	"slices"

	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// ackPosition is the position a destination's ack acknowledges.
func ackPosition(ack DestinationAck) []byte { return ack.AckPosition }

// DestinationRun is the host's end of a destination Run stream, returned
// by [RunDestination]: a batch at a time, whichever protocol version
// carries it. It works the same for built-in and standalone connectors.
//
// It holds both sides to the protocol's rules as cpluginv1.DestinationRun
// does, element by element, with a [ContractError] naming the record or
// ack:
//
//   - Send refuses the first record that breaks a rule; the records before
//     it are sent, it and those after it are not, and the stream stays
//     open.
//   - Recv delivers the acks of a batch up to the first that breaks a rule;
//     the next Recv returns the error, which ends the stream.
//
// Recv and Send may be called from different goroutines at the same time;
// neither from two at once, and CloseSend not concurrently with Send. Wait
// receives what is left: call it once done receiving.
type DestinationRun struct {
	run *hostrun.Destination[Record, DestinationAck]
}

// RunDestination opens plugin's Run stream and returns the host's end of
// it, the way [RunSource] does for a source.
func RunDestination(ctx context.Context, plugin DestinationPlugin) *DestinationRun {
	return &DestinationRun{run: hostrun.OpenDestination(ctx, recordFields, ackPosition, plugin, func(runCtx context.Context) (hostrun.DestinationTransport[Record, DestinationAck], hostrun.Local) {
		pipe := runpipe.New[DestinationRunResponse, DestinationRunRequest](runCtx, hostrun.AckBuffer, hostrun.RecordBuffer)
		go func() { pipe.Finish(plugin.Run(runCtx, destinationPipeEnd{pipe})) }()
		return destinationPipeHost{pipe}, pipe
	})}
}

// Send sends a batch of records to the connector; see [DestinationRun] for
// a record that breaks a rule. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). Send does not keep the batch's slice, but the transport may read
// the records' bytes later: do not modify them.
func (r *DestinationRun) Send(req DestinationRunRequest) error {
	if len(req.Records) == 0 {
		return nil
	}
	return r.run.Send(req.Records)
}

// Recv waits for the next batch of acks from the connector; see
// [DestinationRun] for an ack that breaks a rule. The batch's slice is
// valid until the next Recv.
func (r *DestinationRun) Recv() (DestinationRunResponse, error) {
	acks, err := r.run.Recv()
	return DestinationRunResponse{Acks: acks}, err
}

// CloseSend tells the connector that no more records follow.
func (r *DestinationRun) CloseSend() error { return r.run.CloseSend() }

// Wait receives what is left on the stream until it ends (checking and
// dropping the acks) and returns how the connector's Run ended: nil, its
// error, or the [ContractError] that ended the stream.
func (r *DestinationRun) Wait() error { return r.run.Wait() }

// destinationPipeHost is the host's end of a pipe to a destination's Run
// in this process.
type destinationPipeHost struct {
	pipe *runpipe.Pipe[DestinationRunResponse, DestinationRunRequest]
}

func (h destinationPipeHost) Recv() ([]DestinationAck, error) {
	resp, err := h.pipe.Recv()
	if err != nil {
		return nil, err
	}
	return resp.Acks, nil // never empty: see destinationPipeEnd.Send
}

func (h destinationPipeHost) Send(records []Record) error {
	return h.pipe.Send(DestinationRunRequest{Records: slices.Clone(records)})
}

func (h destinationPipeHost) CloseSend() error { return h.pipe.CloseSend() }

// destinationPipeEnd is the connector's end of a Run stream through a
// pipe.
type destinationPipeEnd struct {
	pipe *runpipe.Pipe[DestinationRunResponse, DestinationRunRequest]
}

func (c destinationPipeEnd) Send(resp DestinationRunResponse) error {
	if len(resp.Acks) == 0 {
		return nil
	}
	return c.pipe.ConnectorSend(DestinationRunResponse{Acks: slices.Clone(resp.Acks)})
}

func (c destinationPipeEnd) Recv() (DestinationRunRequest, error) { return c.pipe.ConnectorRecv() }
