package client

import (
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// restrictSocket makes the connector's socket accessible to the host's user
// only, and leaves the mode of a path that is not a socket (the handshake
// line is the connector's word) as it is, a symbolic link to a file of the
// host's user included.
func TestRestrictSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the host changes the socket's mode on Linux only")
	}
	dir := shortTempDir(t)
	c := &Client{runner: newProcessRunner("connector", nil), logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	c.runner.socketDir = dir

	socket := filepath.Join(dir, "s")
	listener, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatalf("listen on %s: %v", socket, err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	if err := os.Chmod(socket, 0o777); err != nil {
		t.Fatal(err)
	}
	c.restrictSocket(socket)
	checkMode(t, socket, 0o600, "the socket after restrictSocket")

	program := filepath.Join(dir, "program")
	if err := os.WriteFile(program, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	c.restrictSocket(program)
	checkMode(t, program, 0o755, "a regular file named as the socket")

	link := filepath.Join(dir, "link")
	if err := os.Symlink(program, link); err != nil {
		t.Fatal(err)
	}
	c.restrictSocket(link)
	checkMode(t, program, 0o755, "the file a symbolic link named as the socket points to")
}

// TestRestrictSocketRace: a connector that swaps its socket's path back
// and forth between the socket and a symbolic link to a file of the host's
// user, as fast as it can, never gets the host to change that file's mode.
// (Before chmodSocket, a check of the path followed by a chmod of the path
// changed it in about one of 30 launches.)
func TestRestrictSocketRace(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the host changes the socket's mode on Linux only")
	}
	dir := shortTempDir(t)
	c := &Client{runner: newProcessRunner("connector", nil), logger: slog.New(slog.DiscardHandler)}
	c.runner.socketDir = dir

	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	real := filepath.Join(dir, "real")
	listener, err := net.Listen("unix", real)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	socket, link := filepath.Join(dir, "s"), filepath.Join(dir, "l")

	var stop atomic.Bool
	var swapper sync.WaitGroup
	swapper.Go(func() {
		for !stop.Load() {
			_ = os.Remove(link)
			_ = os.Symlink(victim, link)
			_ = os.Link(real, socket+".new")
			_ = os.Rename(socket+".new", socket)
			_ = os.Rename(link, socket)
		}
	})
	for range 3000 {
		c.restrictSocket(socket)
	}
	stop.Store(true)
	swapper.Wait()
	checkMode(t, victim, 0o644, "the file of the host's user the connector linked to")
}

func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rs") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

func checkMode(t *testing.T, path string, want os.FileMode, what string) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Errorf("stat %s: %v", what, err)
		return
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %v, want %v", what, got, want)
	}
}
