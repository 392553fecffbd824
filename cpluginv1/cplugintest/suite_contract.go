package cplugintest

import (
	"fmt"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

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
