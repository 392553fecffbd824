package client

import (
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
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationConfigureResponse{}, err
	}
	return call(ctx, req, toproto.DestinationConfigureRequest, c.grpc.Configure, fromproto.DestinationConfigureResponse, c.opts)
}

func (c *destinationClient) Start(ctx context.Context, req cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return call(ctx, req, toproto.DestinationStartRequest, c.grpc.Start, fromproto.DestinationStartResponse, c.opts)
}

func (c *destinationClient) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return call(ctx, req, toproto.DestinationStopRequest, c.grpc.Stop, fromproto.DestinationStopResponse, c.opts)
}

func (c *destinationClient) Teardown(ctx context.Context, req cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return call(ctx, req, toproto.DestinationTeardownRequest, c.grpc.Teardown, fromproto.DestinationTeardownResponse, c.opts)
}

func (c *destinationClient) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationLifecycleOnCreatedResponse{}, err
	}
	return call(ctx, req, toproto.DestinationLifecycleOnCreatedRequest, c.grpc.LifecycleOnCreated, fromproto.DestinationLifecycleOnCreatedResponse, c.opts)
}

func (c *destinationClient) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	if err := utf8check.Config("config_before", req.ConfigBefore); err != nil {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
	}
	if err := utf8check.Config("config_after", req.ConfigAfter); err != nil {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
	}
	return call(ctx, req, toproto.DestinationLifecycleOnUpdatedRequest, c.grpc.LifecycleOnUpdated, fromproto.DestinationLifecycleOnUpdatedResponse, c.opts)
}

func (c *destinationClient) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.DestinationLifecycleOnDeletedResponse{}, err
	}
	return call(ctx, req, toproto.DestinationLifecycleOnDeletedRequest, c.grpc.LifecycleOnDeleted, fromproto.DestinationLifecycleOnDeletedResponse, c.opts)
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
