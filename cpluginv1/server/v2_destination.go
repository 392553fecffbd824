package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// destinationServerV2 serves a cpluginv2.DestinationPlugin as protocol
// v2's connector.v2.DestinationPlugin: the Run stream carries batches both
// ways (see destinationRunStreamV2). Errors, panics and
// lifecycle events are handled as by destinationServer, protocol v1's.
type destinationServerV2 struct {
	connectorv2.UnimplementedDestinationPluginServer
	impl  cpluginv2.DestinationPlugin
	guard panicGuard
}

func (s *destinationServerV2) Configure(ctx context.Context, in *connectorv2.Destination_Configure_Request) (*connectorv2.Destination_Configure_Response, error) {
	return unary(ctx, s.guard, "Destination.Configure", in, fromproto.DestinationConfigureRequestV2, s.impl.Configure, toproto.DestinationConfigureResponseV2)
}

func (s *destinationServerV2) Open(ctx context.Context, in *connectorv2.Destination_Open_Request) (*connectorv2.Destination_Open_Response, error) {
	return unary(ctx, s.guard, "Destination.Open", in, fromproto.DestinationOpenRequestV2, s.impl.Open, toproto.DestinationOpenResponseV2)
}

func (s *destinationServerV2) Run(stream connectorv2.DestinationPlugin_RunServer) error {
	ctx, records := newDestinationRunGuard(stream.Context())
	return run(s.guard, "Destination.Run", func() error {
		return records.result(s.impl.Run(ctx, &destinationRunStreamV2{grpc: stream, records: records}))
	})
}

func (s *destinationServerV2) Stop(ctx context.Context, in *connectorv2.Destination_Stop_Request) (*connectorv2.Destination_Stop_Response, error) {
	return unary(ctx, s.guard, "Destination.Stop", in, fromproto.DestinationStopRequestV2, s.impl.Stop, toproto.DestinationStopResponseV2)
}

func (s *destinationServerV2) Teardown(ctx context.Context, in *connectorv2.Destination_Teardown_Request) (*connectorv2.Destination_Teardown_Response, error) {
	return unary(ctx, s.guard, "Destination.Teardown", in, fromproto.DestinationTeardownRequestV2, s.impl.Teardown, toproto.DestinationTeardownResponseV2)
}

func (s *destinationServerV2) LifecycleOnCreated(ctx context.Context, in *connectorv2.Destination_Lifecycle_OnCreated_Request) (*connectorv2.Destination_Lifecycle_OnCreated_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnCreated", in, fromproto.DestinationLifecycleOnCreatedRequestV2, s.impl.LifecycleOnCreated, toproto.DestinationLifecycleOnCreatedResponseV2)
}

func (s *destinationServerV2) LifecycleOnUpdated(ctx context.Context, in *connectorv2.Destination_Lifecycle_OnUpdated_Request) (*connectorv2.Destination_Lifecycle_OnUpdated_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnUpdated", in, fromproto.DestinationLifecycleOnUpdatedRequestV2, s.impl.LifecycleOnUpdated, toproto.DestinationLifecycleOnUpdatedResponseV2)
}

func (s *destinationServerV2) LifecycleOnDeleted(ctx context.Context, in *connectorv2.Destination_Lifecycle_OnDeleted_Request) (*connectorv2.Destination_Lifecycle_OnDeleted_Response, error) {
	return unary(ctx, s.guard, "Destination.LifecycleOnDeleted", in, fromproto.DestinationLifecycleOnDeletedRequestV2, s.impl.LifecycleOnDeleted, toproto.DestinationLifecycleOnDeletedResponseV2)
}

// destinationRunStreamV2 is the connector's end of a protocol v2
// destination Run stream: a Run request of the host's is one batch of
// records (a request without records is skipped), a batch of acks the
// connector sends is one Run response. Every record is checked by the
// guard on its own, in order; a refusal names the element and the request.
// The connector gets the records of a batch before the first refused one,
// and the refusal from the next Recv.
//
// Recv and Send may run at the same time (gRPC allows one of each); each
// keeps to its own fields.
type destinationRunStreamV2 struct {
	grpc    connectorv2.DestinationPlugin_RunServer
	records *destinationRunGuard // holds the host to the rules for records (guard.go)

	// Recv's: what the codec (package wire) decodes each request into,
	// straight into the Go types, the number of requests so far, and a
	// refusal to return from the next Recv.
	batch    wire.RecordBatch
	requests int
	refused  error

	// Send's: the acks, which the codec encodes as one v2 message.
	sending wire.AckBatch
}

func (s *destinationRunStreamV2) Send(resp cpluginv2.DestinationRunResponse) error {
	if len(resp.Acks) == 0 {
		return nil
	}
	s.sending.Acks = resp.Acks
	err := s.grpc.SendMsg(&s.sending)
	s.sending.Acks = nil // keep no reference to the connector's acks
	return streamError(s.grpc.Context(), "send ack", err)
}

func (s *destinationRunStreamV2) Recv() (cpluginv2.DestinationRunRequest, error) {
	if s.refused != nil {
		return cpluginv2.DestinationRunRequest{}, s.refused
	}
	for {
		if err := s.grpc.RecvMsg(&s.batch); err != nil {
			return cpluginv2.DestinationRunRequest{}, streamError(s.grpc.Context(), "receive record", err)
		}
		s.requests++
		if len(s.batch.Records) > 0 {
			break
		}
	}
	for i, rec := range s.batch.Records {
		if err := s.records.recordElement(rec, element{list: "records", index: i, request: s.requests}); err != nil {
			if i == 0 {
				return cpluginv2.DestinationRunRequest{}, err
			}
			s.refused = err
			return cpluginv2.DestinationRunRequest{Records: s.batch.Records[:i]}, nil
		}
	}
	return cpluginv2.DestinationRunRequest{Records: s.batch.Records}, nil
}
