package client

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/utf8check"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
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
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceConfigureResponse{}, err
	}
	return call(ctx, req, toproto.SourceConfigureRequest, c.grpc.Configure, fromproto.SourceConfigureResponse, c.opts)
}

func (c *sourceClient) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return call(ctx, req, toproto.SourceStartRequest, c.grpc.Start, fromproto.SourceStartResponse, c.opts)
}

func (c *sourceClient) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return call(ctx, req, toproto.SourceStopRequest, c.grpc.Stop, fromproto.SourceStopResponse, c.opts)
}

func (c *sourceClient) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return call(ctx, req, toproto.SourceTeardownRequest, c.grpc.Teardown, fromproto.SourceTeardownResponse, c.opts)
}

func (c *sourceClient) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceLifecycleOnCreatedResponse{}, err
	}
	return call(ctx, req, toproto.SourceLifecycleOnCreatedRequest, c.grpc.LifecycleOnCreated, fromproto.SourceLifecycleOnCreatedResponse, c.opts)
}

func (c *sourceClient) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	if err := utf8check.Config("config_before", req.ConfigBefore); err != nil {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
	}
	if err := utf8check.Config("config_after", req.ConfigAfter); err != nil {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
	}
	return call(ctx, req, toproto.SourceLifecycleOnUpdatedRequest, c.grpc.LifecycleOnUpdated, fromproto.SourceLifecycleOnUpdatedResponse, c.opts)
}

func (c *sourceClient) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	if err := utf8check.Config("config", req.Config); err != nil {
		return cpluginv1.SourceLifecycleOnDeletedResponse{}, err
	}
	return call(ctx, req, toproto.SourceLifecycleOnDeletedRequest, c.grpc.LifecycleOnDeleted, fromproto.SourceLifecycleOnDeletedResponse, c.opts)
}

// Run opens the connector's Run stream and pumps it: records from the
// connector go to stream.Send, acks from stream.Recv go to the connector,
// and stream.Recv's io.EOF closes the host's side of the gRPC stream. Run
// returns nil when the connector ends the stream normally, and the
// connector's (or the transport's) error otherwise.
//
// Run returns as soon as the gRPC stream ends. The goroutine pumping acks
// may then still wait in stream.Recv; it returns at the host's next ack,
// CloseSend or cancellation of ctx, which hosts do when a Run ends.
func (c *sourceClient) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return runPumped(ctx,
		func(ctx context.Context) (connectorv1.SourcePlugin_RunClient, error) {
			return c.grpc.Run(ctx, c.runOpts...)
		},
		func(p *pump, grpcStream connectorv1.SourcePlugin_RunClient) { p.sourceAcks(stream, grpcStream) },
		stream.Send,
	)
}

// sourceAcks sends the host's acks to the connector until the host closes
// its side or the stream fails.
func (p *pump) sourceAcks(stream cpluginv1.SourceRunStream, grpcStream connectorv1.SourcePlugin_RunClient) {
	// What the codec (package wire) encodes each ack from: one per stream,
	// as gRPC encodes a message before SendMsg returns.
	sending := new(cpluginv1.SourceRunRequest)
	for {
		ack, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			_ = grpcStream.CloseSend() // never fails on a client stream
			return
		}
		if err != nil {
			p.fail(err)
			return
		}
		*sending = ack
		if !p.send("send ack", func() error { return grpcStream.SendMsg(sending) }) {
			return
		}
	}
}
