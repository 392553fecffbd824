package cplugintest

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

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
