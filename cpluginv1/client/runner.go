package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"

	"github.com/hashicorp/go-plugin/runner"
)

// errKilledBeforeStart is returned by processRunner.Start after Kill.
var errKilledBeforeStart = errors.New("connector process was stopped before it started")

// processRunner runs the connector executable for go-plugin. Unlike
// go-plugin's own runner it can be killed from another goroutine while
// go-plugin waits for the handshake, which is how New honours its context,
// and it builds the environment so that the host's values win over the
// inherited ones. It also remembers what New and the calls need to explain
// a failure in one sentence: why the executable could not be started, the
// first line the process printed (the handshake line, or whatever it
// printed instead) and how the process ended.
type processRunner struct {
	path      string
	socketDir string // the private directory go-plugin made for the socket
	cmd       *exec.Cmd

	stdout *firstLineReader
	stderr io.ReadCloser

	// exited is closed once the process has ended and was reaped; state
	// then holds how it ended.
	exited     chan struct{}
	exitedOnce sync.Once

	mu       sync.Mutex
	pid      int
	killed   bool
	startErr error // why the executable could not be started
	state    *os.ProcessState
}

var _ runner.Runner = (*processRunner)(nil)

func newProcessRunner(path string) *processRunner {
	return &processRunner{path: path, exited: make(chan struct{})}
}

// prepare sets the command to run. cmd.Env holds the inherited and host
// environment; goPluginEnv (the magic cookie, the protocol versions, the
// socket directory, the host's certificate) is appended last, so it wins.
func (r *processRunner) prepare(cmd *exec.Cmd, goPluginEnv []string, socketDir string) error {
	cmd.Env = append(cmd.Env, goPluginEnv...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("connect to the connector's stdout: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("connect to the connector's stderr: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd, r.stdout, r.stderr = cmd, &firstLineReader{r: stdout}, stderr
	r.socketDir = socketDir
	return nil
}

func (r *processRunner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed || r.cmd == nil {
		return errKilledBeforeStart
	}
	if err := r.cmd.Start(); err != nil {
		r.startErr = err
		return fmt.Errorf("start connector %s: %w", r.path, err)
	}
	r.pid = r.cmd.Process.Pid
	return nil
}

// Wait waits for the process to end (go-plugin calls it once, after the
// process closed its stdout and stderr) and records how it ended.
func (r *processRunner) Wait(context.Context) error {
	err := r.cmd.Wait()
	r.mu.Lock()
	r.state = r.cmd.ProcessState
	r.mu.Unlock()
	r.exitedOnce.Do(func() { close(r.exited) })
	return err
}

// exitState returns how the process ended, or nil if it has not ended (or
// not been reaped) yet.
func (r *processRunner) exitState() *os.ProcessState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// startError returns the error of starting the executable, or nil.
func (r *processRunner) startError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.startErr
}

// firstLine returns the first line the process printed on stdout (all of
// its output if it printed no newline), whether it printed anything at all,
// and whether the line was longer than firstLineLimit.
func (r *processRunner) firstLine() (line string, printed, truncated bool) {
	r.mu.Lock()
	stdout := r.stdout
	r.mu.Unlock()
	if stdout == nil {
		return "", false, false
	}
	return stdout.firstLine()
}

// Kill kills the process; before Start it makes Start fail instead.
func (r *processRunner) Kill(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killed = true
	if r.cmd == nil || r.cmd.Process == nil {
		return nil
	}
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill connector process %d: %w", r.pid, err)
	}
	return nil
}

func (r *processRunner) Stdout() io.ReadCloser { return r.stdout }
func (r *processRunner) Stderr() io.ReadCloser { return r.stderr }
func (r *processRunner) Name() string          { return r.path }

func (r *processRunner) ID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strconv.Itoa(r.pid)
}

func (r *processRunner) Pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

// Diagnose returns nothing: New explains a failed start itself, once the
// process was reaped and its output read.
func (r *processRunner) Diagnose(context.Context) string { return "" }

func (r *processRunner) PluginToHost(network, address string) (string, string, error) {
	return network, address, nil
}

func (r *processRunner) HostToPlugin(network, address string) (string, string, error) {
	return network, address, nil
}

// firstLineLimit is how much of the first line of a connector's stdout is
// kept. A handshake line is far shorter, also with a TLS certificate in it.
const firstLineLimit = 4096

// firstLineReader passes the connector's stdout through to go-plugin, which
// reads the handshake line from it, and keeps a copy of the first line, so
// that New can say what is wrong with it: go-plugin's own errors about a
// bad handshake line do not.
type firstLineReader struct {
	r io.ReadCloser

	mu        sync.Mutex
	line      []byte
	printed   bool
	complete  bool // the line ended with a newline, or went past the limit
	truncated bool
}

func (f *firstLineReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if n > 0 {
		f.record(p[:n])
	}
	return n, err
}

func (f *firstLineReader) record(p []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printed = true
	if f.complete {
		return
	}
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		p = p[:i]
		f.complete = true
	}
	if room := firstLineLimit - len(f.line); len(p) > room {
		p = p[:room]
		f.complete, f.truncated = true, true
	}
	f.line = append(f.line, p...)
}

func (f *firstLineReader) firstLine() (line string, printed, truncated bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.line), f.printed, f.truncated
}

func (f *firstLineReader) Close() error { return f.r.Close() }
