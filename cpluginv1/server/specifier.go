package server

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// specifierServer serves a cpluginv1.SpecifierPlugin as connector.v1.SpecifierPlugin.
type specifierServer struct {
	connectorv1.UnimplementedSpecifierPluginServer
	impl  cpluginv1.SpecifierPlugin
	guard panicGuard
}

func (s *specifierServer) Specify(ctx context.Context, in *connectorv1.Specifier_Specify_Request) (*connectorv1.Specifier_Specify_Response, error) {
	return unary(ctx, s.guard, "Specify", in, fromproto.SpecifierSpecifyRequest, s.specify, toproto.SpecifierSpecifyResponse)
}

// specify calls the connector and refuses a specification protobuf cannot
// encode, with an error naming the field, as the built-in mode does.
func (s *specifierServer) specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	resp, err := s.impl.Specify(ctx, req)
	if err != nil {
		return resp, err
	}
	return resp, utf8check.Specification(resp.Specification)
}

// unimplementedSpecifier answers Specify with ErrUnimplemented, for a
// Connector without a Specifier.
type unimplementedSpecifier struct{}

func (unimplementedSpecifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{}, errSpecifyUnimplemented
}
