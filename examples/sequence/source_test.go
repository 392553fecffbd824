package sequence

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testContext bounds every test so that a broken source fails the test
// instead of hanging it.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// run drives a fresh source the way a host does: Configure, Start(position),
// Run, ack every record in order, Stop after stopAfter records, drain up to
// the Stop position, close the stream, Teardown. It returns the records and
// the Stop position.
func run(t *testing.T, cfg map[string]string, position []byte, stopAfter int) ([]cpluginv1.Record, []byte) {
	t.Helper()
	ctx := testContext(t)
	src := NewSource()
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cfg}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{Position: position}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	stream := cpluginv1.RunSource(ctx, src)
	var records []cpluginv1.Record
	receive := func() {
		t.Helper()
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv after %d records: %v", len(records), err)
		}
		records = append(records, resp.Record)
		if err := stream.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("Send ack: %v", err)
		}
	}
	for len(records) < stopAfter {
		receive()
	}
	stop, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for len(stop.LastPosition) > 0 && !bytes.Equal(records[len(records)-1].Position, stop.LastPosition) {
		receive()
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the Stop position and CloseSend: got %v, want io.EOF (no record after the Stop position, Run returns nil)", err)
	}
	if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	return records, stop.LastPosition
}

func positions(records []cpluginv1.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = string(r.Position)
	}
	return out
}

func seq(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func TestSourceProducesConfiguredCountThenStops(t *testing.T) {
	records, stop := run(t, map[string]string{ParamRecords: "25"}, nil, 25)
	if diff := cmp.Diff(seq(1, 25), positions(records)); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	if string(stop) != "25" {
		t.Errorf("Stop position = %q, want %q (the last record sent)", stop, "25")
	}
}

func TestSourceStopPositionIsReachedAndNothingFollows(t *testing.T) {
	// Unbounded: the source is still sending when Stop arrives, so Stop's
	// position may be ahead of what the host has read. run() reads up to
	// it and then requires io.EOF.
	records, stop := run(t, nil, nil, 300)
	if len(records) < 300 {
		t.Fatalf("got %d records, want at least 300", len(records))
	}
	if diff := cmp.Diff(seq(1, len(records)), positions(records)); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	if !bytes.Equal(stop, records[len(records)-1].Position) {
		t.Errorf("Stop position %q is not the last record %q", stop, records[len(records)-1].Position)
	}
}

func TestSourceResumesWithoutGapsOrDuplicates(t *testing.T) {
	cfg := map[string]string{ParamRecords: "20", ParamPayloadFormat: "structured", ParamOperations: "create,update,delete,snapshot"}
	first, _ := run(t, cfg, nil, 20)
	resumed, _ := run(t, cfg, []byte("7"), 13)
	if diff := cmp.Diff(seq(8, 20), positions(resumed)); diff != "" {
		t.Fatalf("positions after resuming from 7 (-want +got):\n%s", diff)
	}
	ignoreReadAt := func(r cpluginv1.Record) cpluginv1.Record {
		r = r.Clone()
		delete(r.Metadata, cpluginv1.MetadataReadAt)
		return r
	}
	for i, rec := range resumed {
		if diff := cmp.Diff(ignoreReadAt(first[7+i]), ignoreReadAt(rec)); diff != "" {
			t.Errorf("record %s differs between the first run and the resumed run (-first +resumed):\n%s", rec.Position, diff)
		}
	}
}

func TestSourceRecordShapes(t *testing.T) {
	cfg := map[string]string{ParamRecords: "4", ParamPayloadSize: "10", ParamOperations: "create,update,delete,snapshot"}
	records, _ := run(t, cfg, nil, 4)
	want := []struct {
		op                cpluginv1.Operation
		hasBefore, hasAft bool
	}{
		{cpluginv1.OperationCreate, false, true},
		{cpluginv1.OperationUpdate, true, true},
		{cpluginv1.OperationDelete, true, false},
		{cpluginv1.OperationSnapshot, false, true},
	}
	for i, w := range want {
		r := records[i]
		if r.Operation != w.op || (r.Payload.Before != nil) != w.hasBefore || (r.Payload.After != nil) != w.hasAft {
			t.Errorf("record %d: operation %v, before %v, after %v; want %v, before set %v, after set %v",
				i+1, r.Operation, r.Payload.Before, r.Payload.After, w.op, w.hasBefore, w.hasAft)
		}
	}
	if got := records[0].Payload.After; len(got.Bytes()) != 10 {
		t.Errorf("raw payload %q has %d bytes, want 10", got.Bytes(), len(got.Bytes()))
	}
	if _, ok := records[0].Key.(cpluginv1.RawData); !ok {
		t.Errorf("key is %T, want RawData", records[0].Key)
	}
	want1, err := Record(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	got1 := records[0].Clone()
	if _, ok := got1.Metadata[cpluginv1.MetadataReadAt]; !ok {
		t.Errorf("record has no %s metadata", cpluginv1.MetadataReadAt)
	}
	delete(got1.Metadata, cpluginv1.MetadataReadAt)
	if diff := cmp.Diff(want1, got1); diff != "" {
		t.Errorf("Record(cfg, 1) does not describe the first record (-Record +produced):\n%s", diff)
	}
}

// The host's end of a Run stream (cpluginv1.RunSource) refuses to send an
// ack out of order, so this test talks to the source's Run through a stream
// of its own, as a host that is not built on cpluginv1 would.
func TestSourceRejectsOutOfOrderAck(t *testing.T) {
	ctx := testContext(t)
	src := NewSource()
	mustConfigureAndStart(ctx, t, src, map[string]string{ParamRecords: "5"})
	stream := &scriptedStream{records: make(chan cpluginv1.Record, 5), acks: make(chan []byte, 1)}
	runErr := make(chan error, 1)
	go func() { runErr <- src.Run(ctx, stream) }()
	for range 2 {
		select {
		case <-stream.records:
		case <-ctx.Done():
			t.Fatal("no record within the test's timeout")
		}
	}
	stream.acks <- []byte("2")
	select {
	case err := <-runErr:
		if err == nil {
			t.Fatal("Run returned nil after an ack for record 2 before record 1, want an error")
		}
		t.Logf("Run: %v", err)
	case <-ctx.Done():
		t.Fatal("Run did not end after an ack out of order")
	}
}

// scriptedStream is a source Run stream whose records go to records and
// whose acks come from acks.
type scriptedStream struct {
	records chan cpluginv1.Record
	acks    chan []byte
}

func (s *scriptedStream) Send(resp cpluginv1.SourceRunResponse) error {
	s.records <- resp.Record
	return nil
}

func (s *scriptedStream) Recv() (cpluginv1.SourceRunRequest, error) {
	return cpluginv1.SourceRunRequest{AckPosition: <-s.acks}, nil
}

func TestSourceTeardownEndsRun(t *testing.T) {
	ctx := testContext(t)
	src := NewSource()
	mustConfigureAndStart(ctx, t, src, nil)
	stream := cpluginv1.RunSource(ctx, src)
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	// The host drains what was in flight; the stream then reports the end
	// (within the test's context: a Run that did not end fails there).
	for {
		if _, err := stream.Recv(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Errorf("Recv after Teardown: %v, want io.EOF", err)
			}
			break
		}
	}
}

func TestSourceTeardownAnyTime(t *testing.T) {
	ctx := testContext(t)
	src := NewSource()
	for range 2 {
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Fatalf("Teardown before Configure: %v", err)
		}
	}
}

func TestSourceCallOrder(t *testing.T) {
	ctx := testContext(t)
	src := NewSource()
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		t.Errorf("Start before Configure: %v, want ErrFailedPrecondition", err)
	}
	if _, err := src.Stop(ctx, cpluginv1.SourceStopRequest{}); !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		t.Errorf("Stop before Start: %v, want ErrFailedPrecondition", err)
	}
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := src.Run(ctx, nil); !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		t.Errorf("Run before Start: %v, want ErrFailedPrecondition", err)
	}
	// Nothing to do, so success: the Conduit server fails the pipeline on
	// Unimplemented.
	if _, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{}); err != nil {
		t.Errorf("LifecycleOnCreated: %v, want success", err)
	}
}

func TestSourceConfigure(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]string
		wantErr bool
	}{
		{"defaults", nil, false},
		{"all parameters", map[string]string{ParamRecords: "3", ParamPayloadSize: "0", ParamPayloadFormat: "structured", ParamOperations: "update, delete"}, false},
		{"negative records", map[string]string{ParamRecords: "-1"}, true},
		{"payload too large", map[string]string{ParamPayloadSize: strconv.Itoa(maxPayloadSize + 1)}, true},
		{"unknown format", map[string]string{ParamPayloadFormat: "avro"}, true},
		{"unknown operation", map[string]string{ParamOperations: "create,upsert"}, true},
		{"unknown parameter (a typo)", map[string]string{"record": "3"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSource().Configure(context.Background(), cpluginv1.SourceConfigureRequest{Config: tt.cfg})
			if tt.wantErr != (err != nil) {
				t.Fatalf("Configure: %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, cpluginv1.ErrInvalidArgument) {
				t.Errorf("Configure: %v, want an error wrapping ErrInvalidArgument", err)
			}
		})
	}
}

func TestSourceStartRejectsForeignPosition(t *testing.T) {
	ctx := testContext(t)
	src := NewSource()
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{Position: []byte("not-a-number")}); !errors.Is(err, cpluginv1.ErrInvalidArgument) {
		t.Errorf("Start with a foreign position: %v, want ErrInvalidArgument", err)
	}
}

func TestSpecificationDescribesEveryParameter(t *testing.T) {
	spec := Specification()
	cfg := map[string]string{}
	for name, p := range spec.SourceParams {
		cfg[name] = p.Default
	}
	// Every declared parameter is accepted with its default value: the
	// specification and the parser cannot drift apart.
	if _, err := parseConfig(cfg); err != nil {
		t.Errorf("the defaults of the specification are rejected: %v", err)
	}
	if len(spec.DestinationParams) != 0 {
		t.Errorf("a source-only connector declares destination parameters: %v", spec.DestinationParams)
	}
}

func mustConfigureAndStart(ctx context.Context, t *testing.T, src *Source, cfg map[string]string) {
	t.Helper()
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatal(err)
	}
}

// TestSourceV2SendsBatches drives the source through protocol v2's Go API
// with batch 3 and 7 records: the host gets batches of 3, 3 and 1, in
// order, and Stop names the last record of the last batch sent.
func TestSourceV2SendsBatches(t *testing.T) {
	ctx := testContext(t)
	src := NewSource().V2()
	cfg := map[string]string{ParamRecords: "7", ParamBatch: "3"}
	if _, err := src.Configure(ctx, cpluginv2.SourceConfigureRequest{Config: cfg}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := src.Open(ctx, cpluginv2.SourceOpenRequest{}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	run := cpluginv2.RunSource(ctx, src)
	var sizes []int
	var positions []string
	for len(positions) < 7 {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv after %d records: %v", len(positions), err)
		}
		sizes = append(sizes, len(resp.Records))
		acks := make([][]byte, len(resp.Records))
		for i, rec := range resp.Records {
			positions = append(positions, string(rec.Position))
			acks[i] = rec.Position
		}
		if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: acks}); err != nil {
			t.Fatalf("Send acks: %v", err)
		}
	}
	stop, err := run.Stop(ctx)
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := run.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if _, err := src.Teardown(ctx, cpluginv2.SourceTeardownRequest{}); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	if diff := cmp.Diff([]int{3, 3, 1}, sizes); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5", "6", "7"}, positions); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
	if string(stop.LastPosition) != "7" {
		t.Errorf("Stop returned %q, want \"7\"", stop.LastPosition)
	}
}

// TestBatchParameter refuses a batch size out of range.
func TestBatchParameter(t *testing.T) {
	for _, value := range []string{"0", "-1", "1001", "x"} {
		if _, err := parseConfig(map[string]string{ParamBatch: value}); !errors.Is(err, cpluginv1.ErrInvalidArgument) {
			t.Errorf("batch %q: %v, want ErrInvalidArgument", value, err)
		}
	}
	cfg, err := parseConfig(map[string]string{ParamBatch: "1000"})
	if err != nil || cfg.batch != 1000 {
		t.Errorf("batch 1000: %+v, %v", cfg, err)
	}
}
