package process_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/procstat"

	"go.uber.org/goleak"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// testTimeout bounds every wait of a test: a hang fails the test that found
// it with a message instead of blocking the test binary.
const testTimeout = 20 * time.Second

// testContext returns a context that ends after testTimeout (see
// testwait.Context).
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, testTimeout)
}

// receive returns the next value from ch, or fails the test if ctx ends
// first.
func receive[T any](ctx context.Context, t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	return testwait.Receive(ctx, t, ch, what)
}

// socketDir returns a new, short directory for Config.SocketDir (unix
// socket paths are limited to about 100 bytes), removed when the test ends.
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rp")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// baseline is what a test checks against once the connector is gone.
type baseline struct {
	fds       int    // open file descriptors of the test process
	socketDir string // Config.SocketDir: empty again once the connector is gone
}

func takeBaseline(t *testing.T) baseline {
	t.Helper()
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc (Linux) to count file descriptors and child processes")
	}
	return baseline{fds: procstat.OpenFDs(t), socketDir: socketDir(t)}
}

// connector is a running fault connector and what the test needs to check
// that nothing of it is left.
type connector struct {
	*client.Client
	pid    int
	socket string
	base   baseline
}

// launch starts the fault connector with the given fault environment.
// cfg.Path and cfg.SocketDir are filled in.
func launch(ctx context.Context, t *testing.T, cfg client.Config, env ...string) *connector {
	t.Helper()
	base := takeBaseline(t)
	cfg.Path = faultConnector
	cfg.SocketDir = base.socketDir
	cfg.Env = append(cfg.Env, env...)
	c, err := client.New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	rc := c.ReattachConfig()
	if rc == nil || rc.Pid == 0 || rc.Addr == nil || rc.Addr.Network() != "unix" {
		_ = c.Close()
		t.Fatalf("ReattachConfig = %+v, want the process and its unix socket", rc)
	}
	return &connector{Client: c, pid: rc.Pid, socket: rc.Addr.String(), base: base}
}

// reaped reports whether the process no longer exists, not even as a
// zombie waiting to be reaped (signal 0 reaches a zombie too).
func reaped(pid int) bool {
	return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}

// checkNothingLeft asserts what Close promises, once it returned: the
// process has exited and was reaped, its socket and socket directory are
// gone, and no goroutine, child process or file descriptor is left.
func (c *connector) checkNothingLeft(t *testing.T) {
	t.Helper()
	if !c.Exited() {
		t.Error("Exited() = false after Close")
	}
	if !reaped(c.pid) {
		t.Errorf("process %d still exists after Close", c.pid)
	}
	if _, err := os.Stat(c.socket); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket %s still exists after Close: %v", c.socket, err)
	}
	if _, err := os.Stat(filepath.Dir(c.socket)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("socket directory %s still exists after Close: %v", filepath.Dir(c.socket), err)
	}
	c.base.check(t)
}

// check asserts that nothing is left of a connector, started or not: the
// socket directory is empty, and no goroutine, child process or file
// descriptor is left.
func (b baseline) check(t *testing.T) {
	t.Helper()
	if entries, err := os.ReadDir(b.socketDir); err != nil || len(entries) != 0 {
		t.Errorf("Config.SocketDir %s holds %v (%v), want nothing", b.socketDir, names(entries), err)
	}
	if children := procstat.ChildProcesses(t); len(children) != 0 {
		t.Errorf("child processes left (a zombie has state Z): %v", children)
	}
	goleak.VerifyNone(t)
	// Checked once, after the goroutines are gone: a descriptor left for a
	// finalizer to close is a leak too (it stays open until the next
	// garbage collection).
	if n := procstat.OpenFDs(t); n != b.fds {
		t.Errorf("%d file descriptors are open, want %d as before the connector started: %v", n, b.fds, fdTargets(t))
	}
}

func names(entries []os.DirEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name()
	}
	return out
}

// fdTargets lists what the open file descriptors point to, for a failure
// message.
func fdTargets(t *testing.T) []string {
	t.Helper()
	entries, _ := os.ReadDir("/proc/self/fd")
	var out []string
	for _, e := range entries {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		out = append(out, e.Name()+"->"+target)
	}
	return out
}

// checkOneSentence asserts that err is one line that names the executable
// and says each of causes.
func checkOneSentence(t *testing.T, err error, path string, causes ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, want := range append([]string{path}, causes...) {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
}
