package client_test

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// TestStandaloneCloseUnresponsiveConnector: Close of a connector that does
// not answer anymore (here: stopped with SIGSTOP, as a hung or starved
// process behaves) returns after the grace period, having killed and reaped
// the process, instead of waiting for an answer to its shutdown request
// forever. That holds for the client that started the process and for one
// that reattached to it.
func TestStandaloneCloseUnresponsiveConnector(t *testing.T) {
	// A short grace period keeps the test quick; the behaviour is the same.
	const grace = time.Second

	t.Run("started", func(t *testing.T) {
		ctx := testContext(t)
		c, err := client.New(ctx, client.Config{Path: testConnector(t), CloseGrace: grace})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		rc := c.ReattachConfig()
		if err := syscall.Kill(rc.Pid, syscall.SIGSTOP); err != nil {
			t.Fatalf("stop connector: %v", err)
		}
		closeWithin(ctx, t, c, rc.Pid)
		checkGone(t, c, rc.Pid, rc.Addr.String())
	})

	t.Run("reattached", func(t *testing.T) {
		ctx := testContext(t)
		first, err := client.New(ctx, client.Config{Path: testConnector(t), CloseGrace: grace})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		rc := first.ReattachConfig()
		second, err := client.New(ctx, client.Config{Reattach: rc, CloseGrace: grace})
		if err != nil {
			_ = first.Close()
			t.Fatalf("New with Reattach: %v", err)
		}
		if err := syscall.Kill(rc.Pid, syscall.SIGSTOP); err != nil {
			t.Fatalf("stop connector: %v", err)
		}
		closeWithin(ctx, t, second, rc.Pid)
		closeWithin(ctx, t, first, rc.Pid)
		checkGone(t, first, rc.Pid, rc.Addr.String())
	})
}

// closeWithin closes c and fails the test if Close does not return before
// ctx ends; it then kills the process, so that Close can return and the
// leak check runs.
func closeWithin(ctx context.Context, t *testing.T, c *client.Client, pid int) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-ctx.Done():
		_ = syscall.Kill(pid, syscall.SIGKILL)
		killed, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		_ = testwait.Receive(killed, t, closed, "Close after the process was killed")
		t.Fatalf("Close of an unresponsive connector did not return within %v", testTimeout)
	}
}
