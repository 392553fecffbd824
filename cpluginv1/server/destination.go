package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// destinationServer serves a cpluginv1.DestinationPlugin as connector.v1.DestinationPlugin.
type destinationServer struct {
	connectorv1.UnimplementedDestinationPluginServer
	impl  cpluginv1.DestinationPlugin
	guard panicGuard
}

func (s *destinationServer) Configure(ctx context.Context, in *connectorv1.Destination_Configure_Request) (*connectorv1.Destination_Configure_Response, error) {
	return unary(ctx, s.guard, "Destination.Configure", in, fromproto.DestinationConfigureRequest, s.impl.Configure, toproto.DestinationConfigureResponse)
}

func (s *destinationServer) Start(ctx context.Context, in *connectorv1.Destination_Start_Request) (*connectorv1.Destination_Start_Response, error) {
	return unary(ctx, s.guard, "Destination.Start", in, fromproto.DestinationStartRequest, s.impl.Start, toproto.DestinationStartResponse)
}

func (s *destinationServer) Run(stream connectorv1.DestinationPlugin_RunServer) error {
	ctx, records := newDestinationRunGuard(stream.Context())
	return run(s.guard, "Destination.Run", func() error {
		runStream := destinationRunStream{grpc: stream, records: records, received: new(cpluginv1.DestinationRunRequest), sending: new(cpluginv1.DestinationRunResponse)}
		return records.result(s.impl.Run(ctx, runStream))
	})
}

func (s *destinationServer) Stop(ctx context.Context, in *connectorv1.Destination_Stop_Request) (*connectorv1.Destination_Stop_Response, error) {
	return unary(ctx, s.guard, "Destination.Stop", in, fromproto.DestinationStopRequest, s.impl.Stop, toproto.DestinationStopResponse)
}

func (s *destinationServer) Teardown(ctx context.Context, in *connectorv1.Destination_Teardown_Request) (*connectorv1.Destination_Teardown_Response, error) {
	return unary(ctx, s.guard, "Destination.Teardown", in, fromproto.DestinationTeardownRequest, s.impl.Teardown, toproto.DestinationTeardownResponse)
}

func (s *destinationServer) LifecycleOnCreated(ctx context.Context, in *connectorv1.Destination_Lifecycle_OnCreated_Request) (*connectorv1.Destination_Lifecycle_OnCreated_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnCreated", in, fromproto.DestinationLifecycleOnCreatedRequest, s.impl.LifecycleOnCreated, toproto.DestinationLifecycleOnCreatedResponse)
}

func (s *destinationServer) LifecycleOnUpdated(ctx context.Context, in *connectorv1.Destination_Lifecycle_OnUpdated_Request) (*connectorv1.Destination_Lifecycle_OnUpdated_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnUpdated", in, fromproto.DestinationLifecycleOnUpdatedRequest, s.impl.LifecycleOnUpdated, toproto.DestinationLifecycleOnUpdatedResponse)
}

func (s *destinationServer) LifecycleOnDeleted(ctx context.Context, in *connectorv1.Destination_Lifecycle_OnDeleted_Request) (*connectorv1.Destination_Lifecycle_OnDeleted_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnDeleted", in, fromproto.DestinationLifecycleOnDeletedRequest, s.impl.LifecycleOnDeleted, toproto.DestinationLifecycleOnDeletedResponse)
}

// destinationRunStream is the connector's end of a destination Run stream
// over gRPC.
type destinationRunStream struct {
	grpc    connectorv1.DestinationPlugin_RunServer
	records *destinationRunGuard // holds the host to the rules for records (guard.go)
	// received is what the codec (package wire, which every server made
	// here uses) decodes each record into, straight from the wire; one per
	// stream, so receiving allocates only what the record keeps.
	received *cpluginv1.DestinationRunRequest
	// sending is what the codec encodes each ack from: one per stream, as
	// gRPC encodes a message before SendMsg returns.
	sending *cpluginv1.DestinationRunResponse
}

func (s destinationRunStream) Send(ack cpluginv1.DestinationRunResponse) error {
	*s.sending = ack
	return streamError(s.grpc.Context(), "send ack", s.grpc.SendMsg(s.sending))
}

func (s destinationRunStream) Recv() (cpluginv1.DestinationRunRequest, error) {
	if err := s.grpc.RecvMsg(s.received); err != nil {
		return cpluginv1.DestinationRunRequest{}, streamError(s.grpc.Context(), "receive record", err)
	}
	req := *s.received
	if err := s.records.record(req.Record); err != nil {
		return cpluginv1.DestinationRunRequest{}, err
	}
	return req, nil
}
