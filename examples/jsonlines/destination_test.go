package jsonlines

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testRecord(i int, payload string) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte(strconv.Itoa(i)),
		Operation: cpluginv1.OperationCreate,
		Metadata:  map[string]string{cpluginv1.MetadataCollection: "test"},
		Key:       cpluginv1.StructuredData{"id": float64(i)},
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(payload)},
	}
}

func startDestination(ctx context.Context, t *testing.T, cfg map[string]string) *Destination {
	t.Helper()
	d := NewDestination()
	if _, err := d.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cfg}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := d.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	return d
}

// pipe sends the records, then Stop with the last position, collects the
// acks, closes the stream and tears down, as a host does.
func pipe(t *testing.T, cfg map[string]string, records []cpluginv1.Record) []cpluginv1.DestinationRunResponse {
	t.Helper()
	ctx := testContext(t)
	d := startDestination(ctx, t, cfg)
	stream := cpluginv1.RunDestination(ctx, d)
	var (
		acks    []cpluginv1.DestinationRunResponse
		ackErr  error
		ackDone = make(chan struct{})
	)
	go func() {
		defer close(ackDone)
		for range records {
			ack, err := stream.Recv()
			if err != nil {
				ackErr = err
				return
			}
			acks = append(acks, ack)
		}
	}()
	for _, r := range records {
		if err := stream.Send(cpluginv1.DestinationRunRequest{Record: r}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if _, err := d.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: records[len(records)-1].Position}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	<-ackDone
	if ackErr != nil {
		t.Fatalf("Recv ack %d: %v", len(acks)+1, ackErr)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := stream.Wait(); err != nil {
		t.Errorf("Run after CloseSend: %v, want nil", err)
	}
	if _, err := d.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Errorf("Teardown: %v", err)
	}
	return acks
}

func TestDestinationWritesJSONLinesAndAcksInOrder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	var records []cpluginv1.Record
	for i := 1; i <= 1500; i++ { // more than one batch
		records = append(records, testRecord(i, "payload-"+strconv.Itoa(i)))
	}
	acks := pipe(t, map[string]string{ParamPath: path}, records)
	for i, ack := range acks {
		if string(ack.AckPosition) != string(records[i].Position) || ack.Error != "" {
			t.Fatalf("ack %d = {%q, %q}, want a positive ack for %q", i, ack.AckPosition, ack.Error, records[i].Position)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	scanner := bufio.NewScanner(f)
	n := 0
	for scanner.Scan() {
		var got struct {
			Position  []byte            `json:"position"`
			Operation string            `json:"operation"`
			Metadata  map[string]string `json:"metadata"`
			Key       map[string]any    `json:"key"`
			Payload   struct {
				Before []byte `json:"before"`
				After  []byte `json:"after"`
			} `json:"payload"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &got); err != nil {
			t.Fatalf("line %d is not JSON: %v", n+1, err)
		}
		want := records[n]
		if string(got.Position) != string(want.Position) || got.Operation != "create" ||
			string(got.Payload.After) != string(want.Payload.After.Bytes()) || got.Payload.Before != nil ||
			got.Key["id"] != float64(n+1) || got.Metadata[cpluginv1.MetadataCollection] != "test" {
			t.Fatalf("line %d = %s, does not describe record %s", n+1, scanner.Text(), want.Position)
		}
		n++
	}
	if n != len(records) {
		t.Errorf("the file has %d lines, want %d", n, len(records))
	}
}

func TestDestinationAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.jsonl")
	pipe(t, map[string]string{ParamPath: path}, []cpluginv1.Record{testRecord(1, "a")})
	pipe(t, map[string]string{ParamPath: path}, []cpluginv1.Record{testRecord(2, "b")})
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(b), "\n"); lines != 2 {
		t.Errorf("the file has %d lines after two runs, want 2:\n%s", lines, b)
	}
}

func TestDestinationNackKeepsStreamOpen(t *testing.T) {
	records := []cpluginv1.Record{
		testRecord(1, "small"),
		testRecord(2, strings.Repeat("x", 500)),
		testRecord(3, "small"),
	}
	acks := pipe(t, map[string]string{ParamMaxLineSize: "200"}, records)
	var got []string
	for _, a := range acks {
		got = append(got, string(a.AckPosition)+":"+strconv.FormatBool(a.Error == ""))
	}
	if diff := cmp.Diff([]string{"1:true", "2:false", "3:true"}, got); diff != "" {
		t.Errorf("acks (position:ok) (-want +got):\n%s", diff)
	}
	if !strings.Contains(acks[1].Error, ParamMaxLineSize) {
		t.Errorf("negative ack %q does not say which limit the record exceeded", acks[1].Error)
	}
}

// recordingStream is a DestinationRunStream that records the acks as they
// are sent, so a test can tell what was sent before Stop returned.
type recordingStream struct {
	records chan cpluginv1.DestinationRunRequest
	mu      sync.Mutex
	acks    []cpluginv1.DestinationRunResponse
}

func (s *recordingStream) Send(ack cpluginv1.DestinationRunResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.acks = append(s.acks, ack)
	return nil
}

func (s *recordingStream) Recv() (cpluginv1.DestinationRunRequest, error) {
	r, ok := <-s.records
	if !ok {
		return cpluginv1.DestinationRunRequest{}, io.EOF
	}
	return r, nil
}

func TestDestinationStopReturnsAfterAckingUpToLastPosition(t *testing.T) {
	ctx := testContext(t)
	d := startDestination(ctx, t, map[string]string{ParamPath: filepath.Join(t.TempDir(), "out.jsonl")})
	const n = 2000
	stream := &recordingStream{records: make(chan cpluginv1.DestinationRunRequest, n)}
	for i := 1; i <= n; i++ {
		stream.records <- cpluginv1.DestinationRunRequest{Record: testRecord(i, "p")}
	}
	runErr := make(chan error, 1)
	go func() { runErr <- d.Run(ctx, stream) }()

	if _, err := d.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte(strconv.Itoa(n))}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stream.mu.Lock()
	acked := len(stream.acks)
	stream.mu.Unlock()
	if acked != n {
		t.Errorf("Stop returned after %d acks, want all %d sent before it returns", acked, n)
	}
	close(stream.records)
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
	if _, err := d.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Errorf("Teardown: %v", err)
	}
}

func TestDestinationStopFailsWhenRunEndedEarly(t *testing.T) {
	ctx := testContext(t)
	d := startDestination(ctx, t, nil)
	stream := &recordingStream{records: make(chan cpluginv1.DestinationRunRequest)}
	close(stream.records)
	if err := d.Run(ctx, stream); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("7")}); err == nil {
		t.Error("Stop for a record that never arrived returned nil after Run ended, want an error")
	}
}

func TestDestinationTeardownEndsRun(t *testing.T) {
	ctx := testContext(t)
	d := startDestination(ctx, t, map[string]string{ParamPath: filepath.Join(t.TempDir(), "out.jsonl")})
	stream := cpluginv1.RunDestination(ctx, d)
	if err := stream.Send(cpluginv1.DestinationRunRequest{Record: testRecord(1, "a")}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	// Wait drains what is left and returns once the Run ended; the
	// context's deadline bounds it.
	waited := make(chan error, 1)
	go func() { waited <- stream.Wait() }()
	select {
	case err := <-waited:
		// Teardown ends the Run: how it ends (the context's error, or
		// nil) is the connector's to choose; that it ends is the rule.
		t.Logf("Run ended after Teardown: %v", err)
	case <-ctx.Done():
		t.Fatal("Run did not end after Teardown")
	}
}

func TestDestinationTeardownAnyTime(t *testing.T) {
	ctx := testContext(t)
	d := NewDestination()
	for range 2 {
		if _, err := d.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
			t.Fatalf("Teardown before Configure: %v", err)
		}
	}
}

func TestDestinationCallOrder(t *testing.T) {
	ctx := testContext(t)
	d := NewDestination()
	if _, err := d.Start(ctx, cpluginv1.DestinationStartRequest{}); !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		t.Errorf("Start before Configure: %v, want ErrFailedPrecondition", err)
	}
	if _, err := d.Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		t.Fatal(err)
	}
	if err := d.Run(ctx, nil); !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
		t.Errorf("Run before Start: %v, want ErrFailedPrecondition", err)
	}
	// Nothing to do, so success: the Conduit server fails the pipeline on
	// Unimplemented.
	if _, err := d.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{}); err != nil {
		t.Errorf("LifecycleOnDeleted: %v, want success", err)
	}
}

func TestDestinationConfigure(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]string
		wantErr bool
	}{
		{"discard", nil, false},
		{"all parameters", map[string]string{ParamPath: "out.jsonl", ParamMaxLineSize: "100"}, false},
		{"negative size", map[string]string{ParamMaxLineSize: "-1"}, true},
		{"size not a number", map[string]string{ParamMaxLineSize: "1k"}, true},
		{"unknown parameter (a typo)", map[string]string{"pth": "out.jsonl"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDestination().Configure(context.Background(), cpluginv1.DestinationConfigureRequest{Config: tt.cfg})
			if tt.wantErr != (err != nil) {
				t.Fatalf("Configure: %v, want error: %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, cpluginv1.ErrInvalidArgument) {
				t.Errorf("Configure: %v, want an error wrapping ErrInvalidArgument", err)
			}
		})
	}
}

func TestStartFailsOnUnwritablePath(t *testing.T) {
	ctx := testContext(t)
	d := NewDestination()
	if _, err := d.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{ParamPath: t.TempDir()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Start(ctx, cpluginv1.DestinationStartRequest{}); err == nil {
		t.Error("Start with a directory as the path returned nil, want an error")
	}
}

func TestSpecificationDescribesEveryParameter(t *testing.T) {
	spec := Specification()
	cfg := map[string]string{}
	for name, p := range spec.DestinationParams {
		cfg[name] = p.Default
	}
	if _, err := parseConfig(cfg); err != nil {
		t.Errorf("the defaults of the specification are rejected: %v", err)
	}
	if len(spec.SourceParams) != 0 {
		t.Errorf("a destination-only connector declares source parameters: %v", spec.SourceParams)
	}
}
