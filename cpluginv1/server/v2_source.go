package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// sourceServerV2 serves a cpluginv1.SourcePlugin as protocol v2's
// connector.v2.SourcePlugin: Open calls Start, and the Run stream carries
// batches (see sourceRunStreamV2). Errors, panics and lifecycle events are
// handled as by sourceServer, protocol v1's.
type sourceServerV2 struct {
	connectorv2.UnimplementedSourcePluginServer
	impl  cpluginv1.SourcePlugin
	guard panicGuard
}

func (s *sourceServerV2) Configure(ctx context.Context, in *connectorv2.Source_Configure_Request) (*connectorv2.Source_Configure_Response, error) {
	return unary(ctx, s.guard, "Source.Configure", in, fromproto.SourceConfigureRequestV2, s.impl.Configure, toproto.SourceConfigureResponseV2)
}

func (s *sourceServerV2) Open(ctx context.Context, in *connectorv2.Source_Open_Request) (*connectorv2.Source_Open_Response, error) {
	return unary(ctx, s.guard, "Source.Open", in, fromproto.SourceOpenRequestV2, s.impl.Start, toproto.SourceOpenResponseV2)
}

func (s *sourceServerV2) Run(stream connectorv2.SourcePlugin_RunServer) error {
	ctx, acks := newSourceRunGuard(stream.Context())
	return run(s.guard, "Source.Run", func() error {
		return acks.result(s.impl.Run(ctx, &sourceRunStreamV2{grpc: stream, acks: acks}))
	})
}

func (s *sourceServerV2) Stop(ctx context.Context, in *connectorv2.Source_Stop_Request) (*connectorv2.Source_Stop_Response, error) {
	return unary(ctx, s.guard, "Source.Stop", in, fromproto.SourceStopRequestV2, s.impl.Stop, toproto.SourceStopResponseV2)
}

func (s *sourceServerV2) Teardown(ctx context.Context, in *connectorv2.Source_Teardown_Request) (*connectorv2.Source_Teardown_Response, error) {
	return unary(ctx, s.guard, "Source.Teardown", in, fromproto.SourceTeardownRequestV2, s.impl.Teardown, toproto.SourceTeardownResponseV2)
}

func (s *sourceServerV2) LifecycleOnCreated(ctx context.Context, in *connectorv2.Source_Lifecycle_OnCreated_Request) (*connectorv2.Source_Lifecycle_OnCreated_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnCreated", in, fromproto.SourceLifecycleOnCreatedRequestV2, s.impl.LifecycleOnCreated, toproto.SourceLifecycleOnCreatedResponseV2)
}

func (s *sourceServerV2) LifecycleOnUpdated(ctx context.Context, in *connectorv2.Source_Lifecycle_OnUpdated_Request) (*connectorv2.Source_Lifecycle_OnUpdated_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnUpdated", in, fromproto.SourceLifecycleOnUpdatedRequestV2, s.impl.LifecycleOnUpdated, toproto.SourceLifecycleOnUpdatedResponseV2)
}

func (s *sourceServerV2) LifecycleOnDeleted(ctx context.Context, in *connectorv2.Source_Lifecycle_OnDeleted_Request) (*connectorv2.Source_Lifecycle_OnDeleted_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnDeleted", in, fromproto.SourceLifecycleOnDeletedRequestV2, s.impl.LifecycleOnDeleted, toproto.SourceLifecycleOnDeletedResponseV2)
}

// emptyAckV2 completes the refusal of an empty ack position on a v2 stream,
// where the position is an element of the list ack_positions.
const emptyAckV2 = "the position is empty; an ack names the record it acknowledges by the record's position"

// sourceRunStreamV2 is the connector's end of a protocol v2 source Run
// stream. The host's Run requests carry batches of acks: Recv hands them to
// the connector one by one, each checked by the guard on its own (a
// refusal names the element and the request), and reads the next request
// once the batch is used up; a request without acks is skipped.
//
// Send sends every record in a Run response of its own, at once: a batch of
// one. Coalescing records the connector sends while the previous message is
// being written would take a goroutine or a timer to bound how long a
// record may wait, on the hot path; gRPC already gathers the queued
// messages of a stream into as few writes as it can.
//
// Recv and Send may run at the same time (gRPC allows one of each); each
// keeps to its own fields.
type sourceRunStreamV2 struct {
	grpc connectorv2.SourcePlugin_RunServer
	acks *sourceRunGuard // holds the host to the rules for acks (guard.go)

	// Recv's: what the codec (package wire) decodes each request into, the
	// acks of the last request not handed out yet, the number of that
	// request, and the index of pending[0] in its list.
	batch    wire.AckPositionBatch
	pending  [][]byte
	requests int
	index    int

	// Send's: the record, which the codec encodes as a v2 message of one
	// record (byte for byte v1's Source.Run.Response).
	sending toproto.RecordMessage
}

func (s *sourceRunStreamV2) Send(rec cpluginv1.SourceRunResponse) error {
	if err := s.sending.Set(rec.Record); err != nil {
		return err // not sent: the connector can fix or skip the record
	}
	if err := s.acks.sending(rec.Record.Position); err != nil {
		return err
	}
	return streamError(s.grpc.Context(), "send record", s.grpc.SendMsg(&s.sending))
}

func (s *sourceRunStreamV2) Recv() (cpluginv1.SourceRunRequest, error) {
	for len(s.pending) == 0 {
		if err := s.grpc.RecvMsg(&s.batch); err != nil {
			return cpluginv1.SourceRunRequest{}, streamError(s.grpc.Context(), "receive ack", err)
		}
		s.requests++
		s.pending, s.index = s.batch.Positions, 0
	}
	position, el := s.pending[0], element{list: "ack_positions", index: s.index, request: s.requests}
	s.pending[0] = nil
	s.pending = s.pending[1:]
	s.index++
	if err := s.acks.ackElement(position, el, emptyAckV2); err != nil {
		return cpluginv1.SourceRunRequest{}, err
	}
	return cpluginv1.SourceRunRequest{AckPosition: position}, nil
}
