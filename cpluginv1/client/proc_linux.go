package client

import (
	"errors"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// setProcessGroup makes the connector the leader of a process group of its
// own, which Kill and the end of the process kill as a whole.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// awaitExit waits for the process to exit without reaping it, and reports
// true: its pid stays reserved until it is reaped, so that its process
// group can be killed safely in between.
func awaitExit(pid int) bool {
	for {
		var info unix.Siginfo
		err := unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			return true
		}
	}
}

// killGroup kills what is left of the process group of the connector pid,
// which has exited but was not reaped yet.
func killGroup(pid int) {
	_ = unix.Kill(-pid, unix.SIGKILL) // ESRCH: nothing is left
}

// killProcessAndGroup kills a connector that runs, and its process group.
func killProcessAndGroup(p *os.Process) error {
	if err := unix.Kill(-p.Pid, unix.SIGKILL); err == nil || !errors.Is(err, unix.ESRCH) {
		return err
	}
	// No such group (it cannot be: the process has not been reaped), so
	// at least the process.
	if err := p.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	return nil
}
