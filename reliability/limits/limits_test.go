package limits_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// limit is the size limit under test, in bytes; the other limits stay at
// their default of 4 MiB. A record's raw payload of limit-1024 bytes fits
// (with its position and the message's framing), one of limit bytes does
// not.
const (
	limit     = 1 << 20
	underSize = limit - 1024
	overSize  = limit
)

// The configuration keys of the test connector (see the package
// documentation of cpluginv1/cplugintest).
const (
	keySourceRun = "cplugintest.source.run"
	keyJournal   = "cplugintest.journal"
)

// The knobs the messages name, pinned here so that a change of wording is
// a deliberate change of these tests.
const (
	hostReceiveKnob = "raise client.Config.MaxReceiveSize"
	hostSendKnob    = "raise client.Config.MaxSendSize; the host passes it to the connector as " +
		"CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, the connector's receive limit"
	connectorReceiveKnob = "the host sets it with CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, from client.Config.MaxSendSize, " +
		"unless the connector sets server.WithMaxReceiveSize"
	connectorSendKnob = "the connector set it with server.WithMaxSendSize; " +
		"without that option a connector does not limit what it sends"
)

// A source sends a record over the host's receive limit: the host's Recv
// fails at once naming the size, the limit and client.Config.MaxReceiveSize;
// the connector sees its stream end (context.Canceled) and keeps serving.
func TestRecordOverHostReceiveLimit(t *testing.T) {
	want := tooLarge(sourceRecordSize("size-2", overSize), "the host's receive limit", hostReceiveKnob)
	testSourceRecordTooLarge(t, client.Config{MaxReceiveSize: limit}, want, context.Canceled.Error())
}

// A source given a send limit (server.WithMaxSendSize) sends a record over
// it: the host's Recv fails at once naming the size, the connector's limit
// and how it is set.
func TestRecordOverConnectorSendLimit(t *testing.T) {
	want := tooLarge(sourceRecordSize("size-2", overSize), "the connector's send limit", connectorSendKnob)
	cfg := client.Config{MaxReceiveSize: 4 * limit, Env: []string{fmt.Sprintf("CPLUGINTEST_MAX_SEND_SIZE=%d", limit)}}
	testSourceRecordTooLarge(t, cfg, want, context.Canceled.Error(), want)
}

// A connector does not limit what it sends by its receive limit (as
// connectors built with the Go connector SDK do not): a source whose
// receive limit is 1 MiB sends a record larger than that, and a host that
// accepts it receives it whole.
func TestConnectorSendsOverItsReceiveLimit(t *testing.T) {
	ctx := testContext(t)
	c := startConnector(ctx, t, client.Config{MaxSendSize: limit, MaxReceiveSize: 4 * limit})
	source := c.Source()
	config := map[string]string{keySourceRun: fmt.Sprintf("sizes:%d", 2*limit)}
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	run := cpluginv1.RunSource(ctx, source)
	rec, err := run.Recv()
	if err != nil || len(rec.Record.Payload.After.Bytes()) != 2*limit {
		t.Fatalf("Recv = payload of %d bytes, %v; want the record of %d bytes, over the connector's receive limit of %d",
			len(rec.Record.Payload.After.Bytes()), err, 2*limit, limit)
	}
	_ = run.CloseSend()
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Errorf("Run: %v", err)
	}
}

// The host sends a destination a record over the host's send limit: the
// record is not sent, and the host's Recv fails at once naming the size,
// the limit and client.Config.MaxSendSize.
func TestRecordOverHostSendLimit(t *testing.T) {
	want := tooLarge(destinationRecordSize("big", overSize), "the host's send limit", hostSendKnob)
	testDestinationRecordTooLarge(t, client.Config{MaxSendSize: limit}, want, context.Canceled.Error())
}

// The host sends a destination a record over the connector's receive limit
// (here a connector that was given a smaller limit than the host's send
// limit): the host's Recv fails at once naming the size, the connector's
// limit and CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE.
func TestRecordOverConnectorReceiveLimit(t *testing.T) {
	want := tooLarge(destinationRecordSize("big", overSize), "the connector's receive limit", connectorReceiveKnob)
	cfg := client.Config{Env: []string{fmt.Sprintf("%s=%d", client.EnvMaxReceiveRecordSize, limit)}}
	testDestinationRecordTooLarge(t, cfg, want, context.Canceled.Error(), want)
}

// A built-in connector serialises nothing, so it has no size limit: a
// record larger than the default limit of standalone mode arrives whole, in
// both directions.
func TestBuiltInHasNoSizeLimit(t *testing.T) {
	const size = 2 * server.DefaultMaxMessageSize
	ctx := testContext(t)
	plugins := cplugintest.Connector()
	source := builtin.NewSource(plugins.Source)
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{keySourceRun: fmt.Sprintf("sizes:%d", size)}}); err != nil {
		t.Fatalf("source Configure: %v", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("source Start: %v", err)
	}
	sourceRun := cpluginv1.RunSource(ctx, source)
	rec, err := sourceRun.Recv()
	if err != nil || len(rec.Record.Payload.After.Bytes()) != size {
		t.Fatalf("source Recv = payload of %d bytes, %v; want %d bytes", len(rec.Record.Payload.After.Bytes()), err, size)
	}
	_ = sourceRun.CloseSend()
	if err := testwait.Run(ctx, t, sourceRun); err != nil {
		t.Errorf("source Run: %v", err)
	}

	destination := builtin.NewDestination(plugins.Destination)
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		t.Fatalf("destination Configure: %v", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("destination Start: %v", err)
	}
	destinationRun := cpluginv1.RunDestination(ctx, destination)
	if err := destinationRun.Send(cpluginv1.DestinationRunRequest{Record: rawRecord("big", size)}); err != nil {
		t.Fatalf("destination Send: %v", err)
	}
	if ack, err := destinationRun.Recv(); err != nil || string(ack.AckPosition) != "big" || ack.Error != "" {
		t.Fatalf("destination Recv = (%q, %q), %v; want a positive ack for %q", ack.AckPosition, ack.Error, err, "big")
	}
	_ = destinationRun.CloseSend()
	if err := testwait.Run(ctx, t, destinationRun); err != nil {
		t.Errorf("destination Run: %v", err)
	}
}

// testSourceRecordTooLarge runs a source whose second record is over a
// limit: the host must see want, and the connector's Run must end with one
// of connectorEnds.
func testSourceRecordTooLarge(t *testing.T, cfg client.Config, want string, connectorEnds ...string) {
	ctx := testContext(t)
	c := startConnector(ctx, t, cfg)
	source := c.Source()
	config := map[string]string{keySourceRun: fmt.Sprintf("sizes:%d,%d,10", underSize, overSize), keyJournal: "true"}
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	run := cpluginv1.RunSource(ctx, source)
	first, err := run.Recv()
	if err != nil {
		t.Fatalf("Recv of the record under the limit: %v", err)
	}
	if got := string(first.Record.Position); got != "size-1" {
		t.Fatalf("first record has position %q, want %q", got, "size-1")
	}
	// The stream may already have ended (the next record follows at once):
	// then Send says so with io.EOF, and Recv says why.
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: first.Record.Position}); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Send of the ack for size-1 = %v, want nil or io.EOF", err)
	}

	// The record after the one over the limit must not arrive.
	rec, err := run.Recv()
	if err == nil {
		t.Fatalf("Recv after the record over the limit = record %q, want the error", rec.Record.Position)
	}
	checkTooLarge(t, "Recv", err, want)
	checkTooLarge(t, "Wait", testwait.Run(ctx, t, run), want)

	// The connector still serves: Stop and Teardown answer, and its journal
	// shows that its Run saw the stream end: as context.Canceled, or, over
	// its own send limit, as its Send's error, whichever it noticed first.
	if _, err := source.Stop(ctx, cpluginv1.SourceStopRequest{}); err != nil {
		t.Errorf("Stop after the stream failed: %v", err)
	}
	_, err = source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	checkRunEnded(t, checkJournal(t, err), "Run ended: ", connectorEnds)
	if c.Exited() {
		t.Error("the connector process exited: a record over a limit must only end the Run stream")
	}
}

// testDestinationRecordTooLarge sends a destination a record under a limit
// and one over it: the host must see want, and the connector's Run must end
// after the first record with one of connectorEnds.
func testDestinationRecordTooLarge(t *testing.T, cfg client.Config, want string, connectorEnds ...string) {
	ctx := testContext(t)
	c := startConnector(ctx, t, cfg)
	destination := c.Destination()
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{keyJournal: "true"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	run := cpluginv1.RunDestination(ctx, destination)
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: rawRecord("small", underSize)}); err != nil {
		t.Fatalf("Send of the record under the limit: %v", err)
	}
	ack, err := run.Recv()
	if err != nil || string(ack.AckPosition) != "small" || ack.Error != "" {
		t.Fatalf("Recv of the ack for the record under the limit = (%q, %q), %v; want a positive ack for %q", ack.AckPosition, ack.Error, err, "small")
	}

	// Send may succeed (the record is on its way) or see the end of the
	// stream (io.EOF); Recv says why the stream ended.
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: rawRecord("big", overSize)}); err != nil && !errors.Is(err, io.EOF) {
		checkTooLarge(t, "Send", err, want)
	}
	ack, err = run.Recv()
	if err == nil {
		t.Fatalf("Recv after the record over the limit = ack (%q, %q), want the error", ack.AckPosition, ack.Error)
	}
	checkTooLarge(t, "Recv", err, want)
	checkTooLarge(t, "Wait", testwait.Run(ctx, t, run), want)

	if _, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("small")}); err != nil {
		t.Errorf("Stop after the stream failed: %v", err)
	}
	_, err = destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
	checkRunEnded(t, checkJournal(t, err), "Run ended: 1 records received", connectorEnds)
	if c.Exited() {
		t.Error("the connector process exited: a record over a limit must only end the Run stream")
	}
}

// checkRunEnded asserts that the test connector's journal has the entry
// of its Run's end, starting with prefix and ending with one of the errors
// in ends.
func checkRunEnded(t *testing.T, journal, prefix string, ends []string) {
	t.Helper()
	_, entry, ok := strings.Cut(journal, prefix)
	if ok {
		entry, _, _ = strings.Cut(prefix+entry, "; ")
	}
	for _, end := range ends {
		if ok && strings.HasSuffix(entry, "error: "+end) {
			return
		}
	}
	t.Errorf("the connector's journal does not say that its Run ended (%q...) with one of %q:\n%s", prefix, ends, journal)
}

// tooLarge is the message the host gets for a record of size bytes over
// the limit described by who.
func tooLarge(size int, who, knob string) string {
	return fmt.Sprintf("record of %d bytes is larger than %s of %d bytes (%s)", size, who, limit, knob)
}

func checkTooLarge(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want %q", what, want)
		return
	}
	if err.Error() != want {
		t.Errorf("%s =\n  %q\nwant\n  %q", what, err.Error(), want)
	}
	if !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("%s: errors.Is(err, cpluginv1.ErrMessageTooLarge) = false for %q", what, err)
	}
}

// checkJournal returns the journal the test connector's Teardown answers
// with (as an error, by design) and fails the test if Teardown failed
// otherwise.
func checkJournal(t *testing.T, teardownErr error) string {
	t.Helper()
	journal, ok := strings.CutPrefix(fmt.Sprint(teardownErr), "journal: ")
	if !ok {
		t.Fatalf("Teardown = %v, want the connector's journal: the connector must still answer", teardownErr)
	}
	return journal
}

func rawRecord(position string, payloadSize int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte(position),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(bytes.Repeat([]byte{'a'}, payloadSize))},
	}
}

// protoRecord is rawRecord as it crosses the wire.
func protoRecord(position string, payloadSize int) *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  []byte(position),
		Operation: opencdcv1.Operation_OPERATION_CREATE,
		Payload: &opencdcv1.Change{After: &opencdcv1.Data{
			Data: &opencdcv1.Data_RawData{RawData: bytes.Repeat([]byte{'a'}, payloadSize)},
		}},
	}
}

// sourceRecordSize is the size of the message carrying the test connector's
// "sizes:" record, as gRPC measures it against the limit.
func sourceRecordSize(position string, payloadSize int) int {
	return proto.Size(&connectorv1.Source_Run_Response{Record: protoRecord(position, payloadSize)})
}

// destinationRecordSize is the size of the message carrying rawRecord to a
// destination.
func destinationRecordSize(position string, payloadSize int) int {
	return proto.Size(&connectorv1.Destination_Run_Request{Record: protoRecord(position, payloadSize)})
}

// testContext bounds every call and wait of a test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, time.Minute)
}

// startConnector starts the test connector with cfg (Path set here) and
// closes it when the test ends, failing the test if Close fails.
func startConnector(ctx context.Context, t *testing.T, cfg client.Config) *client.Client {
	t.Helper()
	cfg.Path = testConnector
	c, err := client.New(ctx, cfg)
	if err != nil {
		t.Fatalf("start the test connector: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return c
}
