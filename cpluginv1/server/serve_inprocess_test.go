package server

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// lockedBuffer is a strings.Builder that several goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type panickingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
}

func (panickingDestination) Configure(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	panic("configure exploded")
}

func (panickingDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	_, err := stream.Recv()
	return err
}

// TestServeInProcess runs what Serve runs once the magic cookie is checked,
// with go-plugin's server in the test's process (the subprocess tests of
// packages client and cplugintest run it for real): the connector's
// services, the health service and go-plugin's controller are served, the
// environment a host sets takes effect, and panics are logged in the JSON
// format go-plugin hosts parse.
func TestServeInProcess(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	env := map[string]string{EnvMaxReceiveRecordSize: "1024", EnvLogLevel: "debug"}
	var stderr lockedBuffer
	reattach := make(chan *plugin.ReattachConfig, 1)
	closed := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- serve(
			Connector{Specifier: specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) {
				return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{Name: "in-process"}}, nil
			}), Destination: panickingDestination{}},
			nil, func(k string) string { return env[k] }, &stderr,
			&plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed},
		)
	}()

	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case err := <-served:
		t.Fatalf("serve returned before serving: %v", err)
	case <-ctx.Done():
		t.Fatalf("waiting for the server to start: %v", ctx.Err())
	}
	if rc.Protocol != plugin.ProtocolGRPC || rc.ProtocolVersion != ProtocolVersion {
		t.Errorf("reattach config = %+v, want gRPC and protocol version %d", rc, ProtocolVersion)
	}
	conn, err := grpc.NewClient("passthrough:///connector",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, rc.Addr.Network(), rc.Addr.String())
		}),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	defer func() { _ = conn.Close() }()

	health, err := grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{Service: plugin.GRPCServiceName})
	if err != nil || health.GetStatus() != grpc_health_v1.HealthCheckResponse_SERVING {
		t.Fatalf("health of %q = %v, %v; want SERVING", plugin.GRPCServiceName, health.GetStatus(), err)
	}
	spec, err := connectorv1.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv1.Specifier_Specify_Request{})
	if err != nil || spec.GetName() != "in-process" {
		t.Fatalf("Specify = %q, %v; want the connector's name", spec.GetName(), err)
	}
	// No source: every call answers UNIMPLEMENTED.
	_, err = connectorv1.NewSourcePluginClient(conn).Configure(ctx, &connectorv1.Source_Configure_Request{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("source Configure = %v, want UNIMPLEMENTED", err)
	}

	destination := connectorv1.NewDestinationPluginClient(conn)
	// A panic is an INTERNAL error, logged with its stack as a JSON line.
	_, err = destination.Configure(ctx, &connectorv1.Destination_Configure_Request{})
	if status.Code(err) != codes.Internal || status.Convert(err).Message() != "panic: configure exploded" {
		t.Errorf("destination Configure = %v, want INTERNAL \"panic: configure exploded\"", err)
	}
	for _, want := range []string{`"@level":"error"`, `"@message":"connector panicked"`, `"method":"Destination.Configure"`, `"stack":`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not hold %s:\n%s", want, stderr.String())
		}
	}

	// The receive limit comes from CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE.
	stream, err := destination.Run(ctx)
	if err != nil {
		t.Fatalf("destination Run: %v", err)
	}
	big := &connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{Position: make([]byte, 2048)}}
	_ = stream.Send(big) // its failure, if any, is what Recv reports
	if _, err := stream.Recv(); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Recv after a record over the connector's limit = %v, want RESOURCE_EXHAUSTED", err)
	}

	cancel()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop when its context ended")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("serve = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the server stopped")
	}
}

// serveBufconn serves s on an in-memory listener and returns a connection
// to it; both are closed when the test ends.
func serveBufconn(t *testing.T, s *grpc.Server) *grpc.ClientConn {
	t.Helper()
	listener := bufconn.Listen(1 << 20)
	go func() { _ = s.Serve(listener) }()
	conn, err := grpc.NewClient("passthrough:///connector",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return listener.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() {
		_ = conn.Close()
		s.Stop()
	})
	return conn
}

// NewGRPCServer serves the connector's services under the protocol's
// service names, through the caller's interceptors; missing plugins answer
// UNIMPLEMENTED.
func TestNewGRPCServerServiceNames(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var (
		mu      sync.Mutex
		methods []string
	)
	s, err := NewGRPCServer(Connector{Source: cpluginv1.UnimplementedSourcePlugin{}}, WithGRPCServerOptions(grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		mu.Lock()
		methods = append(methods, info.FullMethod)
		mu.Unlock()
		return handler(ctx, req)
	})))
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	conn := serveBufconn(t, s)

	_, err = connectorv1.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv1.Specifier_Specify_Request{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("Specify without a specifier = %v, want UNIMPLEMENTED", err)
	}
	_, err = connectorv1.NewSourcePluginClient(conn).Start(ctx, &connectorv1.Source_Start_Request{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("source Start = %v, want UNIMPLEMENTED", err)
	}
	_, err = connectorv1.NewDestinationPluginClient(conn).Teardown(ctx, &connectorv1.Destination_Teardown_Request{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("destination Teardown = %v, want UNIMPLEMENTED", err)
	}
	want := []string{"/connector.v1.SpecifierPlugin/Specify", "/connector.v1.SourcePlugin/Start", "/connector.v1.DestinationPlugin/Teardown"}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(methods, " ") != strings.Join(want, " ") {
		t.Errorf("methods served = %q, want %q", methods, want)
	}
}

// WithGRPCServerOptions reaches the server NewGRPCServer builds, while the
// size limits of the options stay in force.
func TestWithGRPCServerOptions(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	intercepted := make(chan string, 1)
	s, err := NewGRPCServer(Connector{Destination: panickingDestination{}},
		WithGRPCServerOptions(grpc.StreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			intercepted <- info.FullMethod
			return handler(srv, ss)
		})),
		WithMaxReceiveSize(1024),
	)
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	conn := serveBufconn(t, s)
	stream, err := connectorv1.NewDestinationPluginClient(conn).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	_ = stream.Send(&connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{Position: make([]byte, 2048)}})
	if _, err := stream.Recv(); status.Code(err) != codes.ResourceExhausted {
		t.Errorf("Recv after a record over the limit = %v, want RESOURCE_EXHAUSTED", err)
	}
	select {
	case method := <-intercepted:
		if method != "/connector.v1.DestinationPlugin/Run" {
			t.Errorf("interceptor saw %q, want the Run stream", method)
		}
	case <-ctx.Done():
		t.Fatal("the interceptor given with WithGRPCServerOptions was not called")
	}
}

func TestServeRejectsInvalidEnvironment(t *testing.T) {
	env := map[string]string{EnvMaxReceiveRecordSize: "lots"}
	err := serve(Connector{}, nil, func(k string) string { return env[k] }, &lockedBuffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), EnvMaxReceiveRecordSize) {
		t.Fatalf("serve = %v, want an error naming %s", err, EnvMaxReceiveRecordSize)
	}
}
