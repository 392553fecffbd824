package cplugintest

import (
	"bytes"
	"fmt"
	"maps"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

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
