package server

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/connutils"
)

// dialUtilities connects to the connector utilities the host offers, if it
// offers them (both environment variables set): the returned service is
// what the connector's calls find with cpluginv1.SchemaServiceFromContext,
// and close releases the connection. gRPC connects on the first call, so a
// connector that never uses the service never connects.
func dialUtilities(getenv func(string) string) (svc cpluginv1.SchemaService, closeConn func(), err error) {
	target, token := getenv(EnvUtilitiesGRPCTarget), getenv(EnvToken)
	if target == "" || token == "" {
		return nil, func() {}, nil
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, fmt.Errorf("connector utilities at %s=%q: %w", EnvUtilitiesGRPCTarget, target, err)
	}
	return connutils.NewClient(conn, token), func() { _ = conn.Close() }, nil
}

// withSchemaService returns the server options that put svc into the
// context of every call and stream, for cpluginv1.SchemaServiceFromContext.
func withSchemaService(svc cpluginv1.SchemaService) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			return handler(cpluginv1.ContextWithSchemaService(ctx, svc), req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			return handler(srv, contextStream{ServerStream: ss, ctx: cpluginv1.ContextWithSchemaService(ss.Context(), svc)})
		}),
	}
}

// contextStream is a server stream with another context.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context //nolint:containedctx // the stream's context, as grpc.ServerStream has it
}

func (s contextStream) Context() context.Context { return s.ctx }
