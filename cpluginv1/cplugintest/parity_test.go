package cplugintest_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	"github.com/connectorkit/conduit-connector-protocol/internal/inprocess"
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

// TestParityBuiltinV2 runs the suite against the built-in mode of protocol
// v2's Go API: the test connector as a cpluginv2 plugin, wrapped by
// builtin.NewSourceV2 and NewDestinationV2 (which keep the batches a
// connector sends, here of one record), and driven by the suite through the
// cpluginv1 API again.
func TestParityBuiltinV2(t *testing.T) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(*testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			return cplugintest.Plugins{
				Specifier:   builtin.NewSpecifier(p.Specifier),
				Source:      cpluginv2.ToV1Source(builtin.NewSourceV2(cpluginv2.FromV1Source(p.Source))),
				Destination: cpluginv2.ToV1Destination(builtin.NewDestinationV2(cpluginv2.FromV1Destination(p.Destination))),
			}
		},
	})
}

// TestParityInProcess runs the suite against the standalone transports
// (client and server over gRPC) with both ends in the test's process,
// connected through an in-memory listener, in protocol v1.
func TestParityInProcess(t *testing.T) {
	testParityInProcess(t, client.NewFromConn)
}

// TestParityInProcessV2 is TestParityInProcess in protocol v2: the same
// server (server.NewGRPCServer serves both versions), reached through the
// host's v2 client.
func TestParityInProcessV2(t *testing.T) {
	testParityInProcess(t, client.NewFromConnV2)
}

func testParityInProcess(t *testing.T, newClient func(grpc.ClientConnInterface, ...grpc.CallOption) *client.Client) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(t *testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			conn := inprocess.Serve(t,
				server.Connector{Specifier: p.Specifier, Source: p.Source, Destination: p.Destination},
				server.WithMaxReceiveSize(messageLimit),
				server.WithMaxSendSize(messageLimit),
				server.WithSchemaService(schemaregistry.New()),
			)
			c := newClient(conn, grpc.MaxCallRecvMsgSize(messageLimit), grpc.MaxCallSendMsgSize(messageLimit))
			return cplugintest.Plugins{Specifier: c.Specifier(), Source: c.Source(), Destination: c.Destination()}
		},
		MaxMessageSize: messageLimit,
	})
}

// TestParitySubprocess runs the suite against a real standalone connector
// process, built from ./testconnector and started through the plugin
// handshake, one process per case. The host offers versions 1 and 2 (the
// default) and the connector serves only version 1, as connectors built
// before protocol v2 do: they speak protocol v1.
func TestParitySubprocess(t *testing.T) {
	testParitySubprocess(t, nil, "1", client.ProtocolVersion1)
}

// TestParitySubprocessV2 is TestParitySubprocess in protocol v2: the host
// offers only version 2, the connector serves both (its default).
func TestParitySubprocessV2(t *testing.T) {
	testParitySubprocess(t, []int{client.ProtocolVersion2}, "", client.ProtocolVersion2)
}

// TestParitySubprocessV1Host is the other cross pair: a host that offers
// only version 1 (as hosts built before protocol v2 do) and a connector
// that serves both (its default): they speak protocol v1.
func TestParitySubprocessV1Host(t *testing.T) {
	testParitySubprocess(t, []int{client.ProtocolVersion1}, "", client.ProtocolVersion1)
}

// testParitySubprocess runs the suite against the test connector as a
// subprocess, with the host offering the protocol versions offered (nil:
// the default) and the connector serving those in served (comma-separated;
// "": its default); every case checks that they speak version want.
func testParitySubprocess(t *testing.T, offered []int, served string, want int) {
	if testing.Short() {
		t.Skip("builds and starts a connector executable per case")
	}
	executable := buildTestConnector(t)
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(t *testing.T) cplugintest.Plugins {
			c := startTestConnector(t, executable, offered, served)
			if got := c.ProtocolVersion(); got != want {
				t.Fatalf("host and connector speak protocol version %d, want %d", got, want)
			}
			return cplugintest.Plugins{Specifier: c.Specifier(), Source: c.Source(), Destination: c.Destination()}
		},
		MaxMessageSize: messageLimit,
	})
}

// startTestConnector starts the test connector executable, serving the
// protocol versions in served ("": its default), with a host that offers
// the versions offered (nil: the default), and closes it when t ends.
func startTestConnector(t *testing.T, executable string, offered []int, served string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var env []string
	if served != "" {
		env = append(env, "CPLUGINTEST_PROTOCOL_VERSIONS="+served)
	}
	c, err := client.New(ctx, client.Config{
		Path:             executable,
		Env:              env,
		MaxReceiveSize:   messageLimit,
		MaxSendSize:      messageLimit,
		ProtocolVersions: offered,
	})
	if err != nil {
		t.Fatalf("client.New: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// TestProtocolNegotiation starts the test connector with hosts and
// connectors that serve different sets of protocol versions and checks the
// version they agree on (go-plugin picks the highest version both serve),
// and that records cross in it.
func TestProtocolNegotiation(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts connector executables")
	}
	executable := buildTestConnector(t)
	for _, tt := range []struct {
		name    string
		offered []int  // by the host; nil: the default
		served  string // by the connector; "": the default
		want    int
	}{
		{"default host, default connector", nil, "", 2},
		{"v1-only host, default connector", []int{1}, "", 1},
		{"default host, v1-only connector", nil, "1", 1},
		{"v2-only host, default connector", []int{2}, "", 2},
		{"default host, v2-only connector", nil, "2", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := startTestConnector(t, executable, tt.offered, tt.served)
			if got := c.ProtocolVersion(); got != tt.want {
				t.Fatalf("host and connector speak protocol version %d, want %d", got, tt.want)
			}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			checkRecordsCross(ctx, t, c)
		})
	}
	t.Run("no version in common", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		c, err := client.New(ctx, client.Config{
			Path:             executable,
			Env:              []string{"CPLUGINTEST_PROTOCOL_VERSIONS=2"},
			ProtocolVersions: []int{client.ProtocolVersion1},
		})
		if err == nil {
			_ = c.Close()
			t.Fatal("client.New succeeded with a host that offers only version 1 and a connector that serves only version 2")
		}
		if !strings.Contains(err.Error(), "it speaks connector protocol version 2, but this host supports version 1") {
			t.Fatalf("client.New: %v; want it to say that the connector speaks version 2 and the host only version 1", err)
		}
	})
}

// checkRecordsCross runs the test connector's source over c up to its
// records ([cplugintest.Records]), acks each, and writes them to its
// destination, which must ack each.
func checkRecordsCross(ctx context.Context, t *testing.T, c *client.Client) {
	t.Helper()
	src := c.Source()
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{}); err != nil {
		t.Fatalf("source Configure: %v", err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("source Start: %v", err)
	}
	run := cpluginv1.RunSource(ctx, src)
	var got []cpluginv1.Record
	for {
		resp, err := run.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("source Recv: %v", err)
		}
		got = append(got, resp.Record)
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("source Send: %v", err)
		}
		if len(got) == len(cplugintest.Records()) {
			break
		}
	}
	if len(got) != len(cplugintest.Records()) {
		t.Fatalf("received %d records, want %d", len(got), len(cplugintest.Records()))
	}
	if _, err := run.Stop(ctx); err != nil {
		t.Fatalf("source Stop: %v", err)
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("source CloseSend: %v", err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("source Run: %v", err)
	}
	if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		t.Fatalf("source Teardown: %v", err)
	}

	dst := c.Destination()
	if _, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		t.Fatalf("destination Configure: %v", err)
	}
	if _, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("destination Start: %v", err)
	}
	drun := cpluginv1.RunDestination(ctx, dst)
	for i, rec := range got {
		if err := drun.Send(cpluginv1.DestinationRunRequest{Record: rec}); err != nil {
			t.Fatalf("destination Send of record %d: %v", i+1, err)
		}
		ack, err := drun.Recv()
		if err != nil {
			t.Fatalf("destination Recv of ack %d: %v", i+1, err)
		}
		if string(ack.AckPosition) != string(rec.Position) || ack.Error != "" {
			t.Fatalf("ack %d = (%q, %q), want (%q, \"\")", i+1, ack.AckPosition, ack.Error, rec.Position)
		}
	}
	if _, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: got[len(got)-1].Position}); err != nil {
		t.Fatalf("destination Stop: %v", err)
	}
	if err := drun.CloseSend(); err != nil {
		t.Fatalf("destination CloseSend: %v", err)
	}
	if err := drun.Wait(); err != nil {
		t.Fatalf("destination Run: %v", err)
	}
	if _, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Fatalf("destination Teardown: %v", err)
	}
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
