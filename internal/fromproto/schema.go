package fromproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	schemav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/schema/v1"
)

// Schema converts a registered schema; nil gives the zero Schema.
func Schema(in *schemav1.Schema) cpluginv1.Schema {
	return cpluginv1.Schema{
		Subject: in.GetSubject(),
		Version: in.GetVersion(),
		ID:      in.GetId(),
		Type:    cpluginv1.SchemaType(in.GetType()),
		Bytes:   in.GetBytes(),
	}
}

// CreateSchemaRequest converts the request of SchemaService.CreateSchema.
func CreateSchemaRequest(in *connutilsv1.CreateSchemaRequest) cpluginv1.CreateSchemaRequest {
	return cpluginv1.CreateSchemaRequest{
		Subject: in.GetSubject(),
		Type:    cpluginv1.SchemaType(in.GetType()),
		Bytes:   in.GetBytes(),
	}
}

// CreateSchemaResponse converts the response of SchemaService.CreateSchema.
func CreateSchemaResponse(in *connutilsv1.CreateSchemaResponse) cpluginv1.CreateSchemaResponse {
	return cpluginv1.CreateSchemaResponse{Schema: Schema(in.GetSchema())}
}

// GetSchemaRequest converts the request of SchemaService.GetSchema.
func GetSchemaRequest(in *connutilsv1.GetSchemaRequest) cpluginv1.GetSchemaRequest {
	return cpluginv1.GetSchemaRequest{Subject: in.GetSubject(), Version: in.GetVersion()}
}

// GetSchemaResponse converts the response of SchemaService.GetSchema.
func GetSchemaResponse(in *connutilsv1.GetSchemaResponse) cpluginv1.GetSchemaResponse {
	return cpluginv1.GetSchemaResponse{Schema: Schema(in.GetSchema())}
}
