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

// sourceClientV2 is a cpluginv1.SourcePlugin served by a connector over
// gRPC in protocol v2: Start calls Open, and the Run stream carries batches
// (see sourceHostStreamV2). Its calls check and report errors as
// sourceClient, protocol v1's, does.
type sourceClientV2 struct {
	grpc connectorv2.SourcePluginClient
	opts []grpc.CallOption
}

var _ cpluginv2.SourcePlugin = (*sourceClientV2)(nil)

func newSourceClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *sourceClientV2 {
	return &sourceClientV2{grpc: connectorv2.NewSourcePluginClient(conn), opts: opts}
}

func (c *sourceClientV2) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceConfigureRequestV2, c.grpc.Configure, fromproto.SourceConfigureResponseV2, c.opts)
}

func (c *sourceClientV2) Open(ctx context.Context, req cpluginv2.SourceOpenRequest) (cpluginv2.SourceOpenResponse, error) {
	return call(ctx, req, nil, toproto.SourceOpenRequestV2, c.grpc.Open, fromproto.SourceOpenResponseV2, c.opts)
}

func (c *sourceClientV2) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return call(ctx, req, nil, toproto.SourceStopRequestV2, c.grpc.Stop, fromproto.SourceStopResponseV2, c.opts)
}

func (c *sourceClientV2) Teardown(ctx context.Context, req cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return call(ctx, req, nil, toproto.SourceTeardownRequestV2, c.grpc.Teardown, fromproto.SourceTeardownResponseV2, c.opts)
}

func (c *sourceClientV2) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceLifecycleOnCreatedRequestV2, c.grpc.LifecycleOnCreated, fromproto.SourceLifecycleOnCreatedResponseV2, c.opts)
}

func (c *sourceClientV2) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return call(ctx, req, cmp.Or(utf8check.Config("config_before", req.ConfigBefore), utf8check.Config("config_after", req.ConfigAfter)), toproto.SourceLifecycleOnUpdatedRequestV2, c.grpc.LifecycleOnUpdated, fromproto.SourceLifecycleOnUpdatedResponseV2, c.opts)
}

func (c *sourceClientV2) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return call(ctx, req, utf8check.Config("config", req.Config), toproto.SourceLifecycleOnDeletedRequestV2, c.grpc.LifecycleOnDeleted, fromproto.SourceLifecycleOnDeletedResponseV2, c.opts)
}

// OpenSourceRun opens the connector's Run stream for the host to read and
// write directly (see cpluginv1.RunSource, which calls it): the records of
// the connector's batches come one per Recv, and every ack goes out in a
// Run request of its own.
func (c *sourceClientV2) OpenSourceRun(ctx context.Context) (hostrun.SourceTransport[cpluginv1.Record], error) {
	ctx, cancel := context.WithCancel(ctx)
	grpcStream, err := c.grpc.Run(ctx, runCallOptions(c.opts)...)
	if err != nil {
		cancel()
		return nil, grpcerrors.FromStatus(err)
	}
	return &sourceHostStreamV2{hostStream: hostStream{grpc: grpcStream, cancel: cancel, sourceRun: true}}, nil
}

// Run serves the connector's Run stream to a stream of the caller's, as
// sourceClient.Run does, a batch at a time.
func (c *sourceClientV2) Run(ctx context.Context, stream cpluginv2.SourceRunStream) error {
	return pumpRun(ctx, c.OpenSourceRun,
		func() ([][]byte, error) {
			req, err := stream.Recv()
			return req.AckPositions, err
		},
		func(records []cpluginv1.Record) error {
			return stream.Send(cpluginv2.SourceRunResponse{Records: records})
		})
}
