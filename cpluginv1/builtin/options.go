package builtin

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
)

// Option configures [NewSource] and [NewDestination].
type Option func(*options)

type options struct {
	schemas cpluginv1.SchemaService
}

// WithSchemaService sets the schema registry the connector's calls find with
// cpluginv1.SchemaServiceFromContext; the connector calls it directly, with
// no gRPC in between. The default is [schemaregistry.Default], the registry
// package client offers standalone connectors too, so built-in and
// standalone connectors of one host share their schemas.
func WithSchemaService(s cpluginv1.SchemaService) Option {
	return func(o *options) {
		if s != nil {
			o.schemas = s
		}
	}
}

func resolveOptions(opts []Option) options {
	o := options{schemas: schemaregistry.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}
