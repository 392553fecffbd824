package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// specifierClientV2 is a cpluginv1.SpecifierPlugin served by a connector
// over gRPC in protocol v2. Protocol v2 has no required flag: a parameter's
// deprecated Required flag reports whether its validations hold one of type
// required (see fromproto.ParameterV2).
type specifierClientV2 struct {
	grpc connectorv2.SpecifierPluginClient
	opts []grpc.CallOption
}

var _ cpluginv1.SpecifierPlugin = (*specifierClientV2)(nil)

func newSpecifierClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *specifierClientV2 {
	return &specifierClientV2{grpc: connectorv2.NewSpecifierPluginClient(conn), opts: opts}
}

func (c *specifierClientV2) Specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return call(ctx, req, nil, toproto.SpecifierSpecifyRequestV2, c.grpc.Specify, fromproto.SpecifierSpecifyResponseV2, c.opts)
}
