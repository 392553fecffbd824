package client

import (
	"cmp"
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// destinationClient is a cpluginv1.DestinationPlugin served by a connector
// over gRPC.
type destinationClient struct {
	grpc destinationGRPC
	opts []grpc.CallOption
	// runOpts are opts plus the codec of the Run stream (package wire).
	runOpts []grpc.CallOption
}

var _ cpluginv1.DestinationPlugin = (*destinationClient)(nil)

func newDestinationClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *destinationClient {
	return &destinationClient{grpc: connectorv1.NewDestinationPluginClient(conn), opts: opts, runOpts: runCallOptions(opts)}
}

func (c *destinationClient) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationConfigureRequest, c.grpc.Configure, fromproto.DestinationConfigureResponse, c.opts)
}

func (c *destinationClient) Start(ctx context.Context, req cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return call(ctx, req, nil, toproto.DestinationStartRequest, c.grpc.Start, fromproto.DestinationStartResponse, c.opts)
}

func (c *destinationClient) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return call(ctx, req, nil, toproto.DestinationStopRequest, c.grpc.Stop, fromproto.DestinationStopResponse, c.opts)
}

func (c *destinationClient) Teardown(ctx context.Context, req cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return call(ctx, req, nil, toproto.DestinationTeardownRequest, c.grpc.Teardown, fromproto.DestinationTeardownResponse, c.opts)
}

func (c *destinationClient) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationLifecycleOnCreatedRequest, c.grpc.LifecycleOnCreated, fromproto.DestinationLifecycleOnCreatedResponse, c.opts)
}

func (c *destinationClient) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	return call(ctx, req, cmp.Or(utf8check.Config("config_before", req.ConfigBefore), utf8check.Config("config_after", req.ConfigAfter)), toproto.DestinationLifecycleOnUpdatedRequest, c.grpc.LifecycleOnUpdated, fromproto.DestinationLifecycleOnUpdatedResponse, c.opts)
}

func (c *destinationClient) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.DestinationLifecycleOnDeletedRequest, c.grpc.LifecycleOnDeleted, fromproto.DestinationLifecycleOnDeletedResponse, c.opts)
}

// OpenDestinationRun opens the connector's Run stream for the host to read
// and write directly (see cpluginv1.RunDestination, which calls it).
func (c *destinationClient) OpenDestinationRun(ctx context.Context) (hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse], error) {
	ctx, cancel := context.WithCancel(ctx)
	grpcStream, err := c.grpc.Run(ctx, c.runOpts...)
	if err != nil {
		cancel()
		return nil, grpcerrors.FromStatus(err)
	}
	return &destinationHostStream{hostStream: hostStream{grpc: grpcStream, cancel: cancel}}, nil
}

// Run serves the connector's Run stream to a stream of the caller's:
// records from stream.Recv go to the connector, acks from the connector go
// to stream.Send, and stream.Recv's io.EOF closes the host's side. It
// returns nil when the connector ends the stream normally, and the
// connector's (or the transport's) error otherwise; a record that cannot be
// sent (too large, or holding an unsupported structured value) ends it with
// an error saying so. Hosts use cpluginv1.RunDestination instead, which
// reads the gRPC stream directly.
func (c *destinationClient) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return pumpRun(ctx, c.OpenDestinationRun,
		func() ([]cpluginv1.Record, error) {
			req, err := stream.Recv()
			return []cpluginv1.Record{req.Record}, err
		},
		func(acks []cpluginv1.DestinationRunResponse) error {
			for _, ack := range acks {
				if err := stream.Send(ack); err != nil {
					return err
				}
			}
			return nil
		})
}
