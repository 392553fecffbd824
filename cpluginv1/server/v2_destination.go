package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// destinationServerV2 serves a cpluginv1.DestinationPlugin as protocol
// v2's connector.v2.DestinationPlugin: Open calls Start, and the Run
// stream carries batches (see destinationRunStreamV2). Errors, panics and
// lifecycle events are handled as by destinationServer, protocol v1's.
type destinationServerV2 struct {
	connectorv2.UnimplementedDestinationPluginServer
	impl  cpluginv1.DestinationPlugin
	guard panicGuard
}

func (s *destinationServerV2) Configure(ctx context.Context, in *connectorv2.Destination_Configure_Request) (*connectorv2.Destination_Configure_Response, error) {
	return unary(ctx, s.guard, "Destination.Configure", in, fromproto.DestinationConfigureRequestV2, s.impl.Configure, toproto.DestinationConfigureResponseV2)
}

func (s *destinationServerV2) Open(ctx context.Context, in *connectorv2.Destination_Open_Request) (*connectorv2.Destination_Open_Response, error) {
	return unary(ctx, s.guard, "Destination.Open", in, fromproto.DestinationOpenRequestV2, s.impl.Start, toproto.DestinationOpenResponseV2)
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
// destination Run stream. The host's Run requests carry batches of records:
// Recv hands them to the connector one by one, each checked by the guard on
// its own (a refusal names the element and the request), and reads the next
// request once the batch is used up; a request without records is skipped.
//
// Send sends every ack in a Run response of its own, at once (see
// sourceRunStreamV2 for why nothing is coalesced).
//
// Recv and Send may run at the same time (gRPC allows one of each); each
// keeps to its own fields.
type destinationRunStreamV2 struct {
	grpc    connectorv2.DestinationPlugin_RunServer
	records *destinationRunGuard // holds the host to the rules for records (guard.go)

	// Recv's: what the codec (package wire) decodes each request into,
	// straight into the Go types, the records of the last request not
	// handed out yet, the number of that request, and the index of
	// pending[0] in its list.
	batch    wire.RecordBatch
	pending  []cpluginv1.Record
	requests int
	index    int

	// Send's: the ack, which the codec encodes as a v2 message of one ack.
	sending wire.AckV2
}

func (s *destinationRunStreamV2) Send(ack cpluginv1.DestinationRunResponse) error {
	s.sending.Ack = ack
	err := s.grpc.SendMsg(&s.sending)
	s.sending.Ack = cpluginv1.DestinationRunResponse{} // keep no reference to the connector's ack
	return streamError(s.grpc.Context(), "send ack", err)
}

func (s *destinationRunStreamV2) Recv() (cpluginv1.DestinationRunRequest, error) {
	for len(s.pending) == 0 {
		if err := s.grpc.RecvMsg(&s.batch); err != nil {
			return cpluginv1.DestinationRunRequest{}, streamError(s.grpc.Context(), "receive record", err)
		}
		s.requests++
		s.pending, s.index = s.batch.Records, 0
	}
	rec, el := s.pending[0], element{list: "records", index: s.index, request: s.requests}
	s.pending[0] = cpluginv1.Record{} // the connector's record holds what it needs of the message
	s.pending = s.pending[1:]
	s.index++
	if err := s.records.recordElement(rec, el); err != nil {
		return cpluginv1.DestinationRunRequest{}, err
	}
	return cpluginv1.DestinationRunRequest{Record: rec}, nil
}
