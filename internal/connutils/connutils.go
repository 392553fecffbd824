// Package connutils carries the connector utilities' schema service
// (connutils.v1.SchemaService) over gRPC in both directions: [NewServer] is
// the host's side, which checks each call's token and serves a
// cpluginv1.SchemaService; [NewClient] is the connector's side, which sends
// the token with each call and returns a cpluginv1.SchemaService. Both map
// errors with one table, so that errors.Is works on the connector for the
// host's errors.
package connutils

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// TokenMetadataKey is the gRPC metadata key that carries the connector's
// token (the value of CONDUIT_CONNECTOR_TOKEN) with every call.
const TokenMetadataKey = "conduit-connector-token"

// maxErrorText caps the text of a registry error sent to a connector: the
// registry may be the host author's, and its errors should not carry
// unbounded text across the boundary.
const maxErrorText = 4 << 10

// errorTable ties the schema service's sentinels to their gRPC codes. The
// status message of these errors is the sentinel's text alone, which is how
// connectors built with the Go connector SDK recognize them (and how the
// Conduit server sends them, with code UNKNOWN).
var errorTable = []struct {
	sentinel error
	code     codes.Code
}{
	{cpluginv1.ErrSchemaSubjectNotFound, codes.NotFound},
	{cpluginv1.ErrSchemaVersionNotFound, codes.NotFound},
	{cpluginv1.ErrInvalidSchema, codes.InvalidArgument},
	{cpluginv1.ErrUnauthenticated, codes.Unauthenticated},
	{cpluginv1.ErrUnimplemented, codes.Unimplemented},
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
}

// toStatus is the status a registry's error travels to the connector as.
func toStatus(err error) error {
	for _, e := range errorTable {
		if !errors.Is(err, e.sentinel) {
			continue
		}
		switch e.code {
		case codes.NotFound, codes.InvalidArgument:
			return status.Error(e.code, e.sentinel.Error())
		default:
			return status.Error(e.code, capText(err.Error()))
		}
	}
	return status.Error(codes.Internal, capText(err.Error()))
}

// fromStatus is the error a connector gets for a failed call: the sentinel
// the status stands for, wrapped with what the call was. Known texts win
// over codes: the Conduit server sends its schema errors with code UNKNOWN.
func fromStatus(what string, err error) error {
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", what, err)
	}
	for _, e := range errorTable {
		if st.Message() == e.sentinel.Error() {
			return fmt.Errorf("%s: %w", what, e.sentinel)
		}
	}
	for _, e := range errorTable {
		if st.Code() == e.code {
			return fmt.Errorf("%s: %s: %w", what, capText(st.Message()), e.sentinel)
		}
	}
	return fmt.Errorf("%s: schema service: %s (%s)", what, capText(st.Message()), st.Code())
}

func capText(s string) string {
	s = utf8check.Text(s)
	if len(s) > maxErrorText {
		s = utf8check.Text(s[:maxErrorText]) + "… (cut)"
	}
	return s
}

// NewServer returns the host's side of the schema service: it serves svc to
// callers that send token as the TokenMetadataKey metadata, and refuses
// every other call with UNAUTHENTICATED.
func NewServer(svc cpluginv1.SchemaService, token string) connutilsv1.SchemaServiceServer {
	return &server{svc: svc, token: []byte(token)}
}

type server struct {
	connutilsv1.UnimplementedSchemaServiceServer
	svc   cpluginv1.SchemaService
	token []byte
}

func (s *server) authenticate(ctx context.Context) error {
	values := metadata.ValueFromIncomingContext(ctx, TokenMetadataKey)
	if len(values) != 1 {
		return status.Errorf(codes.Unauthenticated, "%v: the call carries no connector token (gRPC metadata %q)", cpluginv1.ErrUnauthenticated, TokenMetadataKey)
	}
	if subtle.ConstantTimeCompare([]byte(values[0]), s.token) != 1 {
		return status.Errorf(codes.Unauthenticated, "%v: the connector token is not one this host issued", cpluginv1.ErrUnauthenticated)
	}
	return nil
}

func (s *server) CreateSchema(ctx context.Context, in *connutilsv1.CreateSchemaRequest) (*connutilsv1.CreateSchemaResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	resp, err := s.svc.CreateSchema(ctx, fromproto.CreateSchemaRequest(in))
	if err != nil {
		return nil, toStatus(err)
	}
	return toproto.CreateSchemaResponse(resp), nil
}

func (s *server) GetSchema(ctx context.Context, in *connutilsv1.GetSchemaRequest) (*connutilsv1.GetSchemaResponse, error) {
	if err := s.authenticate(ctx); err != nil {
		return nil, err
	}
	resp, err := s.svc.GetSchema(ctx, fromproto.GetSchemaRequest(in))
	if err != nil {
		return nil, toStatus(err)
	}
	return toproto.GetSchemaResponse(resp), nil
}

// NewClient returns the connector's side of the schema service, calling the
// host over conn with token.
func NewClient(conn grpc.ClientConnInterface, token string) cpluginv1.SchemaService {
	return &client{grpc: connutilsv1.NewSchemaServiceClient(conn), token: token}
}

type client struct {
	grpc  connutilsv1.SchemaServiceClient
	token string
}

func (c *client) CreateSchema(ctx context.Context, req cpluginv1.CreateSchemaRequest) (cpluginv1.CreateSchemaResponse, error) {
	ctx = metadata.AppendToOutgoingContext(ctx, TokenMetadataKey, c.token)
	resp, err := c.grpc.CreateSchema(ctx, toproto.CreateSchemaRequest(req))
	if err != nil {
		return cpluginv1.CreateSchemaResponse{}, fromStatus(fmt.Sprintf("create schema under subject %q", req.Subject), err)
	}
	return fromproto.CreateSchemaResponse(resp), nil
}

func (c *client) GetSchema(ctx context.Context, req cpluginv1.GetSchemaRequest) (cpluginv1.GetSchemaResponse, error) {
	ctx = metadata.AppendToOutgoingContext(ctx, TokenMetadataKey, c.token)
	resp, err := c.grpc.GetSchema(ctx, toproto.GetSchemaRequest(req))
	if err != nil {
		return cpluginv1.GetSchemaResponse{}, fromStatus(fmt.Sprintf("get schema %q version %d", req.Subject, req.Version), err)
	}
	return fromproto.GetSchemaResponse(resp), nil
}
