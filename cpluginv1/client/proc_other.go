//go:build !unix

package client

import (
	"errors"
	"os"
	"os/exec"
)

// setProcessGroup does nothing: this system has no process groups.
func setProcessGroup(*exec.Cmd) {}

// awaitExit reports false: the process is reaped by exec.Cmd.Wait.
func awaitExit(int) bool { return false }

// killGroup is never called where awaitExit reports false.
func killGroup(int) {}

// killProcessAndGroup kills the connector's process.
func killProcessAndGroup(p *os.Process) error {
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}
