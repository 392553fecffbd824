package cplugintest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// DefaultTimeout bounds each case of the suite when Harness.Timeout is zero.
// A case that hangs fails with a message when it runs out instead of
// hanging the test binary.
const DefaultTimeout = time.Minute

// watchdogGrace is how long a case may go on after its timeout before the
// suite's watchdog ends the test binary (see Harness.Timeout).
const watchdogGrace = 30 * time.Second

// Harness is how the suite reaches the test connector through one
// transport.
type Harness struct {
	// Start starts a new instance of the test connector ([Connector]) and
	// returns its plugins as the transport under test delivers them to a
	// host. The suite calls it once per case, with the case's t, on which
	// Start registers whatever stops the instance again (t.Cleanup).
	Start func(t *testing.T) Plugins
	// MaxMessageSize is the largest message, in bytes, the transport
	// carries in either direction, or 0 if it has no limit (built-in mode
	// serialises nothing), in which case the size limit cases are skipped.
	MaxMessageSize int
	// Timeout bounds each case; zero means DefaultTimeout. Every call and
	// every wait of a case is bounded by a context with this timeout, so a
	// transport that loses a message fails the case. A transport whose call
	// does not return when its context ends would still block the case: if
	// a case is still running 30 seconds after its timeout, the suite ends
	// the test binary with a panic that names the case and prints every
	// goroutine's stack, instead of leaving it to go test's own timeout.
	Timeout time.Duration
	// IgnoreGoroutines are goleak options for goroutines the transport
	// keeps running on purpose after a case has ended. Goroutines that were
	// running before Run was called are ignored anyway.
	IgnoreGoroutines []goleak.Option
}

// Run runs every case of the parity suite against the transport h reaches
// the test connector through, each as a subtest with a connector instance
// of its own, and then checks that no goroutine is left behind. Every
// transport must pass it unchanged: that is what makes a connector behave
// the same built-in and standalone.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Start == nil {
		t.Fatal("cplugintest.Run: Harness.Start is nil")
	}
	baseline := goleak.IgnoreCurrent()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
	goleak.VerifyNone(t, append(slices.Clone(h.IgnoreGoroutines), baseline)...)
}

var cases = []struct {
	name string
	run  func(*testing.T, Harness)
}{
	{"Specify", testSpecify},
	{"SourceFullRun", testSourceFullRun},
	{"DestinationFullRun", testDestinationFullRun},
	{"LifecycleOnDeleted", testLifecycleOnDeleted},
	{"SchemaService", testSchemaService},
	{"CallsOutOfOrder", testCallsOutOfOrder},
	{"OldConnectorLifecycleUnimplemented", testOldConnector},
	{"SourceStopDrainsRecordsInFlight", testSourceStopDrains},
	{"SourceConcurrentSendAndRecv", testSourceConcurrent},
	{"SourceRecordBreaksContract", testSourceRecordBreaksContract},
	{"SourceRecordAfterStopPosition", testSourceRecordAfterStopPosition},
	{"SourceAckBreaksContract", testSourceAckBreaksContract},
	{"DestinationRecordBreaksContract", testDestinationRecordBreaksContract},
	{"DestinationAckBreaksContract", testDestinationAckBreaksContract},
	{"DestinationAcksAndNacks", testDestinationAcksAndNacks},
	{"DestinationConcurrentSendAndRecv", testDestinationConcurrent},
	{"DestinationStopFlushesHeldAcks", testDestinationStopFlushes},
	{"Errors", testErrors},
	{"ContextEndedBeforeCall", testContextEndedBeforeCall},
	{"ContextEndsMidCall", testContextEndsMidCall},
	{"ContextEndsMidStream", testContextEndsMidStream},
	{"TeardownBeforeConfigure", testTeardownBeforeConfigure},
	{"TeardownDuringRun", testTeardownDuringRun},
	{"SourceSendUnsupportedValue", testSourceUnsupported},
	{"DestinationSendUnsupportedValue", testDestinationUnsupported},
	{"RecordSizeLimit", testRecordSizeLimit},
	{"InvalidUTF8", testInvalidUTF8},
}

// sentinels are the errors whose identity crosses the boundary, plus the
// ones that must not appear where they do not belong.
var sentinels = []error{
	cpluginv1.ErrUnimplemented,
	cpluginv1.ErrInvalidArgument,
	cpluginv1.ErrFailedPrecondition,
	cpluginv1.ErrMessageTooLarge,
	cpluginv1.ErrUnsupportedValue,
	context.Canceled,
	context.DeadlineExceeded,
	io.EOF,
}

// env is one case's connector instance and context.
type env struct {
	t   *testing.T
	ctx context.Context
	p   Plugins
}

func start(t *testing.T, h Harness) *env {
	t.Helper()
	timeout := h.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	name := t.Name()
	watchdog := time.AfterFunc(timeout+watchdogGrace, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("cplugintest: case %s is still running %v after its timeout of %v: a call of the transport does not return when its context ends", name, watchdogGrace, timeout))
	})
	// Registered before Start's cleanups, so it runs after them and the
	// watchdog also covers stopping the connector.
	t.Cleanup(func() {
		watchdog.Stop()
		cancel()
	})
	return &env{t: t, ctx: ctx, p: h.Start(t)}
}

// waitRun waits for a Run stream's connector call to return and returns its
// error, or fails the case if the case's context ends first.
func (e *env) waitRun(run interface{ Wait() error }) error {
	e.t.Helper()
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case err := <-done:
		return err
	case <-e.ctx.Done():
		e.t.Fatalf("waiting for Run to return: %v", e.ctx.Err())
		return nil
	}
}

// receive returns the next value from ch, or fails the case if the case's
// context ends first; what says what the case was waiting for.
func receive[T any](e *env, ch <-chan T, what string) T {
	e.t.Helper()
	select {
	case v := <-ch:
		return v
	case <-e.ctx.Done():
		e.t.Fatalf("waiting for %s: %v", what, e.ctx.Err())
		var zero T
		return zero
	}
}

func (e *env) configureSource(config map[string]string) {
	e.t.Helper()
	if _, err := e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		e.t.Fatalf("source Configure: %v", err)
	}
}

func (e *env) startSource(config map[string]string) {
	e.t.Helper()
	e.configureSource(config)
	if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
		e.t.Fatalf("source Start: %v", err)
	}
}

func (e *env) configureDestination(config map[string]string) {
	e.t.Helper()
	if _, err := e.p.Destination.Configure(e.ctx, cpluginv1.DestinationConfigureRequest{Config: config}); err != nil {
		e.t.Fatalf("destination Configure: %v", err)
	}
}

func (e *env) startDestination(config map[string]string) {
	e.t.Helper()
	e.configureDestination(config)
	if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		e.t.Fatalf("destination Start: %v", err)
	}
}

func (e *env) teardownSource() {
	e.t.Helper()
	if _, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		e.t.Fatalf("source Teardown: %v", err)
	}
}

func (e *env) teardownDestination() {
	e.t.Helper()
	if _, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		e.t.Fatalf("destination Teardown: %v", err)
	}
}

func (e *env) recvRecord(run *cpluginv1.SourceRun) cpluginv1.Record {
	e.t.Helper()
	resp, err := run.Recv()
	if err != nil {
		e.t.Fatalf("source Run: Recv: %v", err)
	}
	return resp.Record
}

func (e *env) ack(run *cpluginv1.SourceRun, position []byte) {
	e.t.Helper()
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position}); err != nil {
		e.t.Fatalf("source Run: Send ack %q: %v", position, err)
	}
}

// endSourceRun closes the host's side and checks that the stream then ends
// normally: Recv gives io.EOF (no record after the last one) and Run nil.
func (e *env) endSourceRun(run *cpluginv1.SourceRun) {
	e.t.Helper()
	if err := run.CloseSend(); err != nil {
		e.t.Fatalf("source Run: CloseSend: %v", err)
	}
	if resp, err := run.Recv(); !errors.Is(err, io.EOF) {
		e.t.Fatalf("source Run: Recv after CloseSend = (record %q, %v), want io.EOF", resp.Record.Position, err)
	}
	if err := e.waitRun(run); err != nil {
		e.t.Fatalf("source Run: Wait = %v, want nil", err)
	}
}

func (e *env) endDestinationRun(run *cpluginv1.DestinationRun) {
	e.t.Helper()
	if err := run.CloseSend(); err != nil {
		e.t.Fatalf("destination Run: CloseSend: %v", err)
	}
	if ack, err := run.Recv(); !errors.Is(err, io.EOF) {
		e.t.Fatalf("destination Run: Recv after CloseSend = (ack %q, %v), want io.EOF", ack.AckPosition, err)
	}
	if err := e.waitRun(run); err != nil {
		e.t.Fatalf("destination Run: Wait = %v, want nil", err)
	}
}

func (e *env) sendRecord(run *cpluginv1.DestinationRun, record cpluginv1.Record) {
	e.t.Helper()
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record}); err != nil {
		e.t.Fatalf("destination Run: Send record %q: %v", record.Position, err)
	}
}

func (e *env) recvAck(run *cpluginv1.DestinationRun) cpluginv1.DestinationRunResponse {
	e.t.Helper()
	ack, err := run.Recv()
	if err != nil {
		e.t.Fatalf("destination Run: Recv: %v", err)
	}
	return ack
}

// recvUntilError receives records until Recv fails and returns its error.
func recvUntilError(run *cpluginv1.SourceRun) error {
	for {
		if _, err := run.Recv(); err != nil {
			return err
		}
	}
}

// checkError checks that err has message want and, of the sentinels,
// matches (errors.Is) exactly sentinel (none if nil).
func checkError(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want an error %q", what, want)
		return
	}
	if err.Error() != want {
		t.Errorf("%s: message %q, want %q", what, err.Error(), want)
	}
	for _, s := range sentinels {
		if got, want := errors.Is(err, s), sentinel != nil && errors.Is(sentinel, s); got != want {
			t.Errorf("%s = %q: errors.Is(err, %q) = %v, want %v", what, err, s, got, want)
		}
	}
}

// checkIs checks that err matches sentinel and no other of the sentinels.
func checkIs(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want an error wrapping %q", what, sentinel)
		return
	}
	for _, s := range sentinels {
		if got, want := errors.Is(err, s), sentinel != nil && errors.Is(sentinel, s); got != want {
			t.Errorf("%s = %q: errors.Is(err, %q) = %v, want %v", what, err, s, got, want)
		}
	}
}

func journal(entries ...string) string {
	return "journal: " + strings.Join(entries, "; ")
}

// testConfig is a configuration with values that must survive unchanged:
// an empty value, non-ASCII text, control characters.
func testConfig() map[string]string {
	return map[string]string{
		keyJournal:        "true",
		"url":             "https://example.com/ä?a=1&b=2",
		"empty":           "",
		"multi\nline key": "tab\tvalue",
		"ünïcödé":         "✓",
	}
}

func testSpecify(t *testing.T, h Harness) {
	e := start(t, h)
	resp, err := e.p.Specifier.Specify(e.ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	if diff := cmp.Diff(Specification(), resp.Specification, EquateEmpty()); diff != "" {
		t.Fatalf("Specify returned another specification (-want +got):\n%s", diff)
	}
}

// testSourceFullRun goes through every source call in the protocol's
// order and checks the data on both sides: the connector's journal shows
// what it received, the host checks what it received.
func testSourceFullRun(t *testing.T, h Harness) {
	e := start(t, h)
	config, before := testConfig(), map[string]string{"url": "https://old.example.com"}
	want := []string{
		fmt.Sprintf("Configure(%q)", config),
		fmt.Sprintf("LifecycleOnUpdated(%q, %q)", before, config),
		fmt.Sprintf("Start(%q)", "resume-after-this"),
		"Run",
		"Stop",
		"Run ended: 4 records sent, 4 acked",
		"Teardown",
	}

	sent := maps.Clone(config)
	e.configureSource(sent)
	// The connector keeps the map it got; it must be a copy of its own.
	delete(sent, keyJournal)
	if _, err := e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: config}); err != nil {
		t.Fatalf("LifecycleOnUpdated: %v", err)
	}
	if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{Position: []byte("resume-after-this")}); err != nil {
		t.Fatalf("Start: %v", err)
	}

	run := cpluginv1.RunSource(e.ctx, e.p.Source)
	for i, sent := range Records() {
		got := e.recvRecord(run)
		if diff := cmp.Diff(Normalized(sent), got, EquateEmpty()); diff != "" {
			t.Fatalf("record %d differs from what the connector sent, normalised (-want +got):\n%s", i+1, diff)
		}
		e.ack(run, got.Position)
	}
	stop, err := e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if got, want := string(stop.LastPosition), "fixed-4"; got != want {
		t.Fatalf("Stop returned last position %q, want %q", got, want)
	}
	e.endSourceRun(run)

	_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
	checkError(t, "Teardown (reports the journal)", err, journal(want...), nil)
}

func testDestinationFullRun(t *testing.T, h Harness) {
	e := start(t, h)
	config := testConfig()
	want := []string{
		fmt.Sprintf("Configure(%q)", config),
		fmt.Sprintf("LifecycleOnCreated(%q)", config),
		"Start",
		"Run",
		fmt.Sprintf("Stop(%q)", "fixed-4"),
		"Run ended: 4 records received",
		"Teardown",
	}

	sent := maps.Clone(config)
	e.configureDestination(sent)
	delete(sent, keyJournal) // the connector must have a copy of its own
	if _, err := e.p.Destination.LifecycleOnCreated(e.ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}); err != nil {
		t.Fatalf("LifecycleOnCreated: %v", err)
	}
	if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}

	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	records := Records()
	for _, record := range records {
		e.sendRecord(run, record)
	}
	for _, record := range records {
		ack := e.recvAck(run)
		if !bytes.Equal(ack.AckPosition, record.Position) {
			t.Fatalf("ack for position %q, want %q", ack.AckPosition, record.Position)
		}
		if ack.Error != "" {
			// The connector compares what it received with what was sent.
			t.Fatalf("negative ack for %q: %s", ack.AckPosition, ack.Error)
		}
	}
	if _, err := e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("fixed-4")}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	e.endDestinationRun(run)

	_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
	checkError(t, "Teardown (reports the journal)", err, journal(want...), nil)
}

func testLifecycleOnDeleted(t *testing.T, h Harness) {
	config := testConfig()
	want := journal(fmt.Sprintf("Configure(%q)", config), fmt.Sprintf("LifecycleOnDeleted(%q)", config), "Teardown")
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		if _, err := e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted: %v", err)
		}
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		if _, err := e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted: %v", err)
		}
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	// A deleted connector gets no Configure first (the Conduit server sends
	// LifecycleOnDeleted alone, with the last configuration).
	alone := journal(fmt.Sprintf("LifecycleOnDeleted(%q)", config), "Teardown")
	t.Run("SourceWithoutConfigure", func(t *testing.T) {
		e := start(t, h)
		if _, err := e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted as the first call: %v", err)
		}
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, alone, nil)
	})
	t.Run("DestinationWithoutConfigure", func(t *testing.T) {
		e := start(t, h)
		if _, err := e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("LifecycleOnDeleted as the first call: %v", err)
		}
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, alone, nil)
	})
}

// testSchemaService: a connector finds the host's schema service with
// cpluginv1.SchemaServiceFromContext, and registering, fetching and each
// kind of failure behave the same through every transport (the connector
// reports what it saw in its journal).
func testSchemaService(t *testing.T, h Harness) {
	config := map[string]string{keyJournal: "true", keySchemas: "true"}
	want := journal(
		fmt.Sprintf("Configure(%q)", config),
		"Schemas(first v1 avro; again v1 same id true ok; second v2 new id true ok; other subject v1 same id true ok; "+
			"get v2 subject ok true version 2 bytes ok true id ok true ok; missing subject ErrSchemaSubjectNotFound; "+
			"missing version ErrSchemaVersionNotFound; empty subject ErrInvalidSchema; not json ErrInvalidSchema; no type ErrInvalidSchema)",
		"Teardown",
	)
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		checkError(t, "Teardown (reports the journal)", err, want, nil)
	})
}

// testCallsOutOfOrder checks that the connector's FAILED_PRECONDITION
// answers reach the host as ErrFailedPrecondition, for unary calls and Run.
func testCallsOutOfOrder(t *testing.T, h Harness) {
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{})
		checkIs(t, "Start before Configure", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
		checkIs(t, "Stop before Start", err, cpluginv1.ErrFailedPrecondition)
		e.configureSource(nil)
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		checkIs(t, "Run before Start: Recv", recvUntilError(run), cpluginv1.ErrFailedPrecondition)
		checkIs(t, "Run before Start: Wait", e.waitRun(run), cpluginv1.ErrFailedPrecondition)
		if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("Start: %v", err)
		}
		_, err = e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
		checkIs(t, "LifecycleOnCreated after Start", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{})
		checkIs(t, "Configure after Start", err, cpluginv1.ErrFailedPrecondition)
		e.teardownSource()
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{})
		checkIs(t, "Start before Configure", err, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{})
		checkIs(t, "Stop before Start", err, cpluginv1.ErrFailedPrecondition)
		e.configureDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		_, err = run.Recv()
		checkIs(t, "Run before Start: Recv", err, cpluginv1.ErrFailedPrecondition)
		checkIs(t, "Run before Start: Wait", e.waitRun(run), cpluginv1.ErrFailedPrecondition)
		if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatalf("Start: %v", err)
		}
		_, err = e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{})
		checkIs(t, "LifecycleOnUpdated after Start", err, cpluginv1.ErrFailedPrecondition)
		e.teardownDestination()
	})
}

// testOldConnector: a connector that predates lifecycle events answers
// them with ErrUnimplemented (which hosts built here accept as "nothing to
// do"); the error reaches the host unchanged and the connector keeps
// working.
func testOldConnector(t *testing.T, h Harness) {
	config := map[string]string{keyOld: "true"}
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(config)
		want := oldLifecycleError("source lifecycle on created")
		_, err := e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config})
		checkError(t, "LifecycleOnCreated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("source lifecycle on updated")
		_, err = e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigAfter: config})
		checkError(t, "LifecycleOnUpdated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("source lifecycle on deleted")
		_, err = e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config})
		checkError(t, "LifecycleOnDeleted", err, want.Error(), cpluginv1.ErrUnimplemented)
		if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("Start after the unimplemented lifecycle calls: %v", err)
		}
		e.teardownSource()
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.configureDestination(config)
		want := oldLifecycleError("destination lifecycle on created")
		_, err := e.p.Destination.LifecycleOnCreated(e.ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config})
		checkError(t, "LifecycleOnCreated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("destination lifecycle on updated")
		_, err = e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigAfter: config})
		checkError(t, "LifecycleOnUpdated", err, want.Error(), cpluginv1.ErrUnimplemented)
		want = oldLifecycleError("destination lifecycle on deleted")
		_, err = e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config})
		checkError(t, "LifecycleOnDeleted", err, want.Error(), cpluginv1.ErrUnimplemented)
		if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatalf("Start after the unimplemented lifecycle calls: %v", err)
		}
		e.teardownDestination()
	})
}

// testSourceStopDrains: the host stops a source that keeps producing,
// with records received but not acked yet. It keeps receiving until the
// position Stop returned arrived, acks everything, and closes its side;
// the stream then ends normally. The connector fails Run if a record it
// sent was not acked (keyRequireAcks).
func testSourceStopDrains(t *testing.T, h Harness) {
	e := start(t, h)
	e.startSource(map[string]string{keySourceRun: "endless", keyRequireAcks: "true"})
	run := cpluginv1.RunSource(e.ctx, e.p.Source)

	var received [][]byte
	for range 3 {
		received = append(received, e.recvRecord(run).Position) // in flight: not acked yet
	}
	stop, err := e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if len(stop.LastPosition) == 0 {
		t.Fatal("Stop returned an empty last position after records were sent")
	}
	for !bytes.Equal(received[len(received)-1], stop.LastPosition) {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv before the last position %q arrived: %v", stop.LastPosition, err)
		}
		received = append(received, resp.Record.Position)
	}
	for i, position := range received {
		if want := fmt.Sprintf("pos-%d", i+1); string(position) != want {
			t.Fatalf("record %d has position %q, want %q", i+1, position, want)
		}
		e.ack(run, position)
	}
	e.endSourceRun(run)
	e.teardownSource()
}

// testSourceConcurrent receives records in one goroutine while another
// sends their acks, as hosts do.
func testSourceConcurrent(t *testing.T, h Harness) {
	const n = 500
	e := start(t, h)
	e.startSource(map[string]string{keySourceRun: "endless", keyRequireAcks: "true"})
	run := cpluginv1.RunSource(e.ctx, e.p.Source)

	positions := make(chan []byte, 16)
	ackErr := make(chan error, 1)
	go func() {
		for position := range positions {
			if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position}); err != nil {
				ackErr <- fmt.Errorf("send ack %q: %w", position, err)
				for range positions {
					// Drain, so that the receiving side never blocks.
				}
				return
			}
		}
		ackErr <- nil
	}()
	forward := func(position []byte) {
		select {
		case positions <- position:
		case <-e.ctx.Done():
			t.Fatalf("forwarding position %q to the acking goroutine: %v", position, e.ctx.Err())
		}
	}

	var last []byte
	for i := 1; i <= n; i++ {
		last = e.recvRecord(run).Position
		if want := fmt.Sprintf("pos-%d", i); string(last) != want {
			close(positions)
			t.Fatalf("record %d has position %q, want %q", i, last, want)
		}
		forward(last)
	}
	stop, err := e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		close(positions)
		t.Fatalf("Stop: %v", err)
	}
	for !bytes.Equal(last, stop.LastPosition) {
		resp, err := run.Recv()
		if err != nil {
			close(positions)
			t.Fatalf("Recv before the last position %q arrived: %v", stop.LastPosition, err)
		}
		last = resp.Record.Position
		forward(last)
	}
	close(positions)
	if err := receive(e, ackErr, "the acking goroutine"); err != nil {
		t.Fatal(err)
	}
	e.endSourceRun(run)
	e.teardownSource()
}

// checkContractError checks that err is the *cpluginv1.ContractError with
// which the host's end of a Run stream refuses a message that breaks the
// protocol's rules, with message want, wrapping sentinel.
func checkContractError(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	var contractErr *cpluginv1.ContractError
	if err != nil && !errors.As(err, &contractErr) {
		t.Errorf("%s = %v (%T), want a *cpluginv1.ContractError", what, err, err)
	}
	checkError(t, what, err, want, sentinel)
}

// checkRunCancelled checks, from the journal Teardown reports, that the
// connector's Run saw its context cancelled: the host ended the stream.
// The connector's Run may end before or after Teardown is journaled.
func (e *env) checkRunCancelled(err error) {
	e.t.Helper()
	var ended string
	if err != nil {
		if _, after, ok := strings.Cut(err.Error(), "; Run ended: "); ok {
			ended = strings.TrimSuffix(after, "; Teardown")
		}
	}
	if !strings.HasSuffix(ended, "context canceled") {
		e.t.Errorf("Teardown reported the journal %v, want one whose Run ended with context canceled: the host ends the stream, which cancels the connector's Run", err)
	}
}

// testSourceRecordBreaksContract: a record that breaks the contract's rules
// (no position, an operation that is not defined) ends the stream on the
// host's side with ErrInvalidArgument and a message naming the record and
// the field; the connector's Run is cancelled. The record before it
// arrives.
func testSourceRecordBreaksContract(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name, mode, want string
	}{
		{"WithoutPosition", "no-position", "record 2 from the source: position is empty; every record needs one, as acks name records by their position"},
		{"OperationUnspecified", "undefined-operation:0", `record 2 from the source (position "pos-2"): operation is 0, want create (1), update (2), delete (3) or snapshot (4)`},
		{"OperationUndefined", "undefined-operation:7", `record 2 from the source (position "pos-2"): operation is 7, want create (1), update (2), delete (3) or snapshot (4)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, h)
			e.startSource(map[string]string{keySourceRun: tc.mode, keyJournal: "true"})
			run := cpluginv1.RunSource(e.ctx, e.p.Source)
			if got := e.recvRecord(run); string(got.Position) != "pos-1" {
				t.Fatalf("first record has position %q, want \"pos-1\"", got.Position)
			}
			_, err := run.Recv()
			checkContractError(t, "Recv of the record that breaks the contract", err, tc.want, cpluginv1.ErrInvalidArgument)
			checkContractError(t, "Wait", e.waitRun(run), tc.want, cpluginv1.ErrInvalidArgument)
			_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
			e.checkRunCancelled(err)
		})
	}
}

// testSourceRecordAfterStopPosition: a source that sends a record after the
// one at the position Stop returned, or records although Stop returned an
// empty position, is stopped by the host's end of the stream
// (SourceRun.Stop) with ErrFailedPrecondition and a message naming both.
func testSourceRecordAfterStopPosition(t *testing.T, h Harness) {
	t.Run("OneMore", func(t *testing.T) {
		e := start(t, h)
		e.startSource(map[string]string{keySourceRun: "endless", keySourceStop: "one-more", keyJournal: "true"})
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		e.recvRecord(run)
		stop, err := run.Stop(e.ctx)
		if err != nil {
			t.Fatalf("Stop: %v", err)
		}
		var last int
		if _, err := fmt.Sscanf(string(stop.LastPosition), "pos-%d", &last); err != nil {
			t.Fatalf("Stop returned position %q, want pos-N", stop.LastPosition)
		}
		want := fmt.Sprintf(`record %d from the source (position "pos-%d") came after record %d (position "pos-%d"), the last position Stop returned; a source sends nothing after that record`, last+1, last+1, last, last)
		checkContractError(t, "Recv up to the record after the Stop position", recvUntilError(run), want, cpluginv1.ErrFailedPrecondition)
		checkContractError(t, "Wait", e.waitRun(run), want, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		e.checkRunCancelled(err)
	})
	t.Run("EmptyStopPosition", func(t *testing.T) {
		e := start(t, h)
		e.startSource(map[string]string{keySourceStop: "empty", keyJournal: "true"})
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		for range Records() {
			e.recvRecord(run)
		}
		stop, err := run.Stop(e.ctx)
		if err != nil || len(stop.LastPosition) != 0 {
			t.Fatalf("Stop = %q, %v, want an empty position", stop.LastPosition, err)
		}
		want := `record 4 from the source (position "fixed-4") came although Stop returned an empty last position, which says that the source has sent no record`
		checkContractError(t, "Recv after Stop", recvUntilError(run), want, cpluginv1.ErrFailedPrecondition)
		checkContractError(t, "Wait", e.waitRun(run), want, cpluginv1.ErrFailedPrecondition)
		_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		e.checkRunCancelled(err)
	})
}

// testSourceAckBreaksContract: the host's end of the stream refuses to send
// an ack that breaks the protocol's rules, with a message naming the
// position, and nothing reaches the connector: it checks the order of its
// acks and that every record was acked (keyRequireAcks), and its journal
// shows every record acked once. The stream stays open.
func testSourceAckBreaksContract(t *testing.T, h Harness) {
	e := start(t, h)
	e.startSource(map[string]string{keyRequireAcks: "true", keyJournal: "true"})
	run := cpluginv1.RunSource(e.ctx, e.p.Source)
	var positions [][]byte
	for range 3 {
		positions = append(positions, e.recvRecord(run).Position)
	}
	oldest := func(n int) string {
		return fmt.Sprintf(`: the oldest record not acked yet is record %d (position "fixed-%d")`, n, n)
	}
	for _, bad := range []struct {
		what     string
		position []byte
		want     string
		sentinel error
	}{
		{"out of order", positions[1], `ack for position "fixed-2" is out of order (it names record 2)` + oldest(1) + "; acks follow the order of the records", cpluginv1.ErrFailedPrecondition},
		{"never sent", []byte("never-sent"), `ack for position "never-sent" names no record the host received from the source` + oldest(1), cpluginv1.ErrFailedPrecondition},
		{"not received yet", []byte("fixed-4"), `ack for position "fixed-4" names no record the host received from the source` + oldest(1), cpluginv1.ErrFailedPrecondition},
		{"empty", nil, "ack_position is empty; an ack names the record it acknowledges by the record's position", cpluginv1.ErrInvalidArgument},
	} {
		err := run.Send(cpluginv1.SourceRunRequest{AckPosition: bad.position})
		checkContractError(t, "Send of an ack "+bad.what, err, bad.want, bad.sentinel)
	}
	e.ack(run, positions[0])
	err := run.Send(cpluginv1.SourceRunRequest{AckPosition: positions[0]})
	checkContractError(t, "Send of a duplicate ack", err, `ack for position "fixed-1" repeats the ack of record 1`+oldest(2), cpluginv1.ErrFailedPrecondition)
	e.ack(run, positions[1])
	e.ack(run, positions[2])
	e.ack(run, e.recvRecord(run).Position)
	stop, err := run.Stop(e.ctx)
	if err != nil || string(stop.LastPosition) != "fixed-4" {
		t.Fatalf("Stop = %q, %v, want \"fixed-4\"", stop.LastPosition, err)
	}
	e.endSourceRun(run)
	_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
	checkError(t, "Teardown (reports the journal)", err, journal(
		fmt.Sprintf("Configure(%q)", map[string]string{keyRequireAcks: "true", keyJournal: "true"}),
		fmt.Sprintf("Start(%q)", ""), "Run", "Stop", "Run ended: 4 records sent, 4 acked", "Teardown"), nil)
}

// testDestinationRecordBreaksContract: the host's end of the stream refuses
// to send a record that breaks the contract's rules, with a message naming
// the record and the field; nothing reaches the connector and the stream
// goes on.
func testDestinationRecordBreaksContract(t *testing.T, h Harness) {
	e := start(t, h)
	e.startDestination(map[string]string{keyJournal: "true"})
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	e.sendRecord(run, endlessRecord(1))
	noPosition := endlessRecord(2)
	noPosition.Position = nil
	err := run.Send(cpluginv1.DestinationRunRequest{Record: noPosition})
	checkContractError(t, "Send of a record without a position", err, "record 2 to the destination: position is empty; every record needs one, as acks name records by their position", cpluginv1.ErrInvalidArgument)
	badOperation := endlessRecord(2)
	badOperation.Operation = 0
	err = run.Send(cpluginv1.DestinationRunRequest{Record: badOperation})
	checkContractError(t, "Send of a record without an operation", err, `record 2 to the destination (position "pos-2"): operation is 0, want create (1), update (2), delete (3) or snapshot (4)`, cpluginv1.ErrInvalidArgument)
	e.sendRecord(run, endlessRecord(2))
	for i := 1; i <= 2; i++ {
		if ack := e.recvAck(run); string(ack.AckPosition) != fmt.Sprintf("pos-%d", i) || ack.Error != "" {
			t.Fatalf("ack %d = (%q, %q), want (\"pos-%d\", \"\")", i, ack.AckPosition, ack.Error, i)
		}
	}
	e.endDestinationRun(run)
	_, err = e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
	checkError(t, "Teardown (reports the journal)", err, journal(
		fmt.Sprintf("Configure(%q)", map[string]string{keyJournal: "true"}),
		"Start", "Run", "Run ended: 2 records received", "Teardown"), nil)
}

// testDestinationAckBreaksContract: an ack that breaks the protocol's rules
// ends the stream on the host's side with a message naming the ack's
// position and the one expected; the connector's Run is cancelled.
func testDestinationAckBreaksContract(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name, mode string
		good       int // acks that arrive before the bad one
		want       string
		sentinel   error
	}{
		{"OutOfOrder", "swap", 0, `ack 1 from the destination, for position "pos-2", is out of order (it names record 2): the oldest record not acked yet is record 1 (position "pos-1"); acks follow the order of the records`, cpluginv1.ErrFailedPrecondition},
		{"NeverSent", "unknown", 0, `ack 1 from the destination, for position "never-sent", names no record the host sent: the oldest record not acked yet is record 1 (position "pos-1")`, cpluginv1.ErrFailedPrecondition},
		{"Duplicate", "duplicate", 1, `ack 2 from the destination, for position "pos-1", repeats the ack of record 1: the oldest record not acked yet is record 2 (position "pos-2")`, cpluginv1.ErrFailedPrecondition},
		{"EmptyPosition", "empty-ack", 0, `ack 1 from the destination: ack_position is empty; an ack names the record it acknowledges by the record's position: the oldest record not acked yet is record 1 (position "pos-1")`, cpluginv1.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, h)
			e.startDestination(map[string]string{keyDestinationRun: tc.mode, keyJournal: "true"})
			run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
			e.sendRecord(run, endlessRecord(1))
			e.sendRecord(run, endlessRecord(2))
			for i := 1; i <= tc.good; i++ {
				if ack := e.recvAck(run); string(ack.AckPosition) != fmt.Sprintf("pos-%d", i) {
					t.Fatalf("ack %d is for %q, want \"pos-%d\"", i, ack.AckPosition, i)
				}
			}
			_, err := run.Recv()
			checkContractError(t, "Recv of the ack that breaks the contract", err, tc.want, tc.sentinel)
			checkContractError(t, "Wait", e.waitRun(run), tc.want, tc.sentinel)
			_, err = e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
			e.checkRunCancelled(err)
		})
	}
}

// testDestinationAcksAndNacks: a negative ack names its record and says
// why, and the stream stays open: later records are acked as usual.
func testDestinationAcksAndNacks(t *testing.T, h Harness) {
	e := start(t, h)
	e.startDestination(nil)
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	nacked := map[int]string{2: "record 2 is not welcome", 5: "record 5 neither: ✗"}
	for i := 1; i <= 6; i++ {
		record := endlessRecord(i)
		if reason, ok := nacked[i]; ok {
			record.Metadata = map[string]string{metaNack: reason}
		}
		e.sendRecord(run, record)
		ack := e.recvAck(run)
		if want := fmt.Sprintf("pos-%d", i); string(ack.AckPosition) != want {
			t.Fatalf("ack %d is for position %q, want %q", i, ack.AckPosition, want)
		}
		if ack.Error != nacked[i] {
			t.Fatalf("ack %d has Error %q, want %q", i, ack.Error, nacked[i])
		}
	}
	if _, err := e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("pos-6")}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	e.endDestinationRun(run)
	e.teardownDestination()
}

// testDestinationConcurrent sends records in one goroutine while the
// host's own goroutine receives the acks.
func testDestinationConcurrent(t *testing.T, h Harness) {
	const n = 500
	e := start(t, h)
	e.startDestination(nil)
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	sendErr := make(chan error, 1)
	go func() {
		for i := 1; i <= n; i++ {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: endlessRecord(i)}); err != nil {
				sendErr <- fmt.Errorf("send record %d: %w", i, err)
				return
			}
		}
		sendErr <- nil
	}()
	for i := 1; i <= n; i++ {
		ack, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv ack %d: %v (sending: %v)", i, err, receive(e, sendErr, "the sending goroutine"))
		}
		if want := fmt.Sprintf("pos-%d", i); string(ack.AckPosition) != want || ack.Error != "" {
			t.Fatalf("ack %d = (%q, %q), want (%q, \"\")", i, ack.AckPosition, ack.Error, want)
		}
	}
	if err := receive(e, sendErr, "the sending goroutine"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{LastPosition: fmt.Appendf(nil, "pos-%d", n)}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	e.endDestinationRun(run)
	e.teardownDestination()
}

// testDestinationStopFlushes: a destination that holds acks (batching)
// sends them all, up to Stop's last position, before Stop returns.
func testDestinationStopFlushes(t *testing.T, h Harness) {
	e := start(t, h)
	e.startDestination(map[string]string{keyDestinationRun: "batch"})
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	for i := 1; i <= 5; i++ {
		e.sendRecord(run, endlessRecord(i))
	}
	if _, err := e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("pos-5")}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for i := 1; i <= 5; i++ {
		ack := e.recvAck(run)
		if want := fmt.Sprintf("pos-%d", i); string(ack.AckPosition) != want || ack.Error != "" {
			t.Fatalf("ack %d = (%q, %q), want (%q, \"\")", i, ack.AckPosition, ack.Error, want)
		}
	}
	e.endDestinationRun(run)
	e.teardownDestination()
}

// testErrors makes calls fail in every way errors.go's table lists and
// checks that the host gets the same message and the same sentinel.
func testErrors(t *testing.T, h Harness) {
	kinds := slices.Sorted(maps.Keys(failures))
	for _, side := range []string{"source", "destination"} {
		for _, method := range []string{"configure", "run", "start", "stop", "teardown", "lifecycle-on-created", "lifecycle-on-updated", "lifecycle-on-deleted"} {
			methodKinds := kinds
			if method != "configure" && method != "run" {
				methodKinds = []string{"invalid-argument", "panic"}
			}
			for _, kind := range methodKinds {
				t.Run(side+"/"+method+"/"+kind, func(t *testing.T) {
					want, sentinel := "panic: "+panicValue(side, method), error(nil)
					if kind != "panic" {
						want, sentinel = failure(side, method, kind).Error(), failures[kind]
					}
					e := start(t, h)
					err := e.failingCall(side, method, map[string]string{keyFail + method: kind})
					checkError(t, side+" "+method, err, want, sentinel)
				})
			}
		}
	}
}

// failingCall makes the calls that lead to method in the protocol's order
// and returns method's error. For Run it checks that Wait returns the same
// error as Recv.
func (e *env) failingCall(side, method string, config map[string]string) error {
	e.t.Helper()
	if side == "source" {
		if method == "configure" {
			_, err := e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: config})
			return err
		}
		e.configureSource(config)
		switch method {
		case "lifecycle-on-created":
			_, err := e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config})
			return err
		case "lifecycle-on-updated":
			_, err := e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigAfter: config})
			return err
		case "lifecycle-on-deleted":
			_, err := e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config})
			return err
		case "teardown":
			_, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
			return err
		}
		_, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{})
		if method == "start" {
			return err
		}
		if err != nil {
			e.t.Fatalf("source Start: %v", err)
		}
		if method == "stop" {
			_, err := e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{})
			return err
		}
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		err = recvUntilError(run)
		if waitErr := e.waitRun(run); waitErr == nil || waitErr.Error() != err.Error() {
			e.t.Errorf("source Run: Wait = %v, want Recv's error %v", waitErr, err)
		}
		return err
	}

	if method == "configure" {
		_, err := e.p.Destination.Configure(e.ctx, cpluginv1.DestinationConfigureRequest{Config: config})
		return err
	}
	e.configureDestination(config)
	switch method {
	case "lifecycle-on-created":
		_, err := e.p.Destination.LifecycleOnCreated(e.ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config})
		return err
	case "lifecycle-on-updated":
		_, err := e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigAfter: config})
		return err
	case "lifecycle-on-deleted":
		_, err := e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config})
		return err
	case "teardown":
		_, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	}
	_, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{})
	if method == "start" {
		return err
	}
	if err != nil {
		e.t.Fatalf("destination Start: %v", err)
	}
	if method == "stop" {
		_, err := e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{})
		return err
	}
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	_, err = run.Recv()
	if waitErr := e.waitRun(run); waitErr == nil || err == nil || waitErr.Error() != err.Error() {
		e.t.Errorf("destination Run: Wait = %v, want Recv's error %v", waitErr, err)
	}
	return err
}

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

func testTeardownBeforeConfigure(t *testing.T, h Harness) {
	e := start(t, h)
	e.teardownSource()
	e.teardownDestination()
}

// testTeardownDuringRun: Teardown during Run makes the connector end Run;
// the host sees the normal end of the stream. The host does not close its
// side, so a transport that left a goroutine waiting on it fails the
// leak check.
func testTeardownDuringRun(t *testing.T, h Harness) {
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.startSource(nil)
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		e.recvRecord(run)
		e.teardownSource()
		if err := recvUntilError(run); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after Teardown = %v, want io.EOF", err)
		}
		if err := e.waitRun(run); err != nil {
			t.Fatalf("Wait after Teardown = %v, want nil", err)
		}
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		e.sendRecord(run, endlessRecord(1))
		e.recvAck(run)
		e.teardownDestination()
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after Teardown = %v, want io.EOF", err)
		}
		if err := e.waitRun(run); err != nil {
			t.Fatalf("Wait after Teardown = %v, want nil", err)
		}
	})
}

// unsupportedMessage is the message of the error a transport gives for
// unsupportedRecord.
func unsupportedMessage() string {
	after := unsupportedRecord().Payload.After.(cpluginv1.StructuredData)
	_, err := cpluginv1.NormalizeStructuredValue(map[string]any(after), "payload.after")
	return err.Error()
}

// testSourceUnsupported: the connector's Send rejects a record holding a
// value structured data cannot carry, with ErrUnsupportedValue and a
// message naming the field, and the stream keeps working. The connector
// reports the rejection's message on the next record.
func testSourceUnsupported(t *testing.T, h Harness) {
	e := start(t, h)
	e.startSource(map[string]string{keySourceRun: "unsupported"})
	run := cpluginv1.RunSource(e.ctx, e.p.Source)
	report := e.recvRecord(run)
	if string(report.Position) != "report" {
		t.Fatalf("got record %q, want the connector's report (the unsupported record must not arrive)", report.Position)
	}
	if got, want := report.Metadata[metaSendError], unsupportedMessage(); got != want {
		t.Fatalf("the connector's Send failed with %q, want %q", got, want)
	}
	e.ack(run, report.Position)
	e.endSourceRun(run)
	e.teardownSource()
}

// testDestinationUnsupported: a record the host sends that structured data
// cannot carry ends the Run with ErrUnsupportedValue, as in standalone mode
// the host's side of the stream fails to encode it.
func testDestinationUnsupported(t *testing.T, h Harness) {
	e := start(t, h)
	e.startDestination(nil)
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	sendErr := run.Send(cpluginv1.DestinationRunRequest{Record: unsupportedRecord()})
	if sendErr != nil && !errors.Is(sendErr, io.EOF) {
		t.Fatalf("Send = %v, want nil or io.EOF: the stream reports its end in Recv", sendErr)
	}
	ack, err := run.Recv()
	if err == nil {
		t.Fatalf("Recv after sending an unsupported value = ack (%q, %q), want the end of the stream: the record must not arrive", ack.AckPosition, ack.Error)
	}
	want := "send record: " + unsupportedMessage()
	checkError(t, "Recv after sending an unsupported value", err, want, cpluginv1.ErrUnsupportedValue)
	checkError(t, "Wait", e.waitRun(run), want, cpluginv1.ErrUnsupportedValue)
	e.teardownDestination()
}

// testRecordSizeLimit sends a record just under and one just over the
// transport's message size limit, in both directions: the first arrives,
// the second ends the stream with ErrMessageTooLarge, without a hang.
func testRecordSizeLimit(t *testing.T, h Harness) {
	if h.MaxMessageSize == 0 {
		t.Skip("the transport has no message size limit (built-in mode serialises nothing)")
	}
	// A record message adds a few dozen bytes to its payload.
	under, over := h.MaxMessageSize-1024, h.MaxMessageSize
	t.Run("Source", func(t *testing.T) {
		e := start(t, h)
		e.startSource(map[string]string{keySourceRun: fmt.Sprintf("sizes:%d,%d", under, over)})
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		record := e.recvRecord(run)
		if got := len(record.Payload.After.Bytes()); got != under {
			t.Fatalf("received a payload of %d bytes, want %d", got, under)
		}
		checkIs(t, "Recv of a record over the limit", recvUntilError(run), cpluginv1.ErrMessageTooLarge)
		checkIs(t, "Wait", e.waitRun(run), cpluginv1.ErrMessageTooLarge)
		e.teardownSource()
	})
	t.Run("Destination", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		e.sendRecord(run, sizedRecord(1, under))
		if ack := e.recvAck(run); string(ack.AckPosition) != "size-1" || ack.Error != "" {
			t.Fatalf("ack = (%q, %q), want (\"size-1\", \"\")", ack.AckPosition, ack.Error)
		}
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: sizedRecord(2, over)}); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("Send = %v, want nil or io.EOF: the stream reports its end in Recv", err)
		}
		_, err := run.Recv()
		checkIs(t, "Recv after sending a record over the limit", err, cpluginv1.ErrMessageTooLarge)
		checkIs(t, "Wait", e.waitRun(run), cpluginv1.ErrMessageTooLarge)
		e.teardownDestination()
	})
}

// testInvalidUTF8: protobuf cannot encode a string field that is not valid
// UTF-8, so every transport refuses such data before it sends it, with an
// error naming the field, and replaces the bytes of such text meant for
// people (an error message, the error of a negative ack) by U+FFFD, as gRPC
// does with a status message. The messages are pinned: they must be the
// same in every mode.
func testInvalidUTF8(t *testing.T, h Harness) {
	const rule = "(protobuf strings must be UTF-8)"
	t.Run("Config", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"url": "https://example.com/\xff"}})
		checkError(t, "source Configure", err, `config["url"]: value is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)
		_, err = e.p.Destination.Configure(e.ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{"fine": "ok", "\xfe": "value"}})
		checkError(t, "destination Configure", err, `config: key "\xfe" is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)

		// Nothing reached the connector: the journal starts at the valid
		// Configure.
		config := map[string]string{keyJournal: "true"}
		e.configureSource(config)
		_, err = e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: map[string]string{"a": "\xc3"}, ConfigAfter: config})
		checkError(t, "source LifecycleOnUpdated", err, `config_before["a"]: value is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)
		_, err = e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: map[string]string{"a": "\xc3"}})
		checkError(t, "source LifecycleOnCreated", err, `config["a"]: value is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)
		_, err = e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: map[string]string{"a": "\xc3"}})
		checkError(t, "source LifecycleOnDeleted", err, `config["a"]: value is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)
		_, err = e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{})
		checkError(t, "source Teardown (reports the journal)", err, journal(fmt.Sprintf("Configure(%q)", config), "Teardown"), nil)

		e.configureDestination(nil)
		_, err = e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigAfter: map[string]string{"a": "\xc3"}})
		checkError(t, "destination LifecycleOnUpdated", err, `config_after["a"]: value is not valid UTF-8 `+rule, cpluginv1.ErrInvalidArgument)
		e.teardownDestination()
	})

	t.Run("SourceRecords", func(t *testing.T) {
		e := start(t, h)
		e.startSource(map[string]string{keySourceRun: invalidUTF8})
		run := cpluginv1.RunSource(e.ctx, e.p.Source)
		report := e.recvRecord(run)
		if string(report.Position) != "report" {
			t.Fatalf("got record %q, want the connector's report (no record that is not valid UTF-8 may arrive)", report.Position)
		}
		var want []string
		for _, r := range invalidUTF8Records() {
			want = append(want, r.message)
		}
		if diff := cmp.Diff(want, strings.Split(report.Metadata[metaSendError], "\n")); diff != "" {
			t.Fatalf("the connector's Send failed with other messages (-want +got):\n%s", diff)
		}
		e.ack(run, report.Position)
		e.endSourceRun(run)
		e.teardownSource()
	})

	for _, r := range invalidUTF8Records() {
		t.Run("DestinationRecord/"+string(r.record.Position), func(t *testing.T) {
			e := start(t, h)
			e.startDestination(nil)
			run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: r.record}); err != nil && !errors.Is(err, io.EOF) {
				t.Fatalf("Send = %v, want nil or io.EOF: the stream reports its end in Recv", err)
			}
			ack, err := run.Recv()
			if err == nil {
				t.Fatalf("Recv after sending a record that is not valid UTF-8 = ack (%q, %q), want the end of the stream: the record must not arrive", ack.AckPosition, ack.Error)
			}
			checkError(t, "Recv after sending a record that is not valid UTF-8", err, "send record: "+r.message, cpluginv1.ErrUnsupportedValue)
			checkError(t, "Wait", e.waitRun(run), "send record: "+r.message, cpluginv1.ErrUnsupportedValue)
			e.teardownDestination()
		})
	}

	t.Run("NegativeAckError", func(t *testing.T) {
		e := start(t, h)
		e.startDestination(nil)
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		record := endlessRecord(1)
		record.Metadata = map[string]string{metaNackInvalidUTF8: "true"}
		e.sendRecord(run, record)
		ack := e.recvAck(run)
		if want := "cplugintest: not written: \uFFFD\uFFFD"; string(ack.AckPosition) != "pos-1" || ack.Error != want {
			t.Fatalf("ack = (%q, %q), want (\"pos-1\", %q)", ack.AckPosition, ack.Error, want)
		}
		// The stream is still open.
		e.sendRecord(run, endlessRecord(2))
		if ack := e.recvAck(run); string(ack.AckPosition) != "pos-2" || ack.Error != "" {
			t.Fatalf("ack = (%q, %q), want (\"pos-2\", \"\")", ack.AckPosition, ack.Error)
		}
		e.endDestinationRun(run)
		e.teardownDestination()
	})

	t.Run("Specification", func(t *testing.T) {
		e := start(t, h)
		e.configureSource(map[string]string{keySpecification: invalidUTF8})
		_, err := e.p.Specifier.Specify(e.ctx, cpluginv1.SpecifierSpecifyRequest{})
		checkError(t, "Specify", err, `specification: source_params["url"].description is not valid UTF-8 `+rule, nil)
		e.teardownSource()
	})

	t.Run("ErrorMessages", func(t *testing.T) {
		e := start(t, h)
		_, err := e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{keyFail + "configure": invalidUTF8}})
		checkError(t, "source Configure", err, "cplugintest source configure: failing with \uFFFD\uFFFD in the message: invalid argument", cpluginv1.ErrInvalidArgument)
		e.startDestination(map[string]string{keyFail + "run": invalidUTF8})
		run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
		_, err = run.Recv()
		want := "cplugintest destination run: failing with \uFFFD\uFFFD in the message: invalid argument"
		checkError(t, "destination Run: Recv", err, want, cpluginv1.ErrInvalidArgument)
		checkError(t, "destination Run: Wait", e.waitRun(run), want, cpluginv1.ErrInvalidArgument)
		e.teardownSource()
		e.teardownDestination()
	})
}
