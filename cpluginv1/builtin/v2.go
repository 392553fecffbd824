package builtin

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// NewSourceV2 wraps a connector's source written against protocol v2's Go
// API (package cpluginv2) for a host that runs the connector in its own
// process, as [NewSource] does for a cpluginv1 source: every call isolated
// in a goroutine with a recover, errors through the error table, and
// everything that crosses copied. On the Run stream the batches keep their
// size; a record that cannot cross fails the connector's Send naming the
// record, and nothing of its batch is sent, as a standalone connector's
// Send fails.
func NewSourceV2(impl cpluginv2.SourcePlugin, opts ...Option) cpluginv2.SourcePlugin {
	return &sourceV2{source: &source{impl: cpluginv2.ToV1Source(impl), schemas: resolveOptions(opts).schemas}, impl: impl}
}

// NewDestinationV2 wraps a connector's destination written against
// protocol v2's Go API, as [NewSourceV2] does a source.
func NewDestinationV2(impl cpluginv2.DestinationPlugin, opts ...Option) cpluginv2.DestinationPlugin {
	return &destinationV2{destination: &destination{impl: cpluginv2.ToV1Destination(impl), schemas: resolveOptions(opts).schemas}, impl: impl}
}

// sourceV2 is a built-in v2 source: its calls other than Open and Run are
// those of the cpluginv1 wrapper (source) around the same connector, as
// they are the same calls with the same types.
type sourceV2 struct {
	*source
	impl cpluginv2.SourcePlugin
}

func (s *sourceV2) Open(ctx context.Context, req cpluginv2.SourceOpenRequest) (cpluginv2.SourceOpenResponse, error) {
	return s.Start(ctx, req)
}

// Run runs the connector's Run with a stream that copies and normalises
// what crosses it, as source.Run does.
func (s *sourceV2) Run(ctx context.Context, stream cpluginv2.SourceRunStream) error {
	return runStream(s.withSchemas(ctx), "Source.Run", func(connectorCtx context.Context, _ func(error)) error {
		return s.impl.Run(connectorCtx, &sourceStreamV2{ctx: connectorCtx, host: stream})
	})
}

// sourceStreamV2 is the connector's end of a built-in v2 source Run stream.
type sourceStreamV2 struct {
	ctx  context.Context // the connector's context for Run
	host cpluginv2.SourceRunStream
}

func (s *sourceStreamV2) Send(resp cpluginv2.SourceRunResponse) error {
	if err := s.ctx.Err(); err != nil {
		return err // Run has returned, or the host cancelled the stream
	}
	records, err := normalizeBatch(resp.Records)
	if err != nil {
		return err
	}
	return streamError(s.ctx, "send record", s.host.Send(cpluginv2.SourceRunResponse{Records: records}))
}

func (s *sourceStreamV2) Recv() (cpluginv2.SourceRunRequest, error) {
	if err := s.ctx.Err(); err != nil {
		return cpluginv2.SourceRunRequest{}, err
	}
	req, err := s.host.Recv()
	if err != nil {
		return cpluginv2.SourceRunRequest{}, streamError(s.ctx, "receive ack", err)
	}
	positions := make([][]byte, len(req.AckPositions))
	for i, p := range req.AckPositions {
		positions[i] = copyPosition(p)
	}
	return cpluginv2.SourceRunRequest{AckPositions: positions}, nil
}

// normalizeBatch normalises every record of a batch (see normalizeRecord)
// into a new slice, or fails naming the first record that cannot cross, in
// the words of a standalone connector's Send.
func normalizeBatch(in []cpluginv1.Record) ([]cpluginv1.Record, error) {
	out := make([]cpluginv1.Record, len(in))
	for i, rec := range in {
		var err error
		if out[i], err = normalizeRecord(rec); err != nil {
			if len(in) == 1 {
				return nil, err
			}
			return nil, fmt.Errorf("record %d of %d in the batch: %w", i+1, len(in), err)
		}
	}
	return out, nil
}

// destinationV2 is a built-in v2 destination: its calls other than Open
// and Run are those of the cpluginv1 wrapper (destination) around the same
// connector, as they are the same calls with the same types.
type destinationV2 struct {
	*destination
	impl cpluginv2.DestinationPlugin
}

func (d *destinationV2) Open(ctx context.Context, req cpluginv2.DestinationOpenRequest) (cpluginv2.DestinationOpenResponse, error) {
	return d.Start(ctx, req)
}

// Run runs the connector's Run with a stream that copies and normalises
// what crosses it, as destination.Run does.
func (d *destinationV2) Run(ctx context.Context, stream cpluginv2.DestinationRunStream) error {
	return runStream(d.withSchemas(ctx), "Destination.Run", func(connectorCtx context.Context, fail func(error)) error {
		return d.impl.Run(connectorCtx, &destinationStreamV2{ctx: connectorCtx, host: stream, fail: fail})
	})
}

// destinationStreamV2 is the connector's end of a built-in v2 destination
// Run stream.
type destinationStreamV2 struct {
	ctx  context.Context // the connector's context for Run
	host cpluginv2.DestinationRunStream
	fail func(error)
}

func (s *destinationStreamV2) Send(resp cpluginv2.DestinationRunResponse) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	acks := make([]cpluginv2.DestinationAck, len(resp.Acks))
	for i, ack := range resp.Acks {
		acks[i] = cpluginv2.DestinationAck{AckPosition: copyPosition(ack.AckPosition), Error: utf8check.Text(ack.Error)}
	}
	return streamError(s.ctx, "send ack", s.host.Send(cpluginv2.DestinationRunResponse{Acks: acks}))
}

// Recv normalises the records of a batch as encoding it for gRPC would. A
// batch the host sent with a record that cannot cross ends the Run call
// with the error, as destinationStream.Recv does for one record: the
// standalone host's side fails to encode the batch, so the connector never
// receives it.
func (s *destinationStreamV2) Recv() (cpluginv2.DestinationRunRequest, error) {
	if err := s.ctx.Err(); err != nil {
		return cpluginv2.DestinationRunRequest{}, err
	}
	req, err := s.host.Recv()
	if err != nil {
		return cpluginv2.DestinationRunRequest{}, streamError(s.ctx, "receive record", err)
	}
	records, err := normalizeBatch(req.Records)
	if err != nil {
		s.fail(fmt.Errorf("send record: %w", err)) // the client's words for it
		return cpluginv2.DestinationRunRequest{}, context.Canceled
	}
	return cpluginv2.DestinationRunRequest{Records: records}, nil
}
