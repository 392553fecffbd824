package client_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// logCapture is a slog handler that keeps every record, so tests can wait
// for a connector's log line.
type logCapture struct {
	mu      sync.Mutex
	records []slog.Record
	changed chan struct{}
}

func newLogCapture() *logCapture { return &logCapture{changed: make(chan struct{}, 1)} }

func (c *logCapture) Enabled(context.Context, slog.Level) bool { return true }
func (c *logCapture) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *logCapture) WithGroup(string) slog.Handler            { return c }

func (c *logCapture) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	c.records = append(c.records, r.Clone())
	c.mu.Unlock()
	select {
	case c.changed <- struct{}{}:
	default:
	}
	return nil
}

// find returns the first record whose message contains substr.
func (c *logCapture) find(substr string) (slog.Record, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.records {
		if strings.Contains(r.Message, substr) {
			return r, true
		}
	}
	return slog.Record{}, false
}

// waitFor waits until a record's message contains substr.
func (c *logCapture) waitFor(ctx context.Context, t *testing.T, substr string) slog.Record {
	t.Helper()
	for {
		if r, ok := c.find(substr); ok {
			return r
		}
		select {
		case <-c.changed:
		case <-ctx.Done():
			t.Fatalf("no log line containing %q: %v", substr, ctx.Err())
		}
	}
}

func attr(r slog.Record, key string) string {
	var v string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}

// envWithout returns the environment without the magic cookie, as a user's
// shell has it.
func envWithout(keys ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		drop := false
		for _, k := range keys {
			if strings.HasPrefix(kv, k+"=") {
				drop = true
			}
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return env
}

func TestStandaloneNotStartedByHost(t *testing.T) {
	cmd := exec.CommandContext(testContext(t), testConnector(t))
	cmd.Env = envWithout(server.MagicCookieKey)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() == 0 {
		t.Fatalf("run without the magic cookie: %v, want a non-zero exit status", err)
	}
	for _, want := range []string{`Conduit connector "testconn" v0.1.0`, "not meant to be run by hand", server.MagicCookieKey} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr.String())
		}
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing (a host would read it as a handshake)", stdout.String())
	}
}

func TestStandaloneInvalidMaxReceiveSize(t *testing.T) {
	logs := newLogCapture()
	ctx := testContext(t)
	_, err := client.New(ctx, client.Config{
		Path:   testConnector(t),
		Env:    []string{client.EnvMaxReceiveRecordSize + "=4MB"},
		Logger: slog.New(logs),
	})
	reason := client.EnvMaxReceiveRecordSize + `="4MB" is not a positive number of bytes`
	if err == nil || !strings.Contains(err.Error(), reason) {
		t.Fatalf("New = %v, want an error with the connector's reason %q", err, reason)
	}
	// The reason also reaches the host's log, at a level a host shows.
	if r := logs.waitFor(ctx, t, reason); r.Level < slog.LevelInfo {
		t.Errorf("the connector's reason is logged at %v, want info or above", r.Level)
	}
	goleak.VerifyNone(t)
}

func TestStandaloneMissingExecutable(t *testing.T) {
	_, err := client.New(testContext(t), client.Config{Path: filepath.Join(t.TempDir(), "nope")})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("New = %v, want an error naming the executable", err)
	}
	goleak.VerifyNone(t)
}

func TestStandaloneStartTimeout(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep executable")
	}
	start := time.Now()
	// sleep never prints a handshake line.
	_, err = client.New(testContext(t), client.Config{Path: sleep, Args: []string{"60"}, StartTimeout: 500 * time.Millisecond})
	if err == nil {
		t.Fatal("New succeeded without a handshake")
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("New took %v to give up, want about the start timeout", d)
	}

	ctx, cancel := context.WithTimeout(testContext(t), 300*time.Millisecond)
	defer cancel()
	_, err = client.New(ctx, client.Config{Path: sleep, Args: []string{"60"}, StartTimeout: time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("New with an expiring context = %v, want context.DeadlineExceeded", err)
	}
	goleak.VerifyNone(t)
}

type testconnEnv struct {
	ConnectorID         string `json:"connectorID"`
	Token               string `json:"token"`
	UtilitiesGRPCTarget string `json:"utilitiesGRPCTarget"`
	LogLevel            string `json:"logLevel"`
	MaxReceiveSize      string `json:"maxReceiveSize"`
	Extra               string `json:"extra"`
}

func TestStandalone(t *testing.T) {
	ctx := testContext(t)
	logs := newLogCapture()
	t.Setenv(client.EnvConnectorID, "inherited-and-overridden")
	c, err := client.New(ctx, client.Config{
		Path:                testConnector(t),
		ConnectorID:         "pipeline:source",
		Token:               "secret",
		UtilitiesGRPCTarget: "127.0.0.1:8185",
		LogLevel:            "debug",
		MaxSendSize:         1 << 20,
		Env:                 []string{"TEST_CONNECTOR_EXTRA=x", "TEST_CONNECTOR_DESTINATION=1"},
		Logger:              slog.New(logs),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rc := c.ReattachConfig()
	if rc == nil || rc.Pid == 0 || rc.Addr == nil {
		t.Fatalf("ReattachConfig = %+v, want the process and its address", rc)
	}

	t.Run("specify and environment", func(t *testing.T) {
		resp, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
		if err != nil {
			t.Fatalf("Specify: %v", err)
		}
		if resp.Name != "testconn" || resp.Version != "v0.1.0" {
			t.Errorf("Specify = %s %s, want testconn v0.1.0", resp.Name, resp.Version)
		}
		var env testconnEnv
		if err := json.Unmarshal([]byte(resp.Description), &env); err != nil {
			t.Fatalf("decode environment: %v", err)
		}
		want := testconnEnv{
			ConnectorID: "pipeline:source", Token: "secret", UtilitiesGRPCTarget: "127.0.0.1:8185",
			LogLevel: "debug", MaxReceiveSize: strconv.Itoa(1 << 20), Extra: "x",
		}
		if env != want {
			t.Errorf("connector environment = %+v, want %+v", env, want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "many"}})
		checkSameError(t, err, fmt.Errorf("records: %w", cpluginv1.ErrInvalidArgument))
		_, err = c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"panic": "boom"}})
		checkSameError(t, err, errors.New("panic: boom"))
		// The connector embeds cpluginv1.UnimplementedSourcePlugin, which
		// answers lifecycle events with success: the Conduit server fails
		// the pipeline on Unimplemented.
		_, err = c.Source().LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
		if err != nil {
			t.Errorf("LifecycleOnCreated = %v, want success", err)
		}
	})

	t.Run("logs", func(t *testing.T) {
		_, _ = c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"log": "hello from the connector"}})
		r := logs.waitFor(ctx, t, "hello from the connector")
		if r.Level != slog.LevelWarn || attr(r, "from") != "connector" {
			t.Errorf("log record = %v %q from=%q, want WARN with from=connector", r.Level, r.Message, attr(r, "from"))
		}
	})

	t.Run("source run", func(t *testing.T) {
		if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "3", "size": "10"}}); err != nil {
			t.Fatalf("Configure: %v", err)
		}
		if _, err := c.Source().Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("Start: %v", err)
		}
		run := cpluginv1.RunSource(ctx, c.Source())
		for i := range 3 {
			resp, err := run.Recv()
			if err != nil {
				t.Fatalf("Recv %d: %v", i, err)
			}
			if got, want := string(resp.Record.Position), "pos-"+strconv.Itoa(i); got != want {
				t.Errorf("record %d has position %q, want %q", i, got, want)
			}
			if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
				t.Fatalf("ack %d: %v", i, err)
			}
		}
		_ = run.CloseSend()
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
		}
	})

	t.Run("destination run", func(t *testing.T) {
		run := cpluginv1.RunDestination(ctx, c.Destination())
		for _, pos := range []string{"a", "b"} {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(pos, []byte(pos))}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			ack, err := run.Recv()
			if err != nil || string(ack.AckPosition) != pos {
				t.Fatalf("Recv = %q, %v, want the ack of %q", ack.AckPosition, err, pos)
			}
		}
		_ = run.CloseSend()
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
		}
	})

	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkGone(t, c, rc.Pid, rc.Addr.String())
}

// checkGone asserts what Close promises: the process has exited and was
// reaped, its socket is removed and no goroutine is left.
func checkGone(t *testing.T, c *client.Client, pid int, socket string) {
	t.Helper()
	if !c.Exited() {
		t.Error("Exited() = false after Close")
	}
	// Signal 0 reaches a zombie too: ESRCH means the process was reaped.
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d still exists after Close (kill -0: %v)", pid, err)
	}
	if _, err := os.Stat(socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket %s still exists after Close: %v", socket, err)
	}
	if _, err := os.Stat(filepath.Dir(socket)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s still exists after Close: %v", filepath.Dir(socket), err)
	}
	goleak.VerifyNone(t)
}

func TestStandaloneWithoutDestination(t *testing.T) {
	ctx := testContext(t)
	c, err := client.New(ctx, client.Config{Path: testConnector(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer func() { _ = c.Close() }()
	_, err = c.Destination().Configure(ctx, cpluginv1.DestinationConfigureRequest{})
	_, want := cpluginv1.UnimplementedDestinationPlugin{}.Configure(ctx, cpluginv1.DestinationConfigureRequest{})
	checkSameError(t, err, want)
}

func TestStandaloneSizeLimits(t *testing.T) {
	ctx := testContext(t)
	c, err := client.New(ctx, client.Config{
		Path:           testConnector(t),
		MaxReceiveSize: 1024,
		// The connector's receive limit comes from the environment: make it
		// smaller than what the host sends, so that the connector notices.
		Env: []string{"TEST_CONNECTOR_DESTINATION=1", client.EnvMaxReceiveRecordSize + "=1024"},
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer func() { _ = c.Close() }()

	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "1", "size": "4096"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	src := cpluginv1.RunSource(ctx, c.Source())
	if _, err := src.Recv(); !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("source Recv of a record over the host's limit = %v, want ErrMessageTooLarge", err)
	}
	_ = src.CloseSend()

	dst := cpluginv1.RunDestination(ctx, c.Destination())
	if err := dst.Send(cpluginv1.DestinationRunRequest{Record: record("big", make([]byte, 4096))}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := dst.Recv(); !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("destination Recv after a record over the connector's limit = %v, want ErrMessageTooLarge", err)
	}
	_ = dst.CloseSend()
}

func TestStandaloneReattach(t *testing.T) {
	ctx := testContext(t)
	first, err := client.New(ctx, client.Config{Path: testConnector(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rc := first.ReattachConfig()

	second, err := client.New(ctx, client.Config{Reattach: rc})
	if err != nil {
		t.Fatalf("New with Reattach: %v", err)
	}
	resp, err := second.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil || resp.Name != "testconn" {
		t.Fatalf("Specify through the reattached client = %q, %v", resp.Name, err)
	}
	// Closing the reattached client stops the process; the first client
	// (here: the one that started it) then only cleans up.
	if err := second.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkGone(t, first, rc.Pid, rc.Addr.String())
}

func TestStandaloneCrashedConnectorIsUnavailable(t *testing.T) {
	ctx := testContext(t)
	c, err := client.New(ctx, client.Config{Path: testConnector(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer func() { _ = c.Close() }()
	rc := c.ReattachConfig()
	if err := syscall.Kill(rc.Pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill connector: %v", err)
	}
	// kill returns before the process is gone: a call may still be
	// answered in that instant, but not for long.
	for {
		_, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
		if err == nil {
			if ctx.Err() != nil {
				t.Fatal("calls still succeed after the connector was killed")
			}
			continue
		}
		if !errors.Is(err, client.ErrConnectorUnavailable) {
			t.Fatalf("Specify after the connector died = %v, want ErrConnectorUnavailable", err)
		}
		return
	}
}

// TestStandaloneHandshakeLine checks the handshake line a connector prints,
// as a host that is not built with go-plugin reads it: core version 1, the
// highest connector protocol version the host lists (the connector serves
// 1 and 2), or 1 for a host that lists none, a unix socket, gRPC.
func TestStandaloneHandshakeLine(t *testing.T) {
	for _, tt := range []struct{ listed, want string }{{"1,2", "2"}, {"2,1", "2"}, {"1", "1"}, {"2", "2"}, {"", "1"}} {
		t.Run("host lists "+tt.listed, func(t *testing.T) {
			socketDir, err := os.MkdirTemp("", "hs") // short: unix socket paths are limited
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.RemoveAll(socketDir) }()

			// The context kills the connector if it never prints the line,
			// which ends the read below.
			cmd := exec.CommandContext(testContext(t), testConnector(t))
			cmd.Env = append(envWithout(server.MagicCookieKey, "PLUGIN_PROTOCOL_VERSIONS"),
				server.MagicCookieKey+"="+server.MagicCookieValue,
				"PLUGIN_UNIX_SOCKET_DIR="+socketDir,
			)
			if tt.listed != "" {
				cmd.Env = append(cmd.Env, "PLUGIN_PROTOCOL_VERSIONS="+tt.listed)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
			}()

			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil {
				t.Fatalf("read handshake line: %v", err)
			}
			parts := strings.Split(strings.TrimSpace(line), "|")
			if len(parts) < 5 || parts[0] != "1" || parts[1] != tt.want || parts[2] != "unix" || parts[4] != "grpc" {
				t.Fatalf("handshake line = %q, want 1|%s|unix|ADDRESS|grpc|...", line, tt.want)
			}
			if filepath.Dir(parts[3]) != socketDir {
				t.Errorf("socket %s is not in PLUGIN_UNIX_SOCKET_DIR %s", parts[3], socketDir)
			}
		})
	}
}
