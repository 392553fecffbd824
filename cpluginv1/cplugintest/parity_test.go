package cplugintest_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// messageLimit is the message size limit of the standalone modes: the
// default a host and a connector agree on.
const messageLimit = pluginconfig.DefaultMaxMessageSize

func TestMain(m *testing.M) {
	// The transports log the stack of every panic they recover; the suite
	// makes connectors panic on purpose.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestParityBuiltin runs the suite against the built-in mode. (The builtin
// package runs it too; running it here as well puts the three modes side
// by side in one report.)
func TestParityBuiltin(t *testing.T) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(*testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			return cplugintest.Plugins{
				Specifier:   builtin.NewSpecifier(p.Specifier),
				Source:      builtin.NewSource(p.Source),
				Destination: builtin.NewDestination(p.Destination),
			}
		},
	})
}

// TestParityInProcess runs the suite against the standalone transports
// (client and server over gRPC) with both ends in the test's process,
// connected through an in-memory listener.
func TestParityInProcess(t *testing.T) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(t *testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			srv, err := server.NewGRPCServer(
				server.Connector{Specifier: p.Specifier, Source: p.Source, Destination: p.Destination},
				server.WithMaxReceiveSize(messageLimit),
				server.WithMaxSendSize(messageLimit),
				server.WithSchemaService(schemaregistry.New()),
			)
			if err != nil {
				t.Fatalf("server.NewGRPCServer: %v", err)
			}
			listener := bufconn.Listen(1 << 20)
			served := make(chan error, 1)
			go func() { served <- srv.Serve(listener) }()
			conn, err := grpc.NewClient("passthrough:///connector",
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
					return listener.DialContext(ctx)
				}),
				grpc.WithTransportCredentials(insecure.NewCredentials()),
			)
			if err != nil {
				t.Fatalf("grpc.NewClient: %v", err)
			}
			t.Cleanup(func() {
				_ = conn.Close()
				srv.Stop()
				if err := <-served; err != nil {
					t.Errorf("serve: %v", err)
				}
			})
			c := client.NewFromConn(conn, grpc.MaxCallRecvMsgSize(messageLimit), grpc.MaxCallSendMsgSize(messageLimit))
			return cplugintest.Plugins{Specifier: c.Specifier(), Source: c.Source(), Destination: c.Destination()}
		},
		MaxMessageSize: messageLimit,
	})
}

// TestParitySubprocess runs the suite against a real standalone connector
// process, built from ./testconnector and started through the plugin
// handshake, one process per case.
func TestParitySubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts a connector executable per case")
	}
	executable := buildTestConnector(t)
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(t *testing.T) cplugintest.Plugins {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := client.New(ctx, client.Config{
				Path:           executable,
				MaxReceiveSize: messageLimit,
				MaxSendSize:    messageLimit,
			})
			if err != nil {
				t.Fatalf("client.New: %v", err)
			}
			t.Cleanup(func() { _ = c.Close() })
			return cplugintest.Plugins{Specifier: c.Specifier(), Source: c.Source(), Destination: c.Destination()}
		},
		MaxMessageSize: messageLimit,
	})
}

func buildTestConnector(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is needed to build the test connector: %v", err)
	}
	executable := filepath.Join(t.TempDir(), "testconnector")
	if runtime.GOOS == "windows" {
		executable += ".exe"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goTool, "build", "-o", executable, "./testconnector").CombinedOutput()
	if err != nil {
		t.Fatalf("go build ./testconnector: %v\n%s", err, out)
	}
	return executable
}
