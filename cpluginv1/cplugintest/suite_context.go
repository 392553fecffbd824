package cplugintest

import (
	"context"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// testContextEndedBeforeCall: a call whose context has already ended
// fails with the context's error and does not reach the connector.
func testContextEndedBeforeCall(t *testing.T, h Harness) {
	e := start(t, h)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := e.p.Source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{keyJournal: "true"}})
	checkError(t, "source Configure", err, context.Canceled.Error(), context.Canceled)
	_, err = e.p.Destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{keyJournal: "true"}})
	checkError(t, "destination Configure", err, context.Canceled.Error(), context.Canceled)
	checkIs(t, "source Run", recvUntilError(cpluginv1.RunSource(ctx, e.p.Source)), context.Canceled)
	// Nothing reached the connector: Teardown succeeds without a journal.
	e.teardownSource()
	e.teardownDestination()
}

// testContextEndsMidCall: the host's cancellation and deadline end a call
// the connector is blocked in, with the context's error. The cancellation
// comes from a timer so that it arrives while the call is in progress; the
// result is the same if it arrives earlier.
func testContextEndsMidCall(t *testing.T, h Harness) {
	block := map[string]string{keyBlock: "configure"}
	for _, tc := range []struct {
		name string
		ctx  func(context.Context) (context.Context, context.CancelFunc)
		err  error
		// exact: the message is the context's. Over gRPC a deadline also
		// passes on the connector's side, which may answer first with its
		// own message (still DEADLINE_EXCEEDED): only the sentinel is sure.
		exact bool
	}{
		{"Cancel", func(parent context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(parent)
			timer := time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, func() { timer.Stop(); cancel() }
		}, context.Canceled, true},
		{"Deadline", func(parent context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(parent, 100*time.Millisecond)
		}, context.DeadlineExceeded, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, h)
			ctx, cancel := tc.ctx(e.ctx)
			check := func(what string, err error) {
				t.Helper()
				if tc.exact {
					checkError(t, what, err, tc.err.Error(), tc.err)
				} else {
					checkIs(t, what, err, tc.err)
				}
			}
			_, err := e.p.Source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: block})
			cancel()
			check("source Configure", err)

			ctx, cancel = tc.ctx(e.ctx)
			_, err = e.p.Destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: block})
			cancel()
			check("destination Configure", err)

			e.teardownSource()
			e.teardownDestination()
		})
	}
}

// testContextEndsMidStream: cancelling the Run call's context, or its
// deadline, ends the stream with the context's error on the host's side.
func testContextEndsMidStream(t *testing.T, h Harness) {
	t.Run("SourceCancel", func(t *testing.T) {
		e := start(t, h)
		e.startSource(nil)
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		run := cpluginv1.RunSource(ctx, e.p.Source)
		e.recvRecord(run)
		cancel()
		checkIs(t, "Recv after cancel", recvUntilError(run), context.Canceled)
		checkIs(t, "Wait after cancel", e.waitRun(run), context.Canceled)
		e.teardownSource()
	})
	t.Run("SourceDeadline", func(t *testing.T) {
		e := start(t, h)
		e.startSource(nil)
		ctx, cancel := context.WithTimeout(e.ctx, 200*time.Millisecond)
		defer cancel()
		run := cpluginv1.RunSource(ctx, e.p.Source)
		// The connector sends its records and waits for acks that never
		// come: only the deadline ends the stream.
		checkIs(t, "Recv", recvUntilError(run), context.DeadlineExceeded)
		checkIs(t, "Wait", e.waitRun(run), context.DeadlineExceeded)
		e.teardownSource()
	})
	t.Run("DestinationCancel", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		ctx, cancel := context.WithCancel(e.ctx)
		defer cancel()
		run := cpluginv1.RunDestination(ctx, e.p.Destination)
		e.sendRecord(run, endlessRecord(1))
		e.recvAck(run)
		cancel()
		_, err := run.Recv()
		checkIs(t, "Recv after cancel", err, context.Canceled)
		checkIs(t, "Wait after cancel", e.waitRun(run), context.Canceled)
		e.teardownDestination()
	})
	t.Run("DestinationDeadline", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		ctx, cancel := context.WithTimeout(e.ctx, 200*time.Millisecond)
		defer cancel()
		run := cpluginv1.RunDestination(ctx, e.p.Destination)
		_, err := run.Recv()
		checkIs(t, "Recv", err, context.DeadlineExceeded)
		checkIs(t, "Wait", e.waitRun(run), context.DeadlineExceeded)
		e.teardownDestination()
	})
}
