package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// sourceServer serves a cpluginv1.SourcePlugin as connector.v1.SourcePlugin.
type sourceServer struct {
	connectorv1.UnimplementedSourcePluginServer
	impl  cpluginv1.SourcePlugin
	guard panicGuard
}

func (s *sourceServer) Configure(ctx context.Context, in *connectorv1.Source_Configure_Request) (*connectorv1.Source_Configure_Response, error) {
	return unary(ctx, s.guard, "Source.Configure", in, fromproto.SourceConfigureRequest, s.impl.Configure, toproto.SourceConfigureResponse)
}

func (s *sourceServer) Start(ctx context.Context, in *connectorv1.Source_Start_Request) (*connectorv1.Source_Start_Response, error) {
	return unary(ctx, s.guard, "Source.Start", in, fromproto.SourceStartRequest, s.impl.Start, toproto.SourceStartResponse)
}

func (s *sourceServer) Run(stream connectorv1.SourcePlugin_RunServer) error {
	ctx, acks := newSourceRunGuard(stream.Context())
	return run(s.guard, "Source.Run", func() error {
		runStream := sourceRunStream{grpc: stream, acks: acks, received: new(cpluginv1.SourceRunRequest), sending: new(toproto.RecordMessage)}
		return acks.result(s.impl.Run(ctx, runStream))
	})
}

func (s *sourceServer) Stop(ctx context.Context, in *connectorv1.Source_Stop_Request) (*connectorv1.Source_Stop_Response, error) {
	return unary(ctx, s.guard, "Source.Stop", in, fromproto.SourceStopRequest, s.impl.Stop, toproto.SourceStopResponse)
}

func (s *sourceServer) Teardown(ctx context.Context, in *connectorv1.Source_Teardown_Request) (*connectorv1.Source_Teardown_Response, error) {
	return unary(ctx, s.guard, "Source.Teardown", in, fromproto.SourceTeardownRequest, s.impl.Teardown, toproto.SourceTeardownResponse)
}

func (s *sourceServer) LifecycleOnCreated(ctx context.Context, in *connectorv1.Source_Lifecycle_OnCreated_Request) (*connectorv1.Source_Lifecycle_OnCreated_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnCreated", in, fromproto.SourceLifecycleOnCreatedRequest, s.impl.LifecycleOnCreated, toproto.SourceLifecycleOnCreatedResponse)
}

func (s *sourceServer) LifecycleOnUpdated(ctx context.Context, in *connectorv1.Source_Lifecycle_OnUpdated_Request) (*connectorv1.Source_Lifecycle_OnUpdated_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnUpdated", in, fromproto.SourceLifecycleOnUpdatedRequest, s.impl.LifecycleOnUpdated, toproto.SourceLifecycleOnUpdatedResponse)
}

func (s *sourceServer) LifecycleOnDeleted(ctx context.Context, in *connectorv1.Source_Lifecycle_OnDeleted_Request) (*connectorv1.Source_Lifecycle_OnDeleted_Response, error) {
	return unary(ctx, s.guard, "Source.LifecycleOnDeleted", in, fromproto.SourceLifecycleOnDeletedRequest, s.impl.LifecycleOnDeleted, toproto.SourceLifecycleOnDeletedResponse)
}

// sourceRunStream is the connector's end of a source Run stream over gRPC.
type sourceRunStream struct {
	grpc connectorv1.SourcePlugin_RunServer
	acks *sourceRunGuard // holds the host to the rules for acks (guard.go)
	// received is what the codec (package wire, which every server made
	// here uses) decodes each ack into, straight from the wire; one per
	// stream, so receiving allocates only what the ack keeps.
	received *cpluginv1.SourceRunRequest
	// sending is what the codec encodes each record from: one per stream,
	// as gRPC encodes a message before SendMsg returns.
	sending *toproto.RecordMessage
}

func (s sourceRunStream) Send(rec cpluginv1.SourceRunResponse) error {
	if err := s.sending.Set(rec.Record); err != nil {
		return err // not sent: the connector can fix or skip the record
	}
	if err := s.acks.sending(rec.Record.Position); err != nil {
		return err
	}
	return streamError(s.grpc.Context(), "send record", s.grpc.SendMsg(s.sending))
}

func (s sourceRunStream) Recv() (cpluginv1.SourceRunRequest, error) {
	if err := s.grpc.RecvMsg(s.received); err != nil {
		return cpluginv1.SourceRunRequest{}, streamError(s.grpc.Context(), "receive ack", err)
	}
	req := *s.received
	if err := s.acks.ack(req.AckPosition); err != nil {
		return cpluginv1.SourceRunRequest{}, err
	}
	return req, nil
}
