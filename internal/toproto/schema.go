package toproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	schemav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/schema/v1"
)

// Schema converts a registered schema.
func Schema(in cpluginv1.Schema) *schemav1.Schema {
	return &schemav1.Schema{
		Subject: in.Subject,
		Version: in.Version,
		Id:      in.ID,
		Type:    schemav1.Schema_Type(in.Type),
		Bytes:   in.Bytes,
	}
}

// CreateSchemaRequest converts the request of SchemaService.CreateSchema.
func CreateSchemaRequest(in cpluginv1.CreateSchemaRequest) *connutilsv1.CreateSchemaRequest {
	return &connutilsv1.CreateSchemaRequest{
		Subject: in.Subject,
		Type:    schemav1.Schema_Type(in.Type),
		Bytes:   in.Bytes,
	}
}

// CreateSchemaResponse converts the response of SchemaService.CreateSchema.
func CreateSchemaResponse(in cpluginv1.CreateSchemaResponse) *connutilsv1.CreateSchemaResponse {
	return &connutilsv1.CreateSchemaResponse{Schema: Schema(in.Schema)}
}

// GetSchemaRequest converts the request of SchemaService.GetSchema.
func GetSchemaRequest(in cpluginv1.GetSchemaRequest) *connutilsv1.GetSchemaRequest {
	return &connutilsv1.GetSchemaRequest{Subject: in.Subject, Version: in.Version}
}

// GetSchemaResponse converts the response of SchemaService.GetSchema.
func GetSchemaResponse(in cpluginv1.GetSchemaResponse) *connutilsv1.GetSchemaResponse {
	return &connutilsv1.GetSchemaResponse{Schema: Schema(in.Schema)}
}
