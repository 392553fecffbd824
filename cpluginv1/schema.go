package cpluginv1

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// SchemaService registers and fetches schemas in the host's schema registry:
// the connector utilities' schema service (proto service
// connutils.v1.SchemaService). A source registers the schema of the keys and
// payloads it produces and names subject and version in each record's
// metadata ([MetadataKeySchemaSubject] and the like); a destination fetches
// the schema a record names to decode its data.
//
// Connectors get the host's service from the context of every call with
// [SchemaServiceFromContext], built-in and standalone alike. Hosts offer
// one: the client package serves one to every standalone connector it
// starts, and the builtin package passes one to built-in connectors
// directly, without gRPC.
//
// The errors wrap [ErrSchemaSubjectNotFound], [ErrSchemaVersionNotFound],
// [ErrInvalidSchema] or [ErrUnauthenticated], or, when no host offers the
// service, [ErrUnimplemented].
type SchemaService interface {
	// CreateSchema registers a schema under a subject and returns it with
	// its version and id. Registering the same type and bytes under a
	// subject again returns the version registered first; different bytes
	// get the next version, starting at 1.
	CreateSchema(context.Context, CreateSchemaRequest) (CreateSchemaResponse, error)
	// GetSchema returns one version of the schema registered under a
	// subject.
	GetSchema(context.Context, GetSchemaRequest) (GetSchemaResponse, error)
}

// SchemaType says in which language a schema is written.
type SchemaType int32

// The schema types, with the numbers of the protocol's enum
// schema.v1.Schema.Type.
const (
	// SchemaTypeUnspecified is no type; a schema of this type is invalid.
	SchemaTypeUnspecified SchemaType = 0
	// SchemaTypeAvro is an Apache Avro schema in its JSON form.
	SchemaTypeAvro SchemaType = 1
)

// String returns the type's name, for messages.
func (t SchemaType) String() string {
	switch t {
	case SchemaTypeUnspecified:
		return "unspecified"
	case SchemaTypeAvro:
		return "avro"
	default:
		return "SchemaType(" + strconv.Itoa(int(t)) + ")"
	}
}

// Schema is one version of a schema registered under a subject.
type Schema struct {
	// Subject is the name the schema is registered under.
	Subject string
	// Version is the version within the subject, starting at 1.
	Version int32
	// ID identifies the schema's content across subjects: the same type and
	// bytes under two subjects have the same ID.
	ID int32
	// Type is the language the schema is written in.
	Type SchemaType
	// Bytes is the schema itself (for Avro: JSON text).
	Bytes []byte
}

// CreateSchemaRequest is the request of SchemaService.CreateSchema.
type CreateSchemaRequest struct {
	// Subject is the name to register the schema under; not empty.
	Subject string
	// Type is the language of the schema; not SchemaTypeUnspecified.
	Type SchemaType
	// Bytes is the schema.
	Bytes []byte
}

// CreateSchemaResponse is the response of SchemaService.CreateSchema.
type CreateSchemaResponse struct {
	// Schema is the registered schema, with its version and ID.
	Schema Schema
}

// GetSchemaRequest is the request of SchemaService.GetSchema.
type GetSchemaRequest struct {
	// Subject is the name the schema is registered under.
	Subject string
	// Version is the version to fetch, starting at 1.
	Version int32
}

// GetSchemaResponse is the response of SchemaService.GetSchema.
type GetSchemaResponse struct {
	// Schema is the schema asked for.
	Schema Schema
}

// The errors of a [SchemaService]. Their texts are part of the protocol: a
// host sends them as the gRPC status message, and connectors built with the
// Go connector SDK recognize the errors by that text.
var (
	// ErrSchemaSubjectNotFound means no schema was registered under the
	// subject (gRPC NOT_FOUND).
	ErrSchemaSubjectNotFound = errors.New("schema subject not found")
	// ErrSchemaVersionNotFound means the subject has no such version (gRPC
	// NOT_FOUND).
	ErrSchemaVersionNotFound = errors.New("schema version not found")
	// ErrInvalidSchema means the subject is empty, the type unspecified or
	// unknown, or the bytes not a schema of that type (gRPC
	// INVALID_ARGUMENT).
	ErrInvalidSchema = errors.New("invalid schema")
	// ErrUnauthenticated means the host refused the call because it came
	// without the connector's token, or with a token the host did not issue
	// (gRPC UNAUTHENTICATED).
	ErrUnauthenticated = errors.New("unauthenticated")
)

type schemaServiceKey struct{}

// ContextWithSchemaService returns a context that carries the host's schema
// service, for [SchemaServiceFromContext]. Transports call it; connectors do
// not need to.
func ContextWithSchemaService(ctx context.Context, s SchemaService) context.Context {
	return context.WithValue(ctx, schemaServiceKey{}, s)
}

// SchemaServiceFromContext returns the schema service of the host that made
// the call whose context ctx is (any call of the SourcePlugin and
// DestinationPlugin interfaces, and a Run stream's whole life). It never
// returns nil: without a host's service, every call of the one it returns
// fails with an error wrapping [ErrUnimplemented] that says so.
func SchemaServiceFromContext(ctx context.Context) SchemaService {
	if s, ok := ctx.Value(schemaServiceKey{}).(SchemaService); ok && s != nil {
		return s
	}
	return noSchemaService{}
}

// errNoSchemaService is what noSchemaService answers.
var errNoSchemaService = fmt.Errorf("the host offers no schema service (connector utilities) to this connector: %w", ErrUnimplemented)

// noSchemaService is the schema service of a context without one.
type noSchemaService struct{}

func (noSchemaService) CreateSchema(context.Context, CreateSchemaRequest) (CreateSchemaResponse, error) {
	return CreateSchemaResponse{}, errNoSchemaService
}

func (noSchemaService) GetSchema(context.Context, GetSchemaRequest) (GetSchemaResponse, error) {
	return GetSchemaResponse{}, errNoSchemaService
}
