package cancel_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
	"github.com/connectorkit/conduit-connector-protocol/reliability/cancel/internal/probe"
)

// promptly bounds how long a side may take to see that the other gave up.
// It takes milliseconds; the bound is generous for a loaded machine running
// the race detector, and a side that never notices fails the test instead
// of hanging it.
const promptly = 10 * time.Second

// endAfter is how many records a connector that ends its Run on its own
// moves first, so that it ends mid-stream.
const endAfter = 50

// connector is one instance of the probe connector, reached through one
// mode, with the reports of its Runs.
type connector struct {
	source      cpluginv1.SourcePlugin
	destination cpluginv1.DestinationPlugin
	reports     <-chan probe.Report
}

// modes are the ways the tests reach the probe connector.
var modes = []struct {
	name  string
	start func(ctx context.Context, t *testing.T) connector
}{
	{"BuiltIn", startBuiltIn},
	{"Standalone", startStandalone},
}

func startBuiltIn(_ context.Context, _ *testing.T) connector {
	reports := make(chan probe.Report, 8)
	report := func(r probe.Report) { reports <- r }
	return connector{
		source:      builtin.NewSource(probe.NewSource(report)),
		destination: builtin.NewDestination(probe.NewDestination(report)),
		reports:     reports,
	}
}

// startStandalone starts the probe executable; its reports arrive as
// stderr lines, which the client hands to its logger.
func startStandalone(ctx context.Context, t *testing.T) connector {
	t.Helper()
	reports := make(chan probe.Report, 8)
	c, err := client.New(ctx, client.Config{
		Path:   probeExecutable,
		Logger: slog.New(reportHandler{reports: reports}),
	})
	if err != nil {
		t.Fatalf("start the probe connector: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return connector{source: c.Source(), destination: c.Destination(), reports: reports}
}

// reportHandler is a slog.Handler that passes on the probe's reports among
// the lines the client logs and drops everything else.
type reportHandler struct {
	reports chan<- probe.Report
}

func (reportHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h reportHandler) Handle(_ context.Context, r slog.Record) error {
	if report, ok := probe.ParseReport(r.Message); ok {
		select {
		case h.reports <- report:
		default: // a Run reports once: more reports than room is the probe's bug, and the test waiting for one fails
		}
	}
	return nil
}

func (h reportHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h reportHandler) WithGroup(string) slog.Handler      { return h }

// The host cancels the context of a source's Run while the connector is
// sending: the host's Recv and Send return context.Canceled at once, and the
// connector's Send or Recv fails with context.Canceled, so its Run (which
// does not watch its context) returns.
func TestHostCancelsSourceRunMidStream(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := testContext(t)
			c := mode.start(ctx, t)
			configureSource(ctx, t, c.source, nil)
			runCtx, cancelRun := context.WithCancel(ctx)
			defer cancelRun()
			run := cpluginv1.RunSource(runCtx, c.source)
			var first []byte
			for i := range 10 {
				rec, err := run.Recv()
				if err != nil {
					t.Fatalf("Recv before the cancellation: %v", err)
				}
				if i == 0 {
					first = rec.Record.Position
				}
			}

			cancelled := time.Now()
			cancelRun()
			// Records already buffered may still come, but the stream must
			// end with the cancellation.
			err := recvUntilError(t, run)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the host's Recv after cancelling = %v, want context.Canceled", err)
			}
			// An ack that would be valid is not sent: the Run was cancelled.
			if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: first}); !errors.Is(err, context.Canceled) {
				t.Errorf("the host's Send of an ack after cancelling = %v, want context.Canceled", err)
			}
			checkCancelledReport(t, c.reports, "source", cancelled)
			if err := waitRun(t, run); !errors.Is(err, context.Canceled) {
				t.Errorf("Wait = %v, want context.Canceled", err)
			}
			if _, err := c.source.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
				t.Errorf("Teardown after the cancelled Run: %v", err)
			}
		})
	}
}

// The host cancels the context of a destination's Run while the connector
// waits for the next record: the host's Recv and Send return at once, and
// the connector's Recv fails with context.Canceled, so its Run returns.
func TestHostCancelsDestinationRunMidStream(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			ctx := testContext(t)
			c := mode.start(ctx, t)
			configureDestination(ctx, t, c.destination, nil)
			runCtx, cancelRun := context.WithCancel(ctx)
			defer cancelRun()
			run := cpluginv1.RunDestination(runCtx, c.destination)
			for i := range 10 {
				if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i + 1)}); err != nil {
					t.Fatalf("Send before the cancellation: %v", err)
				}
				if _, err := run.Recv(); err != nil {
					t.Fatalf("Recv before the cancellation: %v", err)
				}
			}

			// The connector now waits in Recv for a record that never comes.
			cancelled := time.Now()
			cancelRun()
			if _, err := run.Recv(); !errors.Is(err, context.Canceled) {
				t.Errorf("the host's Recv after cancelling = %v, want context.Canceled", err)
			}
			// Send neither blocks nor takes the record into the stream's
			// buffer, although it has room: the Run was cancelled.
			_, err := within(t, "the host's Send after cancelling", func() (struct{}, error) {
				return struct{}{}, run.Send(cpluginv1.DestinationRunRequest{Record: record(11)})
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("the host's Send after cancelling = %v, want context.Canceled", err)
			}
			if report := checkCancelledReport(t, c.reports, "destination", cancelled); report.Records != 10 {
				t.Errorf("the connector received %d records, want the 10 sent before the cancellation: a Send after it must not deliver its record", report.Records)
			}
			if err := waitRun(t, run); !errors.Is(err, context.Canceled) {
				t.Errorf("Wait = %v, want context.Canceled", err)
			}
			if _, err := c.destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
				t.Errorf("Teardown after the cancelled Run: %v", err)
			}
		})
	}
}

// endings are the ways a connector ends its own Run mid-stream, with what
// the host's Recv must return: the connector's message, and
// context.Canceled for errors.Is only if the connector's error wraps it.
var endings = []struct {
	name     string
	how      string
	message  string
	canceled bool
}{
	{"Error", "error", probe.ErrEnded.Error(), false},
	{"OwnCancellation", "cancel", "probe: Run cancelled its own context: context canceled", true},
}

// A source's Run returns mid-stream on its own: the host receives every
// record sent before, then its Recv returns the connector's error at once,
// and its Send of an ack returns io.EOF; the host's context is not
// cancelled.
func TestSourceEndsRunMidStream(t *testing.T) {
	for _, ending := range endings {
		for _, mode := range modes {
			t.Run(ending.name+"/"+mode.name, func(t *testing.T) {
				ctx := testContext(t)
				c := mode.start(ctx, t)
				configureSource(ctx, t, c.source, map[string]string{probe.KeyEndAfter: strconv.Itoa(endAfter), probe.KeyEndHow: ending.how})
				run := cpluginv1.RunSource(ctx, c.source)
				received := 0
				var err error
				for received <= endAfter {
					var rec cpluginv1.SourceRunResponse
					rec, err = recvWithin(t, run)
					if err != nil {
						break
					}
					received++
					if got, want := string(rec.Record.Position), strconv.Itoa(received); got != want {
						t.Fatalf("record %d has position %q, want %q", received, got, want)
					}
				}
				if received != endAfter {
					t.Errorf("received %d records before the end of the stream, want %d", received, endAfter)
				}
				checkEnding(t, "the host's Recv", err, ending.message, ending.canceled)
				checkEnding(t, "Wait", waitRun(t, run), ending.message, ending.canceled)
				if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: []byte("1")}); !errors.Is(err, io.EOF) {
					t.Errorf("the host's Send of an ack after the end of the stream = %v, want io.EOF", err)
				}
				if ctx.Err() != nil {
					t.Errorf("the host's context ended (%v): the connector's end must not cancel it", ctx.Err())
				}
				report := receiveReport(t, c.reports)
				if report.Plugin != "source" || report.Records != endAfter || report.Err != ending.message {
					t.Errorf("the connector reports %+v, want its source Run to end after %d records with %q", report, endAfter, ending.message)
				}
				if _, err := c.source.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
					t.Errorf("Teardown after the Run ended: %v", err)
				}
			})
		}
	}
}

// A destination's Run returns mid-stream on its own while the host keeps
// sending records: the host's Send stops blocking and returns io.EOF, and
// its Recv returns the acks sent before and then the connector's error, at
// once; the host's context is not cancelled.
func TestDestinationEndsRunMidStream(t *testing.T) {
	for _, ending := range endings {
		for _, mode := range modes {
			t.Run(ending.name+"/"+mode.name, func(t *testing.T) {
				ctx := testContext(t)
				c := mode.start(ctx, t)
				configureDestination(ctx, t, c.destination, map[string]string{probe.KeyEndAfter: strconv.Itoa(endAfter), probe.KeyEndHow: ending.how})
				run := cpluginv1.RunDestination(ctx, c.destination)

				// The sender goes on until Send fails: far more records than
				// the connector takes, so that it blocks once the buffers
				// between the two sides are full.
				sendErr := make(chan error, 1)
				go func() {
					for n := 1; ; n++ {
						if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(n)}); err != nil {
							sendErr <- err
							return
						}
					}
				}()

				acked := 0
				var err error
				for acked <= endAfter {
					var ack cpluginv1.DestinationRunResponse
					ack, err = recvAckWithin(t, run)
					if err != nil {
						break
					}
					acked++
					if got, want := string(ack.AckPosition), strconv.Itoa(acked); got != want || ack.Error != "" {
						t.Fatalf("ack %d is (%q, %q), want a positive ack for %q", acked, got, ack.Error, want)
					}
				}
				if acked != endAfter {
					t.Errorf("received %d acks before the end of the stream, want %d", acked, endAfter)
				}
				checkEnding(t, "the host's Recv", err, ending.message, ending.canceled)
				checkEnding(t, "Wait", waitRun(t, run), ending.message, ending.canceled)
				select {
				case err := <-sendErr:
					if !errors.Is(err, io.EOF) {
						t.Errorf("the host's Send after the end of the stream = %v, want io.EOF", err)
					}
				case <-time.After(promptly):
					t.Fatalf("the host's Send still blocks %v after the connector's Run returned", promptly)
				}
				if ctx.Err() != nil {
					t.Errorf("the host's context ended (%v): the connector's end must not cancel it", ctx.Err())
				}
				report := receiveReport(t, c.reports)
				if report.Plugin != "destination" || report.Records != endAfter || report.Err != ending.message {
					t.Errorf("the connector reports %+v, want its destination Run to end after %d records with %q", report, endAfter, ending.message)
				}
				if _, err := c.destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
					t.Errorf("Teardown after the Run ended: %v", err)
				}
			})
		}
	}
}

func checkEnding(t *testing.T, what string, err error, message string, canceled bool) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want the connector's error %q", what, message)
		return
	}
	if err.Error() != message {
		t.Errorf("%s = %q, want the connector's error %q", what, err, message)
	}
	if errors.Is(err, context.Canceled) != canceled {
		t.Errorf("%s: errors.Is(err, context.Canceled) = %v, want %v", what, !canceled, canceled)
	}
	if errors.Is(err, io.EOF) {
		t.Errorf("%s: an error that ends the stream must not look like its normal end (io.EOF)", what)
	}
}

// checkCancelledReport waits for the connector's report of a Run the host
// cancelled at cancelled, checks that the Run returned context.Canceled,
// from a failed Send or Recv, with its context ended, and returns the
// report.
func checkCancelledReport(t *testing.T, reports <-chan probe.Report, plugin string, cancelled time.Time) probe.Report {
	t.Helper()
	report := receiveReport(t, reports)
	t.Logf("the connector's %s Run returned %v after the host cancelled, having moved %d records: %q",
		report.Plugin, time.Since(cancelled).Round(time.Millisecond), report.Records, report.Err)
	if report.Plugin != plugin || !report.Canceled || !report.ContextDone {
		t.Errorf("the connector reports %+v, want its %s Run to end with context.Canceled and its context ended", report, plugin)
	}
	return report
}

// receiveReport waits up to promptly for the connector's report of a Run's
// end.
func receiveReport(t *testing.T, reports <-chan probe.Report) probe.Report {
	t.Helper()
	select {
	case report := <-reports:
		return report
	case <-time.After(promptly):
		t.Fatalf("the connector's Run did not return within %v", promptly)
		return probe.Report{}
	}
}

// recvUntilError receives from a source's stream until it fails, within
// promptly.
func recvUntilError(t *testing.T, run *cpluginv1.SourceRun) error {
	t.Helper()
	for {
		if _, err := recvWithin(t, run); err != nil {
			return err
		}
	}
}

func recvWithin(t *testing.T, run *cpluginv1.SourceRun) (cpluginv1.SourceRunResponse, error) {
	t.Helper()
	return within(t, "the host's Recv", run.Recv)
}

func recvAckWithin(t *testing.T, run *cpluginv1.DestinationRun) (cpluginv1.DestinationRunResponse, error) {
	t.Helper()
	return within(t, "the host's Recv", run.Recv)
}

// within calls fn, failing the test if it does not return within promptly.
// A call that never returns leaves its goroutine behind, which the leak
// check of TestMain then reports as well.
func within[T any](t *testing.T, what string, fn func() (T, error)) (T, error) {
	t.Helper()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-time.After(promptly):
		t.Fatalf("%s did not return within %v", what, promptly)
		var zero T
		return zero, nil
	}
}

// waitRun waits up to promptly for a Run stream's connector call to return.
func waitRun(t *testing.T, run interface{ Wait() error }) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(promptly):
		t.Fatalf("the Run call did not return within %v", promptly)
		return nil
	}
}

func configureSource(ctx context.Context, t *testing.T, source cpluginv1.SourcePlugin, config map[string]string) {
	t.Helper()
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("source Configure: %v", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("source Start: %v", err)
	}
}

func configureDestination(ctx context.Context, t *testing.T, destination cpluginv1.DestinationPlugin, config map[string]string) {
	t.Helper()
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: config}); err != nil {
		t.Fatalf("destination Configure: %v", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("destination Start: %v", err)
	}
}

func record(n int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte(strconv.Itoa(n)),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData("host")},
	}
}

// testContext bounds every call of a test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, time.Minute)
}
