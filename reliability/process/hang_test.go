package process_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

const (
	// callDeadline is the deadline of the call the connector hangs in.
	callDeadline = 300 * time.Millisecond
	// closeGrace is Config.CloseGrace in these tests.
	closeGrace = 500 * time.Millisecond
	// lateLimit is how late after its deadline (or grace period) a call
	// (or Close) may return: generous, for a loaded machine.
	lateLimit = 5 * time.Second
)

// TestConnectorHangsInCall: the connector's Configure, Start, Stop or
// Teardown (of its source or its destination) never returns and ignores its
// context, and the process then never exits by itself (it waits for the
// hung call). The host's call returns at its context's deadline with
// context.DeadlineExceeded, and Close kills the process once
// Config.CloseGrace has passed, reaps it and leaves nothing behind.
func TestConnectorHangsInCall(t *testing.T) {
	for _, plugin := range []string{"source", "destination"} {
		for _, call := range []string{"Configure", "Start", "Stop", "Teardown"} {
			t.Run(plugin+"/"+call, func(t *testing.T) {
				testHang(t, plugin, call)
			})
		}
	}
}

func testHang(t *testing.T, plugin, call string) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{CloseGrace: closeGrace}, "FAULT_HANG_IN="+call)
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()

	// Each call is made with a deadline; the calls before the hung one
	// succeed. Stop comes after a Run, as a host calls it.
	var hungErr error
	var hungFor time.Duration
	steps := lifecycle(c.Client, plugin, runCtx)
	for _, step := range steps {
		callCtx, cancel := context.WithTimeout(ctx, callDeadline)
		began := time.Now()
		err := step.do(callCtx, t)
		took := time.Since(began)
		cancel()
		if step.name != call {
			if err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			continue
		}
		hungErr, hungFor = err, took
		break
	}
	if !errors.Is(hungErr, context.DeadlineExceeded) {
		t.Fatalf("%s of a connector that hangs = %v, want context.DeadlineExceeded", call, hungErr)
	}
	if hungFor < callDeadline || hungFor > callDeadline+lateLimit {
		t.Errorf("%s returned after %v, want at its deadline of %v", call, hungFor, callDeadline)
	}

	cancelRun()
	closed := make(chan error, 1)
	began := time.Now()
	go func() { closed <- c.Close() }()
	if err := receive(ctx, t, closed, "Close"); err != nil {
		t.Fatalf("Close: %v", err)
	}
	took := time.Since(began)
	t.Logf("%s returned after %v, Close after %v", call, hungFor, took)
	// The process cannot exit by itself: Close returning means it was
	// killed, which it must not be before the grace period.
	if took < closeGrace || took > closeGrace+lateLimit {
		t.Errorf("Close took %v, want the grace period of %v and a little", took, closeGrace)
	}
	c.checkNothingLeft(t)
}

// step is one call of a connector's lifecycle.
type step struct {
	name string
	do   func(context.Context, *testing.T) error
}

// lifecycle returns the calls a host makes to a source or destination, up
// to Teardown; a Run (with runCtx) comes before Stop, as a host makes it.
func lifecycle(c *client.Client, plugin string, runCtx context.Context) []step {
	if plugin == "source" {
		src := c.Source()
		return []step{
			{"Configure", func(ctx context.Context, _ *testing.T) error {
				_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "3"}})
				return err
			}},
			{"Start", func(ctx context.Context, _ *testing.T) error {
				_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
				return err
			}},
			{"Run", func(_ context.Context, t *testing.T) error {
				run := cpluginv1.RunSource(runCtx, src)
				for i := range 3 {
					resp, err := run.Recv()
					if err != nil {
						return err
					}
					if string(resp.Record.Position) != position(i) {
						t.Fatalf("record %d has position %q", i, resp.Record.Position)
					}
					if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
						return err
					}
				}
				return nil
			}},
			{"Stop", func(ctx context.Context, _ *testing.T) error {
				_, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
				return err
			}},
			{"Teardown", func(ctx context.Context, _ *testing.T) error {
				_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
				return err
			}},
		}
	}
	dst := c.Destination()
	return []step{
		{"Configure", func(ctx context.Context, _ *testing.T) error {
			_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{})
			return err
		}},
		{"Start", func(ctx context.Context, _ *testing.T) error {
			_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
			return err
		}},
		{"Run", func(_ context.Context, t *testing.T) error {
			run := cpluginv1.RunDestination(runCtx, dst)
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(0)}); err != nil {
				return err
			}
			ack, err := run.Recv()
			if err == nil && string(ack.AckPosition) != position(0) {
				t.Fatalf("ack of %q, want the ack of %s", ack.AckPosition, position(0))
			}
			return err
		}},
		{"Stop", func(ctx context.Context, _ *testing.T) error {
			_, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte(position(0))})
			return err
		}},
		{"Teardown", func(ctx context.Context, _ *testing.T) error {
			_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
			return err
		}},
	}
}
