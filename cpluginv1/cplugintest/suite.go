package cplugintest

import (
	"slices"
	"testing"
	"time"

	"go.uber.org/goleak"
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
