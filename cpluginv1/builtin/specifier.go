package builtin

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// NewSpecifier wraps a connector's specifier for a host that runs the
// connector in its own process. See the package documentation for what the
// wrapper adds.
func NewSpecifier(impl cpluginv1.SpecifierPlugin) cpluginv1.SpecifierPlugin {
	return &specifier{impl: impl}
}

type specifier struct {
	impl cpluginv1.SpecifierPlugin
}

func (s *specifier) Specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return call(ctx, "Specifier.Specify", req, s.specify, same, func(resp cpluginv1.SpecifierSpecifyResponse) cpluginv1.SpecifierSpecifyResponse {
		return cpluginv1.SpecifierSpecifyResponse{Specification: copySpecification(resp.Specification)}
	})
}

// specify calls the connector and refuses a specification that protobuf
// could not encode, with the error the standalone server gives.
func (s *specifier) specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	resp, err := s.impl.Specify(ctx, req)
	if err != nil {
		return resp, err
	}
	return resp, utf8check.Specification(resp.Specification)
}

// same is the copy function of messages without reference fields.
func same[T any](v T) T { return v }
