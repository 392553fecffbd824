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

// sourceClient is a cpluginv1.SourcePlugin served by a connector over gRPC.
type sourceClient struct {
	grpc sourceGRPC
	opts []grpc.CallOption
	// runOpts are opts plus the codec of the Run stream (package wire).
	runOpts []grpc.CallOption
}

var _ cpluginv1.SourcePlugin = (*sourceClient)(nil)

func newSourceClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *sourceClient {
	return &sourceClient{grpc: connectorv1.NewSourcePluginClient(conn), opts: opts, runOpts: runCallOptions(opts)}
}

func (c *sourceClient) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceConfigureRequest, c.grpc.Configure, fromproto.SourceConfigureResponse, c.opts)
}

func (c *sourceClient) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return call(ctx, req, nil, toproto.SourceStartRequest, c.grpc.Start, fromproto.SourceStartResponse, c.opts)
}

func (c *sourceClient) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return call(ctx, req, nil, toproto.SourceStopRequest, c.grpc.Stop, fromproto.SourceStopResponse, c.opts)
}

func (c *sourceClient) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return call(ctx, req, nil, toproto.SourceTeardownRequest, c.grpc.Teardown, fromproto.SourceTeardownResponse, c.opts)
}

func (c *sourceClient) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceLifecycleOnCreatedRequest, c.grpc.LifecycleOnCreated, fromproto.SourceLifecycleOnCreatedResponse, c.opts)
}

func (c *sourceClient) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return call(ctx, req, cmp.Or(utf8check.Config("config_before", req.ConfigBefore), utf8check.Config("config_after", req.ConfigAfter)), toproto.SourceLifecycleOnUpdatedRequest, c.grpc.LifecycleOnUpdated, fromproto.SourceLifecycleOnUpdatedResponse, c.opts)
}

func (c *sourceClient) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceLifecycleOnDeletedRequest, c.grpc.LifecycleOnDeleted, fromproto.SourceLifecycleOnDeletedResponse, c.opts)
}

// OpenSourceRun opens the connector's Run stream for the host to read and
// write directly (see cpluginv1.RunSource, which calls it).
func (c *sourceClient) OpenSourceRun(ctx context.Context) (hostrun.SourceTransport[cpluginv1.Record], error) {
	ctx, cancel := context.WithCancel(ctx)
	grpcStream, err := c.grpc.Run(ctx, c.runOpts...)
	if err != nil {
		cancel()
		return nil, grpcerrors.FromStatus(err)
	}
	return &sourceHostStream{hostStream: hostStream{grpc: grpcStream, cancel: cancel, sourceRun: true}}, nil
}

// Run serves the connector's Run stream to a stream of the caller's:
// records from the connector go to stream.Send, acks from stream.Recv go to
// the connector, and stream.Recv's io.EOF closes the host's side. It
// returns nil when the connector ends the stream normally, and the
// connector's (or the transport's) error otherwise. Hosts use
// cpluginv1.RunSource instead, which reads the gRPC stream directly.
func (c *sourceClient) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return pumpRun(ctx, c.OpenSourceRun,
		func() ([][]byte, error) {
			ack, err := stream.Recv()
			return [][]byte{ack.AckPosition}, err
		},
		func(records []cpluginv1.Record) error {
			for _, rec := range records {
				if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
					return err
				}
			}
			return nil
		})
}
