//go:build unix && !linux

package client

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup makes the connector the leader of a process group of its
// own, which Kill kills as a whole.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// awaitExit cannot wait for the process without reaping it on this system:
// it reports false, and the process group is not killed when the process
// exits by itself (Kill still kills it). Linux does (see proc_linux.go).
func awaitExit(int) bool { return false }

// killGroup is never called where awaitExit reports false.
func killGroup(int) {}

// killProcessAndGroup kills a connector that runs, and its process group.
func killProcessAndGroup(p *os.Process) error {
	_ = syscall.Kill(-p.Pid, syscall.SIGKILL)
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}
