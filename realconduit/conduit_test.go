//go:build unix

package realconduit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bounds of what a Conduit run may take on a loaded machine. They fail a
// test that hangs; none of them is waited out when things work.
const (
	startTimeout = 60 * time.Second // until the pipelines are provisioned
	dataTimeout  = 2 * time.Minute  // until the expected records are written
	stopTimeout  = 60 * time.Second // from SIGINT to the exit
)

// workspace is one test's Conduit installation: database, pipelines
// directory and output files in a temporary directory, and the shared
// connectors directory.
type workspace struct {
	dir        string
	db         string
	pipelines  string
	processors string
	connectors string
}

func newWorkspace(t *testing.T) *workspace {
	t.Helper()
	dir := t.TempDir()
	w := &workspace{
		dir:        dir,
		db:         filepath.Join(dir, "db"),
		pipelines:  filepath.Join(dir, "pipelines"),
		processors: filepath.Join(dir, "processors"),
		connectors: connectorsDir(t),
	}
	for _, d := range []string{w.pipelines, w.processors} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// connector is one connector of a pipeline file.
type connector struct {
	id       string
	typ      string // source or destination
	plugin   string // builtin:NAME or standalone:NAME
	settings map[string]string
}

// writePipeline writes a pipeline configuration file (version 2.2) with one
// running pipeline into the workspace's pipelines directory and returns its
// path.
func (w *workspace) writePipeline(t *testing.T, id string, connectors ...connector) string {
	t.Helper()
	var b strings.Builder
	// Go's quoted strings are valid YAML double-quoted scalars for the
	// ASCII values used here.
	fmt.Fprintf(&b, "version: \"2.2\"\npipelines:\n  - id: %q\n    status: running\n    connectors:\n", id)
	for _, c := range connectors {
		fmt.Fprintf(&b, "      - id: %q\n        type: %q\n        plugin: %q\n", c.id, c.typ, c.plugin)
		if len(c.settings) > 0 {
			b.WriteString("        settings:\n")
			for _, k := range slices.Sorted(maps.Keys(c.settings)) {
				fmt.Fprintf(&b, "          %q: %q\n", k, c.settings[k])
			}
		}
	}
	path := filepath.Join(w.pipelines, id+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// conduit is one run of the Conduit server, from start to exit.
type conduit struct {
	t   *testing.T
	cmd *exec.Cmd

	mu        sync.Mutex
	lines     []logLine
	partial   []byte
	changed   chan struct{} // closed (and replaced) when a line arrives
	stopFrom  int           // index of the first line logged after SIGINT; -1 before
	stderr    bytes.Buffer
	exited    chan struct{} // closed when the process has exited
	exitState *os.ProcessState
	exitErr   error
}

// logLine is one line of Conduit's log: a JSON object, or raw text that is
// not one.
type logLine struct {
	raw    string
	fields map[string]any // nil if the line is not a JSON object
}

func (l logLine) str(key string) string {
	s, _ := l.fields[key].(string)
	return s
}

// startConduit starts Conduit in the workspace. Every address is on the
// loopback interface with a port the system picks, every path is explicit,
// and a pipeline that fails ends the run at once (no retries,
// exit-on-degraded) instead of being restarted. extra adds flags.
func (w *workspace) startConduit(t *testing.T, extra ...string) *conduit {
	t.Helper()
	args := []string{
		"run",
		"--config.path=" + filepath.Join(w.dir, "conduit.yaml"), // absent: defaults and flags only
		"--db.type=badger",
		"--db.badger.path=" + w.db,
		"--api.http.address=127.0.0.1:0",
		"--api.grpc.address=127.0.0.1:0",
		"--connectors.path=" + w.connectors,
		"--processors.path=" + w.processors,
		"--pipelines.path=" + w.pipelines,
		"--pipelines.error-recovery.max-retries=0",
		"--pipelines.exit-on-degraded",
		"--log.format=json",
	}
	c := &conduit{
		t:        t,
		changed:  make(chan struct{}),
		stopFrom: -1,
		exited:   make(chan struct{}),
	}
	cmd := exec.Command(conduitServer.Path(t), append(args, extra...)...)
	cmd.Dir = w.dir
	// Conduit logs to stdout; stderr stays empty unless something goes
	// wrong outside the logger (a panic, say).
	cmd.Stdout = (*logWriter)(c)
	cmd.Stderr = &lockedWriter{mu: &c.mu, w: &c.stderr}
	// Its own process group, so that a test that fails can end Conduit and
	// the connector processes it started, and nothing else.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start conduit: %v", err)
	}
	c.cmd = cmd
	go func() {
		err := cmd.Wait()
		c.mu.Lock()
		c.exitState, c.exitErr = cmd.ProcessState, err
		c.mu.Unlock()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
			// Conduit waits for every connector process it starts: none
			// may outlive it.
			if syscall.Kill(-cmd.Process.Pid, 0) == nil {
				t.Errorf("processes that conduit started are still running after it exited")
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-c.exited
		}
		if t.Failed() || os.Getenv("REALCONDUIT_LOG") != "" {
			c.dump()
		}
	})
	return c
}

// logWriter receives Conduit's stdout and splits it into log lines.
type logWriter conduit

func (lw *logWriter) Write(p []byte) (int, error) {
	c := (*conduit)(lw)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			break
		}
		raw := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		line := logLine{raw: raw}
		var fields map[string]any
		if json.Unmarshal([]byte(raw), &fields) == nil {
			line.fields = fields
		}
		c.lines = append(c.lines, line)
	}
	close(c.changed)
	c.changed = make(chan struct{})
	return len(p), nil
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// waitLog waits until a line of the log satisfies match and returns it. It
// fails the test if Conduit exits or timeout passes first.
func (c *conduit) waitLog(what string, timeout time.Duration, match func(logLine) bool) logLine {
	c.t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		c.mu.Lock()
		for ; seen < len(c.lines); seen++ {
			if match(c.lines[seen]) {
				line := c.lines[seen]
				c.mu.Unlock()
				return line
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-c.exited:
			c.t.Fatalf("conduit exited (%v) before %s", c.exitErr, what)
		case <-deadline.C:
			c.t.Fatalf("conduit did not log %s within %s", what, timeout)
		}
	}
}

// waitProvisioned waits for the line that ends Conduit's start: the
// pipeline files are read and every pipeline in them started or deleted.
func (c *conduit) waitProvisioned() logLine {
	c.t.Helper()
	return c.waitLog("that the pipeline configs were provisioned", startTimeout, func(l logLine) bool {
		return l.str("component") == "provisioning.Service" && l.str("message") == "pipeline configs provisioned"
	})
}

// waitRecords waits until the file at path holds at least n lines. The file is written by a connector process, so
// there is no event to wait for: it is polled, with a deadline, and the
// wait ends early if Conduit exits.
func (c *conduit) waitRecords(path string, n int) {
	c.t.Helper()
	deadline := time.Now().Add(dataTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	got := 0
	for {
		data, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			c.t.Fatal(err)
		}
		got = bytes.Count(data, []byte{'\n'})
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s holds %d records after %s, want %d", path, got, dataTimeout, n)
		}
		select {
		case <-tick.C:
		case <-c.exited:
			c.t.Fatalf("conduit exited (%v) with %d of %d records in %s", c.exitErr, got, n, path)
		}
	}
}

// stop sends SIGINT, Conduit's signal for a graceful stop, and checks that
// it exits with status 0 within stopTimeout.
func (c *conduit) stop() {
	c.t.Helper()
	c.mu.Lock()
	c.stopFrom = len(c.lines)
	c.mu.Unlock()
	if err := c.cmd.Process.Signal(os.Interrupt); err != nil {
		c.t.Fatalf("send SIGINT to conduit: %v", err)
	}
	select {
	case <-c.exited:
	case <-time.After(stopTimeout):
		c.t.Fatalf("conduit did not exit within %s of SIGINT", stopTimeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.exitErr != nil || !c.exitState.Success() {
		c.t.Errorf("conduit exited with %v after SIGINT, want status 0", c.exitErr)
	}
	if c.stderr.Len() > 0 {
		c.t.Errorf("conduit wrote to stderr (it logs to stdout):\n%s", c.stderr.String())
	}
	if len(c.partial) > 0 {
		c.t.Errorf("conduit's log ends with an unterminated line: %q", c.partial)
	}
}

// end stops Conduit if it is still running (SIGINT) and waits for its
// exit, whatever its status; it fails the test if that takes longer than
// stopTimeout.
func (c *conduit) end() {
	c.t.Helper()
	select {
	case <-c.exited:
		return
	default:
	}
	c.mu.Lock()
	c.stopFrom = len(c.lines)
	c.mu.Unlock()
	_ = c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(stopTimeout):
		c.t.Fatalf("conduit did not exit within %s of SIGINT", stopTimeout)
	}
}

// gracefulShutdownLine reports whether l is one of the two error-level
// lines Conduit v0.14.0 itself logs on every graceful stop, with any
// connectors (built-in ones too): its source node reports the stop as the
// error "graceful shutdown".
func gracefulShutdownLine(l logLine) bool {
	switch l.str("message") {
	case "stopping source connector", "stopping source node":
		return l.str("component") == "SourceNode" && l.str("error") == "graceful shutdown"
	}
	return false
}

// checkLog fails the test for every line of the log that reports a
// problem (see [conduit.offendingLines]) and prints them. ours names this
// repository's connectors in the run: their connector IDs.
func (c *conduit) checkLog(ours ...string) {
	c.t.Helper()
	if bad := c.offendingLines(ours...); len(bad) > 0 {
		c.t.Errorf("conduit's log holds %d offending lines:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

// offendingLines returns the lines of the log that report a problem: a
// line that is not JSON; a line at level error or above, apart from the
// two lines of a graceful stop after SIGINT ([gracefulShutdownLine]); a
// warning that mentions one of ours (this repository's connectors: the
// given connector IDs, "standalone:", the connectors directory).
func (c *conduit) offendingLines(ours ...string) []string {
	ours = append(ours, "standalone:", c.connectorsDir())
	c.mu.Lock()
	defer c.mu.Unlock()
	var bad []string
	for i, l := range c.lines {
		if l.fields == nil {
			bad = append(bad, "not JSON: "+l.raw)
			continue
		}
		switch l.str("level") {
		case "error", "fatal", "panic":
			if c.stopFrom >= 0 && i >= c.stopFrom && gracefulShutdownLine(l) {
				continue
			}
			bad = append(bad, l.raw)
		case "warn":
			for _, o := range ours {
				if strings.Contains(l.raw, o) {
					bad = append(bad, l.raw)
					break
				}
			}
		}
	}
	return bad
}

func (c *conduit) connectorsDir() string {
	for _, a := range c.cmd.Args {
		if dir, ok := strings.CutPrefix(a, "--connectors.path="); ok {
			return dir
		}
	}
	return "--connectors.path"
}

// checkPluginsExited checks that Conduit saw every process of the given
// standalone connectors (by connector ID) exit without an error, and at
// least one of each.
func (c *conduit) checkPluginsExited(connectorIDs ...string) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range connectorIDs {
		clean := 0
		for _, l := range c.lines {
			if l.str("connector_id") != id || l.str("message") != "plugin process exited" {
				continue
			}
			if _, failed := l.fields["error"]; failed || l.str("level") != "info" {
				c.t.Errorf("connector %s: %s", id, l.raw)
				continue
			}
			clean++
		}
		if clean == 0 {
			c.t.Errorf("conduit logged no clean exit of connector %s's process", id)
		}
	}
}

// connectorCalls returns what Conduit logged at trace level about its calls
// of the connector with the given ID, in order: the messages that begin
// with "configuring", "triggering lifecycle event", "opening" and "tearing
// down". Conduit must run with --log.level=trace.
func (c *conduit) connectorCalls(connectorID string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var calls []string
	for _, l := range c.lines {
		if l.str("connector_id") != connectorID {
			continue
		}
		msg := l.str("message")
		for _, prefix := range []string{"configuring ", "triggering lifecycle event ", "opening ", "tearing down "} {
			if strings.HasPrefix(msg, prefix) {
				calls = append(calls, msg)
				break
			}
		}
	}
	return calls
}

// checkCalls checks [conduit.connectorCalls] for each connector ID in
// want.
func (c *conduit) checkCalls(want map[string][]string) {
	c.t.Helper()
	for _, id := range slices.Sorted(maps.Keys(want)) {
		if got := c.connectorCalls(id); !slices.Equal(got, want[id]) {
			c.t.Errorf("conduit's calls of connector %s:\n  got  %q\n  want %q", id, got, want[id])
		}
	}
}

// dump prints the whole log, for a test that failed (or for every test
// with REALCONDUIT_LOG set).
func (c *conduit) dump() {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b strings.Builder
	for _, l := range c.lines {
		b.WriteString(l.raw)
		b.WriteByte('\n')
	}
	c.t.Logf("conduit %s\nlog (%d lines):\n%sstderr:\n%s", strings.Join(c.cmd.Args[1:], " "), len(c.lines), b.String(), c.stderr.String())
}
