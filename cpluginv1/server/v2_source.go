package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// sourceServerV2 serves a cpluginv2.SourcePlugin as protocol v2's
// connector.v2.SourcePlugin: the Run stream carries batches both ways (see
// sourceRunStreamV2). Errors, panics and lifecycle events are
// handled as by sourceServer, protocol v1's.
type sourceServerV2 struct {
	connectorv2.UnimplementedSourcePluginServer
	impl  cpluginv2.SourcePlugin
	guard panicGuard
}

func (s *sourceServerV2) Configure(ctx context.Context, in *connectorv2.Source_Configure_Request) (*connectorv2.Source_Configure_Response, error) {
	return unary(ctx, s.guard, "Source.Configure", in, fromproto.SourceConfigureRequestV2, s.impl.Configure, toproto.SourceConfigureResponseV2)
}

func (s *sourceServerV2) Open(ctx context.Context, in *connectorv2.Source_Open_Request) (*connectorv2.Source_Open_Response, error) {
	return unary(ctx, s.guard, "Source.Open", in, fromproto.SourceOpenRequestV2, s.impl.Open, toproto.SourceOpenResponseV2)
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
// stream: a batch the connector sends is one Run response, a Run request of
// the host's is one batch of acks (a request without acks is skipped).
// Every ack is checked by the guard on its own, in order; a refusal names
// the element and the request. The connector gets the acks of a batch
// before the first refused one, and the refusal from the next Recv.
//
// Recv and Send may run at the same time (gRPC allows one of each); each
// keeps to its own fields.
type sourceRunStreamV2 struct {
	grpc connectorv2.SourcePlugin_RunServer
	acks *sourceRunGuard // holds the host to the rules for acks (guard.go)

	// Recv's: what the codec (package wire) decodes each request into, the
	// number of requests so far, and a refusal to return from the next
	// Recv.
	batch    wire.AckPositionBatch
	requests int
	refused  error

	// Send's: the records, which the codec encodes as one v2 message.
	sending toproto.RecordBatchMessage
}

func (s *sourceRunStreamV2) Send(resp cpluginv2.SourceRunResponse) error {
	if len(resp.Records) == 0 {
		return nil
	}
	if err := s.sending.Set(resp.Records); err != nil {
		return err // not sent: the connector can fix or skip the record
	}
	defer s.sending.Reset()
	for _, rec := range resp.Records {
		if err := s.acks.sending(rec.Position); err != nil {
			return err
		}
	}
	return streamError(s.grpc.Context(), "send record", s.grpc.SendMsg(&s.sending))
}

func (s *sourceRunStreamV2) Recv() (cpluginv2.SourceRunRequest, error) {
	if s.refused != nil {
		return cpluginv2.SourceRunRequest{}, s.refused
	}
	for {
		if err := s.grpc.RecvMsg(&s.batch); err != nil {
			return cpluginv2.SourceRunRequest{}, streamError(s.grpc.Context(), "receive ack", err)
		}
		s.requests++
		if len(s.batch.Positions) > 0 {
			break
		}
	}
	for i, position := range s.batch.Positions {
		if err := s.acks.ackElement(position, element{list: "ack_positions", index: i, request: s.requests}, emptyAckV2); err != nil {
			if i == 0 {
				return cpluginv2.SourceRunRequest{}, err
			}
			s.refused = err
			return cpluginv2.SourceRunRequest{AckPositions: s.batch.Positions[:i]}, nil
		}
	}
	return cpluginv2.SourceRunRequest{AckPositions: s.batch.Positions}, nil
}
