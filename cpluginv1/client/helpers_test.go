package client_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// testTimeout bounds every test that could hang if the transport lost a
// message or an end of stream: a hang fails the test instead of blocking it.
const testTimeout = 20 * time.Second

// watchdogGrace is how long a test may go on after its context ended
// before the watchdog of testContext ends the test binary.
const watchdogGrace = 10 * time.Second

// testContext returns a context that ends after testTimeout. Every wait of
// a test is bounded by it: channel receives through receive, and the
// transport's calls through the context they are given. In case a call does
// not honour its context (the bug such a test looks for), a watchdog ends
// the test binary watchdogGrace later with every goroutine's stack, instead
// of letting it hang until go test's timeout without saying which test hung.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	name := t.Name()
	watchdog := time.AfterFunc(testTimeout+watchdogGrace, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("%s is still running %v after its context ended: a call or wait does not honour its context", name, watchdogGrace))
	})
	t.Cleanup(func() {
		watchdog.Stop()
		cancel()
	})
	return ctx
}

// receive returns the next value from ch, or fails the test if ctx ends
// first; what says what the test was waiting for.
func receive[T any](ctx context.Context, t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("waiting for %s: %v", what, ctx.Err())
		panic("unreachable")
	}
}

// waitRun waits for a Run stream's connector call to return and returns its
// error, or fails the test if ctx ends first.
func waitRun(ctx context.Context, t *testing.T, run interface {
	Done() <-chan struct{}
	Wait() error
},
) error {
	t.Helper()
	select {
	case <-run.Done():
		return run.Wait()
	case <-ctx.Done():
		t.Fatalf("waiting for Run to return: %v", ctx.Err())
		panic("unreachable")
	}
}

// serveInProcess serves c on an in-memory connection and returns a host
// client for it; both are stopped when the test ends.
func serveInProcess(t *testing.T, c server.Connector, serverOpts []server.Option, callOpts ...grpc.CallOption) *client.Client {
	t.Helper()
	// Panics are logged with a stack trace: keep the test output readable.
	opts := append([]server.Option{server.WithLogger(slog.New(slog.DiscardHandler))}, serverOpts...)
	s, err := server.NewGRPCServer(c, opts...)
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	lis := bufconn.Listen(1 << 20)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = s.Serve(lis)
	}()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		s.Stop() // not GracefulStop: it would wait for streams a failed test left open
		select {
		case <-served:
		case <-time.After(testTimeout):
			t.Errorf("the gRPC server's Serve did not return within %v of Stop", testTimeout)
		}
	})
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
