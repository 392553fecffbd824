package builtin

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
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
	return call(ctx, "Specifier.Specify", req, s.impl.Specify, same, func(resp cpluginv1.SpecifierSpecifyResponse) cpluginv1.SpecifierSpecifyResponse {
		return cpluginv1.SpecifierSpecifyResponse{Specification: copySpecification(resp.Specification)}
	})
}

// same is the copy function of messages without reference fields.
func same[T any](v T) T { return v }
