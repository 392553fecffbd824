package hostile_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// TestHostileNewHonoursItsTimeouts: a connector prints its handshake line
// and then never speaks gRPC: its socket accepts connections and never
// answers, or never accepts them. New returns by its context's deadline or
// Config.StartTimeout, whichever comes first, plus a margin (go-plugin
// waited for the connection without a deadline: New returned after 20
// seconds, gRPC's own connection timeout), with an error naming the
// executable and the deadline, and leaves nothing behind.
func TestHostileNewHonoursItsTimeouts(t *testing.T) {
	tests := []struct {
		name         string
		mode         string
		startTimeout time.Duration
		ctxTimeout   time.Duration
		says         string
	}{
		{"silent socket, context first", "silent", 5 * time.Second, 2 * time.Second, "before the context given to New ended"},
		{"silent socket, StartTimeout first", "silent", time.Second, testTimeout, "within 1s (Config.StartTimeout)"},
		{"socket that accepts nothing", "no-accept", 5 * time.Second, 2 * time.Second, "before the context given to New ended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(testContext(t), tt.ctxTimeout)
			defer cancel()
			took, err := newFails(ctx, t, client.Config{StartTimeout: tt.startTimeout}, "HOSTILE="+tt.mode)
			checkSays(t, err, hostileConnector, []string{"no gRPC connection after the plugin handshake", tt.says})
			limit := min(tt.startTimeout, tt.ctxTimeout)
			if took > limit+margin {
				t.Errorf("New returned after %v, want at most %v (its deadline) + %v", took, limit, margin)
			}
		})
	}
}

// TestHostileScriptChildEndsWithNew: the connector is a script that starts
// a child (sleep) and never prints a handshake line, as an entrypoint
// script that hangs does. New gives up after Config.StartTimeout (plus a
// margin) and the child ends with the script: the host kills the
// connector's whole process group (before, the child was left running,
// holding the connector's stdout, and New waited for it for 15 seconds).
func TestHostileScriptChildEndsWithNew(t *testing.T) {
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "child.pid")
	script := filepath.Join(dir, "entrypoint.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsleep 300 &\necho $! > "+pidfile+"\nwait\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	const startTimeout = time.Second
	took, err := newFails(testContext(t), t, client.Config{Path: script, StartTimeout: startTimeout})
	checkSays(t, err, script, []string{"no plugin handshake within 1s (Config.StartTimeout)"})
	if took > startTimeout+margin {
		t.Errorf("New returned after %v, want at most %v + %v", took, startTimeout, margin)
	}
	child := readPid(t, pidfile)
	killOnCleanup(t, child)
	if running(child) {
		t.Errorf("the script's child %d still runs after New failed", child)
	}
}

// TestHostileCloseWithHelperHoldingPipes: the connector starts a helper
// process that inherits its stdout and stderr, and exits when asked to shut
// down; the helper would hold the pipes for 5 minutes. Close returns within
// Config.CloseGrace plus the host's pipe drain (1 s) plus a margin, without
// an error, with the connector reaped (before: Close took 12 s for a grace
// of 2 s, failed, and left the connector a zombie). A helper in the
// connector's process group is killed with it; one that made a session of
// its own escapes the kill, but no longer holds up Close.
func TestHostileCloseWithHelperHoldingPipes(t *testing.T) {
	const closeGrace = 2 * time.Second
	for _, tt := range []struct {
		mode       string
		helperDies bool
	}{
		{"helper", true},
		{"helper-setsid", false},
	} {
		t.Run(tt.mode, func(t *testing.T) {
			ctx := testContext(t)
			pidfile := filepath.Join(t.TempDir(), "helper.pid")
			c := startHostile(ctx, t, client.Config{CloseGrace: closeGrace}, "HOSTILE="+tt.mode, "HOSTILE_PIDFILE="+pidfile)
			helper := readPid(t, pidfile)
			killOnCleanup(t, helper)

			closed := make(chan error, 1)
			began := time.Now()
			go func() { closed <- c.Close() }()
			var err error
			select {
			case err = <-closed:
			case <-ctx.Done():
				t.Fatalf("Close did not return within %v", testTimeout)
			}
			took := time.Since(began)
			t.Logf("Close returned after %v: %v", took, err)
			if err != nil {
				t.Errorf("Close: %v", err)
			}
			if limit := closeGrace + time.Second + margin; took > limit {
				t.Errorf("Close returned after %v, want at most %v", took, limit)
			}
			if exists(c.pid) {
				t.Errorf("connector process %d still exists after Close (a zombie: %v)", c.pid, !running(c.pid))
			}
			if running(helper) == tt.helperDies {
				t.Errorf("helper %d runs after Close: %v, want %v", helper, running(helper), !tt.helperDies)
			}
			c.base.check(t)
		})
	}
}
