package server

import (
	"context"

	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// specifierServerV2 serves a cpluginv1.SpecifierPlugin as protocol v2's
// connector.v2.SpecifierPlugin: the specification travels as a
// connector.v2.Specification with config.v1.Parameter parameters, in which
// the deprecated Required flag becomes a validation of type required (see
// toproto.ParameterV2).
type specifierServerV2 struct {
	connectorv2.UnimplementedSpecifierPluginServer
	v1 specifierServer // the connector, and its checks of the specification
}

func (s *specifierServerV2) Specify(ctx context.Context, in *connectorv2.Specifier_Specify_Request) (*connectorv2.Specifier_Specify_Response, error) {
	return unary(ctx, s.v1.guard, "Specify", in, fromproto.SpecifierSpecifyRequestV2, s.v1.specify, toproto.SpecifierSpecifyResponseV2)
}
