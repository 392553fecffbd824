package crosslang

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The magic cookie of the standalone handshake: every Conduit host sets
// this variable to this value when it starts a connector (the top of
// proto/connector/v1/connector.proto states it). A connector started
// without it must refuse to run.
const (
	magicCookieKey   = "CONDUIT_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f"
)

// startTimeout bounds how long a connector may take to print its handshake
// line: Python and Node.js start in well under a second, but CI machines are
// slow and shared.
const startTimeout = 30 * time.Second

// callTimeout bounds every unary call and every wait on a stream, so a
// connector that hangs fails the test instead of blocking it.
const callTimeout = 20 * time.Second

// language is one of the example connectors written in another language.
type language struct {
	name string
	// dir is the example's directory, relative to this package.
	dir string
	// prerequisites reports what is missing to build and run the example,
	// or nil.
	prerequisites func(dir string) error
	// fault is what the broken variant does wrong, for messages.
	fault string
}

var languages = []language{
	{name: "python", dir: "../python", prerequisites: pythonPrerequisites, fault: "destination acks out of order"},
	{name: "typescript", dir: "../typescript", prerequisites: typescriptPrerequisites, fault: "source Stop names a position it never sends"},
}

// required reports whether missing prerequisites fail the tests instead of
// skipping them: in CI, examples/ci-setup.sh has installed everything.
func required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("CROSSLANG_REQUIRED") == "1"
}

func pythonPrerequisites(string) error {
	python := os.Getenv("CONNECTOR_PYTHON")
	if python == "" {
		// The interpreter examples/python/connector runs: Debian's, which
		// is the one python3-grpcio and python3-protobuf install into.
		python = "/usr/bin/python3"
		if _, err := os.Stat(python); err != nil {
			python = "python3"
		}
	}
	for _, m := range []struct{ module, pkg string }{{"grpc", "python3-grpcio"}, {"google.protobuf", "python3-protobuf"}} {
		out, err := exec.Command(python, "-c", "import "+m.module).CombinedOutput()
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			return fmt.Errorf("%s not installed: %s cannot import %s (%s)", m.pkg, python, m.module, lastLine(out))
		case err != nil:
			return fmt.Errorf("python3 not installed: %w", err)
		}
	}
	for _, tool := range []struct{ name, pkg string }{{"protoc", "protobuf-compiler"}, {"grpc_python_plugin", "protobuf-compiler-grpc"}} {
		if _, err := exec.LookPath(tool.name); err != nil {
			return fmt.Errorf("%s not installed: no %s on PATH", tool.pkg, tool.name)
		}
	}
	return nil
}

// lastLine returns the last non-empty line of out, where Python puts the
// error of a traceback.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

func typescriptPrerequisites(dir string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("nodejs not installed: no node on PATH")
	}
	for _, bin := range []string{"protoc-gen-es", "tsc"} {
		if _, err := os.Stat(filepath.Join(dir, "node_modules", ".bin", bin)); err != nil {
			return fmt.Errorf("npm packages not installed: no %s in examples/typescript/node_modules (npm ci there installs them)", bin)
		}
	}
	return nil
}

// builds remembers the result of building each example, so that every test
// builds it at most once per test binary.
var builds sync.Map // language name -> func() (string, error)

// prepare builds the example connector and returns the absolute path of its
// directory. It skips the test when the prerequisites are missing (fails in
// CI) and fails it when the build fails.
func prepare(t *testing.T, lang language) string {
	t.Helper()
	build, _ := builds.LoadOrStore(lang.name, sync.OnceValues(func() (string, error) {
		dir, err := filepath.Abs(lang.dir)
		if err != nil {
			return "", err
		}
		if err := lang.prerequisites(dir); err != nil {
			return "", &missingError{err}
		}
		cmd := exec.Command(filepath.Join(dir, "build.sh"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s/build.sh: %w\n%s", lang.dir, err, out)
		}
		return dir, nil
	}))
	dir, err := build.(func() (string, error))()
	var missing *missingError
	switch {
	case errors.As(err, &missing) && !required():
		tally.skipped(lang.name, missing.err)
		t.Skipf("%s example: %v (%s; CROSSLANG_REQUIRED=1 or CI=true makes this a failure)", lang.name, missing.err, setupHint)
	case errors.As(err, &missing):
		tally.failed(lang.name, fmt.Errorf("%w (%s)", err, setupHint))
		t.Fatalf("%s example: %v (%s)", lang.name, err, setupHint)
	case err != nil:
		tally.failed(lang.name, err)
		t.Fatalf("%s example: %v", lang.name, err)
	}
	tally.tested(lang.name, t.Name())
	return dir
}

type missingError struct{ err error }

func (e *missingError) Error() string { return e.err.Error() }

// plugin is a running connector process, connected like a host connects.
type plugin struct {
	conn   *grpc.ClientConn
	cmd    *exec.Cmd
	exited chan struct{}
	output *lockedBuffer // stderr and stdout after the handshake line
}

// lockedBuffer collects a process's output from two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// launch starts entrypoint as a host that speaks only protocol v1 does (the
// tests that use it speak connector.v1 over the connection), checks the
// handshake line and connects to the socket it names. When the test ends it
// asks the connector to shut down through go-plugin's controller service
// and checks that the process exits cleanly.
func launch(t *testing.T, entrypoint string) *plugin {
	t.Helper()
	return launchVersion(t, entrypoint, "1", 1)
}

// launchVersion is launch with offered as PLUGIN_PROTOCOL_VERSIONS (unset
// if empty); the handshake line must name version want.
func launchVersion(t *testing.T, entrypoint, offered string, want int) *plugin {
	t.Helper()
	cmd := exec.Command(entrypoint)
	env := os.Environ()
	if offered != "" {
		env = append(env, "PLUGIN_PROTOCOL_VERSIONS="+offered)
	}
	cmd.Env = append(env,
		magicCookieKey+"="+magicCookieValue,
		"PLUGIN_UNIX_SOCKET_DIR="+t.TempDir(),
		"CONDUIT_CONNECTOR_ID=crosslang-test",
		"CONDUIT_CONNECTOR_LOG_LEVEL=debug",
	)
	p := &plugin{cmd: cmd, exited: make(chan struct{}), output: &lockedBuffer{}}
	cmd.Stderr = p.output
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", entrypoint, err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		// Keep reading, as hosts do, so the connector never blocks on stdout.
		_, _ = io.Copy(p.output, r)
	}()
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of %s:\n%s", entrypoint, p.output.String())
		}
	})

	var line string
	select {
	case line = <-lines:
	case <-p.exited:
		t.Fatalf("%s exited before the handshake: %v", entrypoint, cmd.ProcessState)
	case <-time.After(startTimeout):
		_ = cmd.Process.Kill()
		t.Fatalf("%s printed no handshake line within %v", entrypoint, startTimeout)
	}
	address, err := parseHandshake(line, want)
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatal(err)
	}
	p.conn, err = grpc.NewClient("unix:"+address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatal(err)
	}
	t.Cleanup(func() { p.shutdown(t) })
	return p
}

// parseHandshake checks the handshake line, which must name protocol
// version version, and returns the socket path.
func parseHandshake(line string, version int) (string, error) {
	if !strings.HasSuffix(line, "\n") {
		return "", fmt.Errorf("handshake line %q does not end in a newline", line)
	}
	fields := strings.Split(strings.TrimSuffix(line, "\n"), "|")
	if len(fields) != 5 {
		return "", fmt.Errorf("handshake line %q: want 5 fields separated by |", line)
	}
	want := []string{"1", strconv.Itoa(version), "unix", "", "grpc"}
	for i, w := range want {
		if w != "" && fields[i] != w {
			return "", fmt.Errorf("handshake line %q: field %d is %q, want %q", line, i+1, fields[i], w)
		}
	}
	if !filepath.IsAbs(fields[3]) {
		return "", fmt.Errorf("handshake line %q: socket %q is not an absolute path", line, fields[3])
	}
	return fields[3], nil
}

// shutdown stops the connector the way go-plugin hosts do and checks that
// it exits with status 0.
func (p *plugin) shutdown(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	// go-plugin's plugin.Empty is an empty message, so emptypb.Empty has the
	// same encoding.
	err := p.conn.Invoke(ctx, "/plugin.GRPCController/Shutdown", &emptypb.Empty{}, &emptypb.Empty{})
	_ = p.conn.Close()
	if err != nil {
		t.Errorf("GRPCController/Shutdown: %v", err)
	}
	select {
	case <-p.exited:
		if code := p.cmd.ProcessState.ExitCode(); code != 0 {
			t.Errorf("connector exited with status %d after Shutdown, want 0", code)
		}
	case <-time.After(callTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("connector did not exit within %v after Shutdown", callTimeout)
	}
}

// callContext returns a context for one call or one stream wait.
func callContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	t.Cleanup(cancel)
	return ctx
}
