package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// specifierClient is a cpluginv1.SpecifierPlugin served by a connector over
// gRPC.
type specifierClient struct {
	grpc specifierGRPC
	opts []grpc.CallOption
}

var _ cpluginv1.SpecifierPlugin = (*specifierClient)(nil)

func newSpecifierClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *specifierClient {
	return &specifierClient{grpc: connectorv1.NewSpecifierPluginClient(conn), opts: opts}
}

func (c *specifierClient) Specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return call(ctx, req, nil, toproto.SpecifierSpecifyRequest, c.grpc.Specify, fromproto.SpecifierSpecifyResponse, c.opts)
}
