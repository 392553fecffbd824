package client_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/internal/inprocess"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// testTimeout bounds every test that could hang if the transport lost a
// message or an end of stream: a hang fails the test instead of blocking it.
const testTimeout = 20 * time.Second

// testContext bounds every wait of a test by testTimeout; see testwait.Context.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, testTimeout)
}

// serveInProcess serves c on an in-memory connection and returns a host
// client for it; both are stopped when the test ends.
func serveInProcess(t *testing.T, c server.Connector, serverOpts []server.Option, callOpts ...grpc.CallOption) *client.Client {
	t.Helper()
	// Panics are logged with a stack trace: keep the test output readable.
	opts := append([]server.Option{server.WithLogger(slog.New(slog.DiscardHandler))}, serverOpts...)
	conn := inprocess.Serve(t, c, opts...)
	return client.NewFromConn(conn, callOpts...)
}

// fakeSource is a SourcePlugin whose methods the test sets; unset methods
// answer ErrUnimplemented.
type fakeSource struct {
	cpluginv1.UnimplementedSourcePlugin
	configure func(context.Context, cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error)
	stop      func(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error)
	run       func(context.Context, cpluginv1.SourceRunStream) error
}

func (s *fakeSource) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	if s.configure == nil {
		return s.UnimplementedSourcePlugin.Configure(ctx, req)
	}
	return s.configure(ctx, req)
}

func (s *fakeSource) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	if s.stop == nil {
		return s.UnimplementedSourcePlugin.Stop(ctx, req)
	}
	return s.stop(ctx, req)
}

func (s *fakeSource) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	if s.run == nil {
		return s.UnimplementedSourcePlugin.Run(ctx, stream)
	}
	return s.run(ctx, stream)
}

// fakeDestination is a DestinationPlugin whose methods the test sets.
type fakeDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	configure func(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error)
	run       func(context.Context, cpluginv1.DestinationRunStream) error
}

func (d *fakeDestination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	if d.configure == nil {
		return d.UnimplementedDestinationPlugin.Configure(ctx, req)
	}
	return d.configure(ctx, req)
}

func (d *fakeDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	if d.run == nil {
		return d.UnimplementedDestinationPlugin.Run(ctx, stream)
	}
	return d.run(ctx, stream)
}

type fakeSpecifier struct {
	spec cpluginv1.Specification
	err  error
}

func (s fakeSpecifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: s.spec}, s.err
}

func record(position string, payload []byte) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte(position),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(payload)},
	}
}
