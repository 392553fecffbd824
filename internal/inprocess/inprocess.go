// Package inprocess connects a host and a connector in one process, for
// tests about behaviour: the connector is served by package server (or a
// gRPC server the test builds) on an in-memory listener, and the host gets
// a gRPC connection to it, for client.NewFromConn or NewFromConnV2. Tests
// about the transport itself start a real connector process instead.
package inprocess

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// stopTimeout bounds how long the gRPC server's Serve may take to return
// once the test ended and stopped it.
const stopTimeout = 10 * time.Second

// Serve serves c with server.NewGRPCServer and opts (both protocol
// versions) and returns a connection to it. The connection and the server
// end when the test ends.
func Serve(t testing.TB, c server.Connector, opts ...server.Option) *grpc.ClientConn {
	t.Helper()
	s, err := server.NewGRPCServer(c, opts...)
	if err != nil {
		t.Fatalf("server.NewGRPCServer: %v", err)
	}
	return ServeGRPC(t, s)
}

// ServeGRPC serves s, a gRPC server the test built, and returns a
// connection to it. The connection ends, and s is stopped (not gracefully:
// that would wait for streams a failed test left open), when the test
// ends; the test fails if s's Serve returns an error or does not return.
func ServeGRPC(t testing.TB, s *grpc.Server) *grpc.ClientConn {
	t.Helper()
	listener := bufconn.Listen(1 << 20)
	served := make(chan error, 1)
	go func() { served <- s.Serve(listener) }()
	conn, err := grpc.NewClient("passthrough:///in-process",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return listener.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		s.Stop()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("the in-process gRPC server: %v", err)
			}
		case <-time.After(stopTimeout):
			t.Errorf("the in-process gRPC server's Serve did not return within %v of Stop", stopTimeout)
		}
	})
	return conn
}
