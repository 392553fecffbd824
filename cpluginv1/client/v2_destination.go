package client

import (
	"cmp"
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// destinationClientV2 is a cpluginv1.DestinationPlugin served by a
// connector over gRPC in protocol v2: Start calls Open, and the Run stream
// carries batches (see destinationHostStreamV2). Its calls check and report
// errors as destinationClient, protocol v1's, does.
type destinationClientV2 struct {
	grpc connectorv2.DestinationPluginClient
	opts []grpc.CallOption
}

var _ cpluginv2.DestinationPlugin = (*destinationClientV2)(nil)

func newDestinationClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *destinationClientV2 {
	return &destinationClientV2{grpc: connectorv2.NewDestinationPluginClient(conn), opts: opts}
}

func (c *destinationClientV2) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationConfigureRequestV2, c.grpc.Configure, fromproto.DestinationConfigureResponseV2, c.opts)
}

func (c *destinationClientV2) Open(ctx context.Context, req cpluginv2.DestinationOpenRequest) (cpluginv2.DestinationOpenResponse, error) {
	return call(ctx, req, nil, toproto.DestinationOpenRequestV2, c.grpc.Open, fromproto.DestinationOpenResponseV2, c.opts)
}

func (c *destinationClientV2) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return call(ctx, req, nil, toproto.DestinationStopRequestV2, c.grpc.Stop, fromproto.DestinationStopResponseV2, c.opts)
}

func (c *destinationClientV2) Teardown(ctx context.Context, req cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return call(ctx, req, nil, toproto.DestinationTeardownRequestV2, c.grpc.Teardown, fromproto.DestinationTeardownResponseV2, c.opts)
}

func (c *destinationClientV2) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationLifecycleOnCreatedRequestV2, c.grpc.LifecycleOnCreated, fromproto.DestinationLifecycleOnCreatedResponseV2, c.opts)
}

func (c *destinationClientV2) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	return call(ctx, req, cmp.Or(utf8check.Config("config_before", req.ConfigBefore), utf8check.Config("config_after", req.ConfigAfter)), toproto.DestinationLifecycleOnUpdatedRequestV2, c.grpc.LifecycleOnUpdated, fromproto.DestinationLifecycleOnUpdatedResponseV2, c.opts)
}

func (c *destinationClientV2) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationLifecycleOnDeletedRequestV2, c.grpc.LifecycleOnDeleted, fromproto.DestinationLifecycleOnDeletedResponseV2, c.opts)
}

// OpenDestinationRun opens the connector's Run stream for the host to read
// and write directly (see cpluginv1.RunDestination, which calls it): every
// record goes out in a Run request of its own, and the acks of the
// connector's batches come one per Recv.
func (c *destinationClientV2) OpenDestinationRun(ctx context.Context) (hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse], error) {
	ctx, cancel := context.WithCancel(ctx)
	grpcStream, err := c.grpc.Run(ctx, runCallOptions(c.opts)...)
	if err != nil {
		cancel()
		return nil, grpcerrors.FromStatus(err)
	}
	return &destinationHostStreamV2{hostStream: hostStream{grpc: grpcStream, cancel: cancel}}, nil
}

// Run serves the connector's Run stream to a stream of the caller's, as
// destinationClient.Run does, a batch at a time.
func (c *destinationClientV2) Run(ctx context.Context, stream cpluginv2.DestinationRunStream) error {
	return pumpRun(ctx, c.OpenDestinationRun,
		func() ([]cpluginv1.Record, error) {
			req, err := stream.Recv()
			return req.Records, err
		},
		func(acks []cpluginv1.DestinationRunResponse) error {
			return stream.Send(cpluginv2.DestinationRunResponse{Acks: acks})
		})
}
