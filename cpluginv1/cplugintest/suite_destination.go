package cplugintest

import (
	"bytes"
	"fmt"
	"maps"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

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
