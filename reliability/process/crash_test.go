package process_test

import (
	"context"
	"errors"
	"io"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// exitNoticeLimit is how soon after the connector process dies the host's
// Run stream must report it.
const exitNoticeLimit = time.Second

// TestConnectorKilledDuringSourceRun: the source's process is killed
// (SIGKILL, as the OOM killer does) while it sends records. The host's Recv
// fails within a second with an error saying that the connector exited and
// how, matching ErrConnectorUnavailable; by then the process was reaped.
// Send then reports the end of the stream (io.EOF), a later call says the
// connector exited before it, and Close leaves nothing behind.
func TestConnectorKilledDuringSourceRun(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{})
	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "0"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := c.Source().Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	run := cpluginv1.RunSource(runCtx, c.Source())
	for i := range 10 {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("ack %d: %v", i, err)
		}
	}

	killed := time.Now()
	if err := syscall.Kill(c.pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill connector: %v", err)
	}
	// Records already on their way are still delivered; the connector sends
	// without pause, so the host drains them until the stream ends.
	var err error
	for err == nil {
		_, err = run.Recv()
	}
	noticed := time.Since(killed)
	t.Logf("Recv failed %v after the kill: %v", noticed, err)
	checkExitError(t, err, "exited (signal: killed) during Run")
	if noticed > exitNoticeLimit {
		t.Errorf("Recv reported the exit %v after the kill, want within %v", noticed, exitNoticeLimit)
	}
	if !reaped(c.pid) {
		t.Errorf("process %d was not reaped by the time Recv reported its exit", c.pid)
	}
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: []byte("pos-10")}); !errors.Is(err, io.EOF) {
		t.Errorf("Send after the connector died = %v, want io.EOF (the stream ended; Recv says why)", err)
	}
	if err := run.Wait(); err == nil || err.Error() != errorText(t, run.Recv) {
		t.Errorf("Wait = %v, want Recv's error", err)
	}

	_, err = c.Source().Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	checkExitError(t, err, "exited (signal: killed) before Teardown")

	cancelRun()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// TestConnectorKilledDuringDestinationRun: as for a source, with the host
// sending records: Recv fails within a second saying that the connector
// exited, by then the process was reaped, Send reports the end of the
// stream, a later call says the connector exited before it, and Close
// leaves nothing behind.
func TestConnectorKilledDuringDestinationRun(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{})
	if _, err := c.Destination().Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := c.Destination().Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	run := cpluginv1.RunDestination(runCtx, c.Destination())
	for i := range 10 {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		if ack, err := run.Recv(); err != nil || string(ack.AckPosition) != position(i) {
			t.Fatalf("Recv %d = %q, %v, want the ack of %s", i, ack.AckPosition, err, position(i))
		}
	}

	killed := time.Now()
	if err := syscall.Kill(c.pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill connector: %v", err)
	}
	_, err := run.Recv()
	noticed := time.Since(killed)
	t.Logf("Recv failed %v after the kill: %v", noticed, err)
	checkExitError(t, err, "exited (signal: killed) during Run")
	if noticed > exitNoticeLimit {
		t.Errorf("Recv reported the exit %v after the kill, want within %v", noticed, exitNoticeLimit)
	}
	if !reaped(c.pid) {
		t.Errorf("process %d was not reaped by the time Recv reported its exit", c.pid)
	}
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(10)}); !errors.Is(err, io.EOF) {
		t.Errorf("Send after the connector died = %v, want io.EOF (the stream ended; Recv says why)", err)
	}
	if err := run.Wait(); err == nil || err.Error() != errorText(t, run.Recv) {
		t.Errorf("Wait = %v, want Recv's error", err)
	}

	_, err = c.Destination().Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
	checkExitError(t, err, "exited (signal: killed) before Teardown")

	cancelRun()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// TestConnectorExitsDuringSourceRun: the source exits by itself (status 3)
// after sending five records: the host gets at most those five (records
// still in the process's buffers when it exits are lost, and never acked),
// in order, then an error with the exit status.
func TestConnectorExitsDuringSourceRun(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{}, "FAULT_EXIT_AFTER=5")
	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "0"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	run := cpluginv1.RunSource(runCtx, c.Source())
	var err error
	for i := 0; ; i++ {
		var resp cpluginv1.SourceRunResponse
		if resp, err = run.Recv(); err != nil {
			break
		}
		if i >= 5 || string(resp.Record.Position) != position(i) {
			t.Fatalf("record %d has position %q, want at most 5 records pos-0 to pos-4 in order", i, resp.Record.Position)
		}
	}
	checkExitError(t, err, "exited (exit status 3) during Run")

	cancelRun()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// TestConnectorExitsDuringDestinationRun: the destination exits by itself
// (status 3) once it received and acked three records: the host gets the
// first two acks, maybe the third (it may be lost with the process), then
// an error with the exit status.
func TestConnectorExitsDuringDestinationRun(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{}, "FAULT_EXIT_AFTER=3")
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	run := cpluginv1.RunDestination(runCtx, c.Destination())
	var err error
	for i := range 3 {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
		var ack cpluginv1.DestinationRunResponse
		ack, err = run.Recv()
		if i == 2 && err != nil {
			break
		}
		if err != nil || string(ack.AckPosition) != position(i) {
			t.Fatalf("Recv %d = %q, %v, want the ack of %s", i, ack.AckPosition, err, position(i))
		}
	}
	if err == nil {
		_, err = run.Recv()
	}
	checkExitError(t, err, "exited (exit status 3) during Run")

	cancelRun()
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// checkExitError asserts that err reports the connector's exit in one
// sentence naming the executable, and matches ErrConnectorUnavailable.
func checkExitError(t *testing.T, err error, says string) {
	t.Helper()
	checkOneSentence(t, err, "connector "+faultConnector, says)
	if !errors.Is(err, client.ErrConnectorUnavailable) {
		t.Errorf("errors.Is(%v, ErrConnectorUnavailable) = false", err)
	}
}

// errorText returns the error text of next, which must fail.
func errorText[T any](t *testing.T, next func() (T, error)) string {
	t.Helper()
	_, err := next()
	if err == nil {
		t.Fatal("the stream goes on after it failed")
	}
	return err.Error()
}

func position(i int) string { return "pos-" + strconv.Itoa(i) }

func record(i int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte(position(i)),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData("payload " + strconv.Itoa(i))},
	}
}
