package client

import (
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// restrictSocket makes the connector's socket accessible to the host's user
// only, and leaves the mode of a path that is not a socket (the handshake
// line is the connector's word) as it is.
func TestRestrictSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "rs") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	c := &Client{runner: newProcessRunner("connector"), logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
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
	if info, err := os.Stat(socket); err != nil {
		t.Errorf("stat the socket: %v", err)
	} else if info.Mode().Perm() != 0o600 {
		t.Errorf("mode of the socket after restrictSocket = %v, want 0600", info.Mode().Perm())
	}

	program := filepath.Join(dir, "program")
	if err := os.WriteFile(program, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	c.restrictSocket(program)
	if info, err := os.Stat(program); err != nil {
		t.Errorf("stat the file: %v", err)
	} else if info.Mode().Perm() != 0o755 {
		t.Errorf("mode of a regular file named as the socket = %v, want 0755, unchanged", info.Mode().Perm())
	}
}
