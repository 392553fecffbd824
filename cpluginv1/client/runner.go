package client

import (
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
// inherited ones.
type processRunner struct {
	path string
	cmd  *exec.Cmd

	stdout io.ReadCloser
	stderr io.ReadCloser

	mu     sync.Mutex
	pid    int
	killed bool
}

var _ runner.Runner = (*processRunner)(nil)

// prepare sets the command to run. cmd.Env holds the inherited and host
// environment; goPluginEnv (the magic cookie, the protocol versions, the
// socket directory) is appended last, so it wins.
func (r *processRunner) prepare(cmd *exec.Cmd, goPluginEnv []string) error {
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
	r.cmd, r.stdout, r.stderr = cmd, stdout, stderr
	return nil
}

func (r *processRunner) Start(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed || r.cmd == nil {
		return errKilledBeforeStart
	}
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("start connector %s: %w", r.path, err)
	}
	r.pid = r.cmd.Process.Pid
	return nil
}

func (r *processRunner) Wait(context.Context) error {
	return r.cmd.Wait()
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

// Diagnose returns nothing: New adds the connector's last stderr lines to
// the error itself, once they have all been read.
func (r *processRunner) Diagnose(context.Context) string { return "" }

func (r *processRunner) PluginToHost(network, address string) (string, string, error) {
	return network, address, nil
}

func (r *processRunner) HostToPlugin(network, address string) (string, string, error) {
	return network, address, nil
}
