package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
)

// specifierClient is a cpluginv1.SpecifierPlugin served by a connector over
// gRPC in protocol v1.
type specifierClient struct{ calls pluginCalls }

var _ cpluginv1.SpecifierPlugin = (*specifierClient)(nil)

func newSpecifierClient(conn grpc.ClientConnInterface, opts []grpc.CallOption) *specifierClient {
	return &specifierClient{newPluginCalls(conn, connectorv1.SpecifierPlugin_ServiceDesc.ServiceName, opts)}
}

// Specify calls the connector's Specify.
func (c *specifierClient) Specify(ctx context.Context, _ cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	var resp connectorv1.Specifier_Specify_Response
	if err := c.calls.invoke(ctx, "Specify", nil, new(connectorv1.Specifier_Specify_Request), &resp); err != nil {
		return cpluginv1.SpecifierSpecifyResponse{}, err
	}
	return fromproto.SpecifierSpecifyResponse(&resp), nil
}

// specifierClientV2 is a cpluginv1.SpecifierPlugin served by a connector
// over gRPC in protocol v2. Protocol v2 has no required flag: a parameter's
// deprecated Required flag reports whether its validations hold one of type
// required (see fromproto.ParameterV2).
type specifierClientV2 struct{ calls pluginCalls }

var _ cpluginv1.SpecifierPlugin = (*specifierClientV2)(nil)

func newSpecifierClientV2(conn grpc.ClientConnInterface, opts []grpc.CallOption) *specifierClientV2 {
	return &specifierClientV2{newPluginCalls(conn, connectorv2.SpecifierPlugin_ServiceDesc.ServiceName, opts)}
}

// Specify calls the connector's Specify.
func (c *specifierClientV2) Specify(ctx context.Context, _ cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	var resp connectorv2.Specifier_Specify_Response
	if err := c.calls.invoke(ctx, "Specify", nil, new(connectorv2.Specifier_Specify_Request), &resp); err != nil {
		return cpluginv1.SpecifierSpecifyResponse{}, err
	}
	return fromproto.SpecifierSpecifyResponseV2(&resp), nil
}
