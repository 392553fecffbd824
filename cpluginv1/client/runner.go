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
	"time"

	"github.com/hashicorp/go-plugin/runner"
)

// errKilledBeforeStart is returned by processRunner.Start after Kill.
var errKilledBeforeStart = errors.New("connector process was stopped before it started")

// pipeDrainTimeout bounds how long the host keeps reading the connector's
// stdout and stderr after the process has exited. A process the connector
// started and that escaped the kill of its process group (it made a session
// of its own) may hold the pipes open forever; go-plugin waits for them to
// end before it reaps the process and before Close returns.
const pipeDrainTimeout = time.Second

// processRunner runs the connector executable for go-plugin. Unlike
// go-plugin's own runner it
//
//   - can be killed from another goroutine while go-plugin waits for the
//     handshake, which is how New honours its context;
//   - starts the connector in a process group of its own and kills the
//     whole group, so that processes the connector started (a shell
//     script's children, helpers) end with it;
//   - reaps the process as soon as it exits, whoever holds its stdout and
//     stderr, and stops reading them pipeDrainTimeout later;
//   - hands go-plugin only the first line of the connector's stdout (the
//     handshake line, at most firstLineLimit bytes) and reads the rest
//     itself, into the host's log in lines of at most maxLogLine bytes, so
//     that no output of the connector can stall it or fill the host's
//     memory (go-plugin's own reader stops at a line of 64 KiB, and the
//     connector then blocks in its next write);
//   - builds the environment so that the host's values win over the
//     inherited ones.
//
// It also remembers what New and the calls need to explain a failure in
// one sentence: why the executable could not be started, the first line
// the process printed (the handshake line, or whatever it printed instead)
// and how the process ended.
type processRunner struct {
	path       string
	socketDir  string    // the private directory go-plugin made for the socket
	stdoutSink io.Writer // the connector's stdout after the first line
	cmd        *exec.Cmd

	stdoutR, stdoutW *os.File
	stderrR, stderrW *os.File
	first            *firstLineReader

	// exited is closed once the process has ended and was reaped; state
	// then holds how it ended. pumped is closed once the connector's
	// stdout has been read to its end.
	exited chan struct{}
	pumped chan struct{}

	mu       sync.Mutex
	pid      int
	killed   bool
	startErr error // why the executable could not be started
	state    *os.ProcessState
	waitErr  error
}

var _ runner.Runner = (*processRunner)(nil)

// newProcessRunner returns a runner of the executable path; what the
// connector prints on stdout after its handshake line goes to stdoutSink
// (nil: nowhere).
func newProcessRunner(path string, stdoutSink io.Writer) *processRunner {
	if stdoutSink == nil {
		stdoutSink = io.Discard
	}
	return &processRunner{
		path: path, stdoutSink: stdoutSink,
		first:  newFirstLineReader(),
		exited: make(chan struct{}), pumped: make(chan struct{}),
	}
}

// prepare sets the command to run. cmd.Env holds the inherited and host
// environment; goPluginEnv (the magic cookie, the protocol versions, the
// socket directory, the host's certificate) is appended last, so it wins.
func (r *processRunner) prepare(cmd *exec.Cmd, goPluginEnv []string, socketDir string) error {
	cmd.Env = append(cmd.Env, goPluginEnv...)
	setProcessGroup(cmd)
	stdoutR, stdoutW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("make a pipe for the connector's stdout: %w", err)
	}
	stderrR, stderrW, err := os.Pipe()
	if err != nil {
		closeAll(stdoutR, stdoutW)
		return fmt.Errorf("make a pipe for the connector's stderr: %w", err)
	}
	// The child gets the write ends themselves (they are *os.File), so no
	// goroutine of os/exec copies them and cmd.Wait does not wait for them.
	cmd.Stdout, cmd.Stderr = stdoutW, stderrW
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cmd, r.socketDir = cmd, socketDir
	r.stdoutR, r.stdoutW, r.stderrR, r.stderrW = stdoutR, stdoutW, stderrR, stderrW
	return nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			_ = f.Close()
		}
	}
}

func (r *processRunner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed || r.cmd == nil {
		closeAll(r.stdoutR, r.stdoutW, r.stderrR, r.stderrW)
		return errKilledBeforeStart
	}
	err := r.cmd.Start()
	// The child has its copies of the write ends (or there is no child).
	closeAll(r.stdoutW, r.stderrW)
	if err != nil {
		closeAll(r.stdoutR, r.stderrR)
		r.startErr = err
		return fmt.Errorf("start connector %s: %w", r.path, err)
	}
	r.pid = r.cmd.Process.Pid
	go r.reap()
	go r.pumpStdout()
	return nil
}

// reap waits for the process to exit, kills what is left of its process
// group, reaps it and gives the pipes pipeDrainTimeout to end.
func (r *processRunner) reap() {
	if awaitExit(r.pid) {
		// The process is a zombie: its pid (and so its process group's ID)
		// cannot be reused until it is reaped.
		r.mu.Lock()
		killGroup(r.pid)
		err := r.cmd.Wait()
		r.state, r.waitErr = r.cmd.ProcessState, err
		r.mu.Unlock()
	} else {
		err := r.cmd.Wait()
		r.mu.Lock()
		r.state, r.waitErr = r.cmd.ProcessState, err
		r.mu.Unlock()
	}
	// A process that escaped the kill may hold the pipes: stop reading
	// them soon. Errors mean that a pipe was read to its end and closed.
	deadline := time.Now().Add(pipeDrainTimeout)
	_ = r.stdoutR.SetReadDeadline(deadline)
	_ = r.stderrR.SetReadDeadline(deadline)
	close(r.exited)
}

// pumpStdout reads the connector's stdout to its end: the first line for
// go-plugin, the rest into stdoutSink.
func (r *processRunner) pumpStdout() {
	defer close(r.pumped)
	defer func() { _ = r.stdoutR.Close() }()
	defer r.first.end()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.stdoutR.Read(buf)
		if n > 0 {
			if rest := r.first.record(buf[:n]); len(rest) > 0 {
				_, _ = r.stdoutSink.Write(rest)
			}
		}
		if err != nil {
			return
		}
	}
}

// Wait waits for the process to end and its stdout to be read; go-plugin
// calls it once, after it read the connector's stderr to its end. It
// returns what exec.Cmd.Wait returned.
func (r *processRunner) Wait(context.Context) error {
	<-r.exited
	<-r.pumped
	_ = r.stderrR.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.waitErr
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
	return r.first.firstLine()
}

// Kill kills the process and every process of its group; before Start it
// makes Start fail instead. A process that has exited is not signalled
// again (its pid may belong to another process by now).
func (r *processRunner) Kill(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.killed = true
	if r.cmd == nil || r.cmd.Process == nil || r.state != nil {
		return nil
	}
	if err := killProcessAndGroup(r.cmd.Process); err != nil {
		return fmt.Errorf("kill connector process %d: %w", r.pid, err)
	}
	return nil
}

// Stdout returns the connector's stdout as go-plugin reads it: the first
// line, then the end. An over-long first line is an error instead.
func (r *processRunner) Stdout() io.ReadCloser { return r.first }

// Stderr returns the connector's stderr, which ends at the latest
// pipeDrainTimeout after the process exited.
func (r *processRunner) Stderr() io.ReadCloser { return drainingReader{r.stderrR} }

func (r *processRunner) Name() string { return r.path }

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

// drainingReader reads a pipe whose read deadline marks the end of the
// time the host waits for it: a read past it ends like the pipe's end.
type drainingReader struct{ f *os.File }

func (d drainingReader) Read(p []byte) (int, error) {
	n, err := d.f.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, os.ErrClosed) {
		err = io.EOF
	}
	return n, err
}

// Close does nothing: the runner closes the pipe once go-plugin is done.
func (drainingReader) Close() error { return nil }

// firstLineLimit is the longest first line of a connector's stdout the
// host reads as a handshake line. A handshake line is far shorter, also
// with a TLS certificate in it.
const firstLineLimit = 4096

// errFirstLineTooLong is what go-plugin reads instead of a first line
// longer than firstLineLimit; New explains it (see explainStart).
var errFirstLineTooLong = fmt.Errorf("the connector's first line on stdout is longer than %d bytes", firstLineLimit)

// firstLineReader keeps the first line of the connector's stdout and hands
// it to go-plugin, which reads the handshake line from it, followed by the
// end of the output (the runner reads the rest). So go-plugin judges the
// very line that New checks and explains, whole: a line longer than
// firstLineLimit is an error to go-plugin.
type firstLineReader struct {
	ready chan struct{} // closed once the first line is complete, too long, or the output ended

	mu        sync.Mutex
	line      []byte
	printed   bool
	complete  bool // the line ended with a newline, or went past the limit, or the output ended
	truncated bool // the line went past the limit
	skipping  bool // dropping the rest of a line that went past the limit
	unread    []byte
}

func newFirstLineReader() *firstLineReader {
	return &firstLineReader{ready: make(chan struct{})}
}

// record takes the next bytes of the connector's stdout and returns those
// that come after the first line.
func (f *firstLineReader) record(p []byte) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printed = true
	if f.skipping {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return nil
		}
		f.skipping = false
		return p[i+1:]
	}
	if f.complete {
		return p
	}
	var rest []byte
	i := bytes.IndexByte(p, '\n')
	if i >= 0 {
		p, rest = p[:i], p[i+1:]
	}
	if room := firstLineLimit - len(f.line); len(p) > room {
		f.line = append(f.line, p[:room]...)
		f.truncated = true
		f.skipping = i < 0
		f.finish()
		return rest
	}
	f.line = append(f.line, p...)
	if i >= 0 {
		f.unread = append(bytes.Clone(f.line), '\n')
		f.finish()
	}
	return rest
}

// end marks the end of the output.
func (f *firstLineReader) end() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.complete {
		f.unread = bytes.Clone(f.line) // the last line without its newline
		f.finish()
	}
}

// finish marks the first line complete; f.mu is held.
func (f *firstLineReader) finish() {
	if !f.complete {
		f.complete = true
		close(f.ready)
	}
}

// Read gives go-plugin the first line once it is complete, then io.EOF.
func (f *firstLineReader) Read(p []byte) (int, error) {
	<-f.ready
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.truncated {
		return 0, errFirstLineTooLong
	}
	if len(f.unread) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.unread)
	f.unread = f.unread[n:]
	return n, nil
}

func (f *firstLineReader) firstLine() (line string, printed, truncated bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return string(f.line), f.printed, f.truncated
}

// Close does nothing: the runner reads the pipe to its end and closes it.
func (f *firstLineReader) Close() error { return nil }
