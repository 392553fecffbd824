package hostile_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
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
const testTimeout = 30 * time.Second

// margin is how late after a configured timeout (plus what the host adds
// to it by design, see each test) New or Close may return: generous, for a
// loaded machine. The defects these tests found took 10 seconds and more.
const margin = 3 * time.Second

// mib is a mebibyte.
const mib = 1 << 20

func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, testTimeout)
}

// baseline is what a test checks against once the connector is gone.
type baseline struct {
	fds       int    // open file descriptors of the test process
	socketDir string // Config.SocketDir: empty again once the connector is gone
}

func takeBaseline(t *testing.T) baseline {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux: /proc to count file descriptors and processes, and the host's process-group handling")
	}
	return baseline{fds: procstat.OpenFDs(t), socketDir: shortTempDir(t)}
}

// check asserts that nothing is left of a connector: the socket directory
// is empty, and no goroutine, child process or file descriptor is left.
func (b baseline) check(t *testing.T) {
	t.Helper()
	if entries, err := os.ReadDir(b.socketDir); err != nil || len(entries) != 0 {
		t.Errorf("Config.SocketDir %s holds %d entries (%v), want none", b.socketDir, len(entries), err)
	}
	if children := procstat.ChildProcesses(t); len(children) != 0 {
		t.Errorf("child processes left (a zombie has state Z): %v", children)
	}
	goleak.VerifyNone(t)
	if n := procstat.OpenFDs(t); n != b.fds {
		t.Errorf("%d file descriptors are open, want %d as before the connector started", n, b.fds)
	}
}

// shortTempDir returns a new directory with a short path (unix socket
// paths are limited to about 100 bytes), removed when the test ends.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// hostile is a running hostile connector.
type hostile struct {
	*client.Client
	pid  int
	base baseline
}

// startHostile starts the hostile connector with the given environment
// (HOSTILE=mode, ...). cfg.Path and cfg.SocketDir are filled in.
func startHostile(ctx context.Context, t *testing.T, cfg client.Config, env ...string) *hostile {
	t.Helper()
	base := takeBaseline(t)
	cfg.Path = hostileConnector
	cfg.SocketDir = base.socketDir
	cfg.Env = append(cfg.Env, env...)
	c, err := client.New(ctx, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &hostile{Client: c, pid: c.ReattachConfig().Pid, base: base}
}

// closeAndCheck closes the client and asserts that nothing is left.
func (h *hostile) closeAndCheck(t *testing.T) {
	t.Helper()
	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if exists(h.pid) {
		t.Errorf("connector process %d still exists after Close", h.pid)
	}
	h.base.check(t)
}

// newFails starts the hostile connector (with cfg's timeouts and ctx),
// expects New to fail and returns how long it took and its error, after
// checking that nothing is left.
func newFails(ctx context.Context, t *testing.T, cfg client.Config, env ...string) (time.Duration, error) {
	t.Helper()
	base := takeBaseline(t)
	if cfg.Path == "" {
		cfg.Path = hostileConnector
	}
	cfg.SocketDir = base.socketDir
	cfg.Env = append(cfg.Env, env...)
	began := time.Now()
	c, err := client.New(ctx, cfg)
	took := time.Since(began)
	if err == nil {
		_ = c.Close()
		t.Fatal("New succeeded")
	}
	t.Logf("New failed after %v: %.300s", took, err)
	base.check(t)
	return took, err
}

// exists reports whether process pid exists, be it a zombie.
func exists(pid int) bool {
	_, err := os.Stat(filepath.Join("/proc", strconv.Itoa(pid)))
	return err == nil
}

// running reports whether process pid exists and is not a zombie.
func running(pid int) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return false
	}
	s := string(stat)
	end := strings.LastIndexByte(s, ')')
	return end >= 0 && !strings.HasPrefix(strings.TrimSpace(s[end+1:]), "Z")
}

// killOnCleanup kills process pid when the test ends, if it runs then.
func killOnCleanup(t *testing.T, pid int) {
	t.Cleanup(func() {
		if running(pid) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// readPid reads the pid the hostile connector wrote to path.
func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the helper's pid: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("the helper's pid %q: %v", b, err)
	}
	return pid
}

// checkSays asserts that err names the executable and says each of says,
// on one line, and none of saysNot.
func checkSays(t *testing.T, err error, path string, says []string, saysNot ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("got no error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, want := range append([]string{path}, says...) {
		if !strings.Contains(msg, want) {
			t.Errorf("error %.300q does not say %q", msg, want)
		}
	}
	for _, not := range saysNot {
		if strings.Contains(msg, not) {
			t.Errorf("error %.300q says %q", msg, not)
		}
	}
}

// heapAfterGC returns the bytes of live heap objects after a collection
// (two: what a sync.Pool holds survives one).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// allocatedDuring returns how many bytes the process allocated while f
// ran (runtime.MemStats.TotalAlloc: freed or not, so it bounds the peak).
func allocatedDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// logRecorder is a slog handler that keeps the messages it is given (each
// cut to keep bytes, so that the test itself holds little) and whether one
// contained a marker.
type logRecorder struct {
	keep int

	mu       sync.Mutex
	messages []loggedMessage
}

type loggedMessage struct {
	stream string
	text   string // at most keep bytes of the beginning, and the end
	size   int
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	for _, a := range attrs {
		if a.Key == "stream" {
			return &streamRecorder{logRecorder: r, stream: a.Value.String()}
		}
	}
	return r
}

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.add("", rec.Message)
	return nil
}

func (r *logRecorder) add(stream, msg string) {
	text := msg
	if len(text) > 2*r.keep {
		text = text[:r.keep] + "..." + text[len(text)-r.keep:]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.messages = append(r.messages, loggedMessage{stream: stream, text: text, size: len(msg)})
}

// find returns the first message of stream that has prefix and suffix.
func (r *logRecorder) find(stream, prefix, suffix string) (loggedMessage, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.messages {
		if m.stream == stream && strings.HasPrefix(m.text, prefix) && strings.HasSuffix(m.text, suffix) {
			return m, true
		}
	}
	return loggedMessage{}, false
}

// streamRecorder records the messages of one stream (stdout or stderr).
type streamRecorder struct {
	*logRecorder
	stream string
}

func (r *streamRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }

func (r *streamRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.add(r.stream, rec.Message)
	return nil
}
