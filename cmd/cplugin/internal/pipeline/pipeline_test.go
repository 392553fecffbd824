package pipeline

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
	"sync/atomic"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPipeMovesExactlyTheRecordsAskedFor(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out.jsonl")
	const records = 2000
	res, err := Run(testContext(t), Config{
		Source:            builtin.NewSource(sequence.NewSource()),
		Destination:       builtin.NewDestination(jsonlines.NewDestination()),
		SourceConfig:      map[string]string{sequence.ParamOperations: "create,update,delete"},
		DestinationConfig: map[string]string{jsonlines.ParamPath: out},
		Records:           records,
		Timeout:           10 * time.Second,
		KeepPositions:     true,
	}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.NoLoss() || !res.Started {
		t.Fatalf("NoLoss %v, Started %v: %+v", res.NoLoss(), res.Started, res)
	}
	// The generator runs ahead of the pipeline until it is stopped; the
	// records after the 2000th are held back, unacked, not written.
	if res.Produced != records || res.Written != records || res.AckedToSource != records {
		t.Errorf("produced %d, written %d, acked to the source %d; want exactly %d each", res.Produced, res.Written, res.AckedToSource, records)
	}
	if string(res.FirstPosition) != "1" || string(res.LastPosition) != strconv.Itoa(records) || len(res.Positions) != records {
		t.Errorf("positions %q … %q (%d kept), want \"1\" … \"%d\"", res.FirstPosition, res.LastPosition, len(res.Positions), records)
	}
	digest := NewPositionDigest()
	for i := 1; i <= records; i++ {
		digest.Add([]byte(strconv.Itoa(i)))
	}
	if digest.Sum() != res.ProducedDigest {
		t.Error("ProducedDigest is not the digest of the positions 1 … 2000")
	}

	// The file holds every record once, in order, and nothing else.
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	scanner := bufio.NewScanner(f)
	scanner.Buffer(nil, 1<<20)
	n := int64(0)
	for scanner.Scan() {
		n++
		var line struct{ Position []byte }
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		if string(line.Position) != strconv.FormatInt(n, 10) {
			t.Fatalf("line %d has position %q", n, line.Position)
		}
	}
	if n != records {
		t.Errorf("the file has %d records, want exactly %d", n, records)
	}
}

func TestPipeRefusesANegativeRecordCount(t *testing.T) {
	t.Parallel()
	res, err := Run(testContext(t), Config{
		Source:      builtin.NewSource(sequence.NewSource()),
		Destination: builtin.NewDestination(jsonlines.NewDestination()),
		Records:     -5,
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "-5") || res.Started {
		t.Fatalf("Run: %v (started %v), want a refusal of -5 before anything starts", err, res.Started)
	}
}

func TestPipeStopsOnRequest(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	close(stop)
	res, err := Run(testContext(t), Config{
		Source:      builtin.NewSource(sequence.NewSource()),
		Destination: builtin.NewDestination(jsonlines.NewDestination()),
		Stop:        stop,
	}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.NoLoss() {
		t.Errorf("NoLoss is false after a stop request: %+v", res)
	}
}

func TestPipeReportsRefusedRecords(t *testing.T) {
	t.Parallel()
	res, err := Run(testContext(t), Config{
		Source:            builtin.NewSource(sequence.NewSource()),
		Destination:       builtin.NewDestination(jsonlines.NewDestination()),
		SourceConfig:      map[string]string{sequence.ParamPayloadSize: "1000"},
		DestinationConfig: map[string]string{jsonlines.ParamMaxLineSize: "500"},
		Records:           10,
		Timeout:           10 * time.Second,
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Run: %v, want an error saying the destination refused a record", err)
	}
	if res.NoLoss() || res.Refused == 0 || res.AckedToSource != 0 {
		t.Errorf("refused %d, acked to the source %d, NoLoss %v; want refusals, no acks to the source (they keep the order), NoLoss false", res.Refused, res.AckedToSource, res.NoLoss())
	}
	if !strings.Contains(res.Refusal, jsonlines.ParamMaxLineSize) {
		t.Errorf("Refusal %q does not carry the destination's reason", res.Refusal)
	}
}

// swappingDestination acks every pair of records in the wrong order.
type swappingDestination struct {
	cpluginv1.DestinationPlugin
}

func (d swappingDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.DestinationPlugin.Run(ctx, &swappingStream{DestinationRunStream: stream})
}

type swappingStream struct {
	cpluginv1.DestinationRunStream
	held *cpluginv1.DestinationRunResponse
}

func (s *swappingStream) Send(ack cpluginv1.DestinationRunResponse) error {
	if s.held == nil {
		s.held = &ack
		return nil
	}
	held := *s.held
	s.held = nil
	if err := s.DestinationRunStream.Send(ack); err != nil {
		return err
	}
	return s.DestinationRunStream.Send(held)
}

func TestPipeDetectsOutOfOrderAcks(t *testing.T) {
	t.Parallel()
	res, err := Run(testContext(t), Config{
		Source:       builtin.NewSource(sequence.NewSource()),
		Destination:  builtin.NewDestination(swappingDestination{jsonlines.NewDestination()}),
		SourceConfig: map[string]string{sequence.ParamRecords: "10"},
		Records:      10,
		Timeout:      2 * time.Second,
	}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "destination: ") || !strings.Contains(err.Error(), "oldest record not acked yet") {
		t.Fatalf("Run: %v, want the destination's error about the ack order first", err)
	}
	if res.InOrder || res.NoLoss() || !res.DestinationFailed {
		t.Errorf("InOrder %v, NoLoss %v, DestinationFailed %v after swapped acks, want false, false, true", res.InOrder, res.NoLoss(), res.DestinationFailed)
	}
}

func TestPipeFailsOnConfigure(t *testing.T) {
	t.Parallel()
	_, err := Run(testContext(t), Config{
		Source:       builtin.NewSource(sequence.NewSource()),
		Destination:  builtin.NewDestination(jsonlines.NewDestination()),
		SourceConfig: map[string]string{"no.such.parameter": "1"},
	}, nil)
	var step *StepError
	if !errors.As(err, &step) || step.Step != "configure" || step.Role != "source" || !strings.HasPrefix(err.Error(), "configure source: ") {
		t.Fatalf("Run: %v, want a *StepError of configure source, first", err)
	}
}

// errDiskFull is the failure of failingDestination.
var errDiskFull = errors.New("write out.db: no space left on device")

// failingDestination acks the first failAfter records and then fails its
// Run with errDiskFull. Its Stop never answers until its context ends, so
// a pipeline that stops it after the failure hangs there. stopCalled, if
// not nil, is closed when Stop is called.
type failingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	failAfter  int // 0: never fail
	stopCalled chan struct{}
}

func (failingDestination) Configure(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (failingDestination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

func (d failingDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for n := 1; ; n++ {
		req, err := stream.Recv()
		if err != nil {
			return err
		}
		if d.failAfter > 0 && n > d.failAfter {
			return errDiskFull
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
	}
}

func (d failingDestination) Stop(ctx context.Context, _ cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	if d.stopCalled != nil {
		close(d.stopCalled)
	}
	<-ctx.Done()
	return cpluginv1.DestinationStopResponse{}, ctx.Err()
}

func (failingDestination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// runBounded runs the pipeline and fails the test if it has not returned
// within limit, far less than the pipeline's own timeout: waiting that long
// is the bug under test.
func runBounded(t *testing.T, ctx context.Context, cfg Config, limit time.Duration) (Result, error) {
	t.Helper()
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(ctx, cfg, nil)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(limit):
		t.Fatalf("the pipeline did not end within %v; its timeout is %v", limit, cfg.Timeout)
		return Result{}, nil
	}
}

func TestPipeEndsAtOnceWhenTheDestinationFails(t *testing.T) {
	t.Parallel()
	res, err := runBounded(t, testContext(t), Config{
		Source:      builtin.NewSource(sequence.NewSource()),
		Destination: builtin.NewDestination(failingDestination{failAfter: 100}),
		Timeout:     10 * time.Minute,
	}, 30*time.Second)
	if err == nil || !strings.HasPrefix(err.Error(), "destination: ") || !strings.Contains(err.Error(), errDiskFull.Error()) {
		t.Fatalf("Run: %v, want the destination's own error first", err)
	}
	if strings.Contains(err.Error(), "EOF") {
		t.Errorf("Run: %v; the end of the source's stream is a consequence, not a cause", err)
	}
	if !res.DestinationFailed || res.Written != 100 || res.AckedToSource != 100 || res.NoLoss() {
		t.Errorf("DestinationFailed %v, written %d, acked to the source %d, NoLoss %v; want true, 100, 100, false", res.DestinationFailed, res.Written, res.AckedToSource, res.NoLoss())
	}
}

func TestPipeAbortsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	stop := make(chan struct{})
	stopCalled := make(chan struct{})
	go func() {
		// A graceful stop first; the destination's Stop then hangs, and
		// the end of the context must end the pipeline at once.
		close(stop)
		<-stopCalled
		cancel()
	}()
	res, err := runBounded(t, ctx, Config{
		Source:      builtin.NewSource(sequence.NewSource()),
		Destination: builtin.NewDestination(failingDestination{stopCalled: stopCalled}),
		Stop:        stop,
		Timeout:     10 * time.Minute,
	}, 30*time.Second)
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), context.Canceled.Error()) {
		t.Fatalf("Run: %v, want context.Canceled first", err)
	}
	if res.DestinationFailed {
		t.Error("DestinationFailed after an abort; the destination did not fail")
	}
}

// streamSource is a source whose Run stream the host reads and writes
// directly, as it does a standalone connector's gRPC stream (see
// hostrun.SourceOpener). It sends the records at positions "1" … records
// and then waits for the host to close its side.
type streamSource struct {
	cpluginv1.UnimplementedSourcePlugin
	records int
	stream  *sourceStream
}

func newStreamSource(records int) *streamSource {
	return &streamSource{records: records, stream: &sourceStream{records: records, closed: make(chan struct{})}}
}

func (*streamSource) Configure(context.Context, cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (*streamSource) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

func (s *streamSource) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{LastPosition: []byte(strconv.Itoa(s.records))}, nil
}

func (s *streamSource) OpenSourceRun(ctx context.Context) (hostrun.SourceTransport[cpluginv1.Record], error) {
	s.stream.ctx = ctx
	return s.stream, nil
}

// sourceStream is the host's end of a streamSource's Run stream. As on a
// gRPC stream, Send and CloseSend must not run concurrently: it counts the
// acks that came during or after CloseSend, and its closedSend is a plain
// field (as gRPC's is), so that the race detector sees a Send and a
// CloseSend that are not ordered.
type sourceStream struct {
	ctx        context.Context
	records    int
	sent       int
	closed     chan struct{} // closed by CloseSend
	closedSend bool
	sending    atomic.Bool
	acks       [][]byte // the acks Send took, in order
	overlaps   int      // CloseSend calls during a Send
	afterClose int      // Send calls after CloseSend
	// slowAck, if set, is the position of an ack whose Send returns only
	// once CloseSend was called or slow has passed.
	slowAck string
	slow    time.Duration
}

func (s *sourceStream) Recv() ([]cpluginv1.Record, error) {
	if s.sent < s.records {
		s.sent++
		return []cpluginv1.Record{{Position: []byte(strconv.Itoa(s.sent)), Operation: cpluginv1.OperationCreate}}, nil
	}
	select {
	case <-s.closed:
		return nil, io.EOF
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
}

func (s *sourceStream) Send(acks [][]byte) error {
	s.sending.Store(true)
	defer s.sending.Store(false)
	if s.closedSend {
		s.afterClose++
		return errors.New("SendMsg called after CloseSend")
	}
	s.acks = append(s.acks, acks...)
	if s.slowAck != "" && string(acks[len(acks)-1]) == s.slowAck {
		select {
		case <-s.closed:
		case <-time.After(s.slow):
		}
	}
	return nil
}

func (s *sourceStream) CloseSend() error {
	if s.sending.Load() {
		s.overlaps++
	}
	s.closedSend = true
	close(s.closed)
	return nil
}

// lateAckDestination acks every record at once but the one at position
// late: that one it acks once release is closed or, if release is nil,
// once the host closed its stream.
type lateAckDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	late    string
	release chan struct{} // closed by Stop, if not nil
}

func (lateAckDestination) Configure(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (lateAckDestination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

func (d lateAckDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	var held []byte
	ackHeld := func() error {
		ack := cpluginv1.DestinationRunResponse{AckPosition: held}
		held = nil
		return stream.Send(ack)
	}
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) && held != nil {
			return ackHeld() // the host closed the stream
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if string(req.Record.Position) != d.late {
			if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
				return err
			}
			continue
		}
		held = req.Record.Position
		if d.release != nil {
			select {
			case <-d.release:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := ackHeld(); err != nil {
				return err
			}
		}
	}
}

func (d lateAckDestination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	if d.release != nil {
		close(d.release)
	}
	return cpluginv1.DestinationStopResponse{}, nil
}

func (lateAckDestination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// TestPipeDoesNotAckTheSourceAfterClosingItsStream has the destination ack
// the last record only once the host closed the destination's stream:
// after the wait for the acks timed out and the source's stream was
// closed. The run reports the timeout, and nothing reaches the source's
// stream after its CloseSend.
func TestPipeDoesNotAckTheSourceAfterClosingItsStream(t *testing.T) {
	t.Parallel()
	const timeout = 250 * time.Millisecond
	src := newStreamSource(3)
	res, err := Run(testContext(t), Config{
		Source:      src,
		Destination: builtin.NewDestination(lateAckDestination{late: "3"}),
		Records:     3,
		Timeout:     timeout,
	}, nil)
	want := "destination: 2 of 3 records were acked within " + timeout.String() + " of Stop"
	if err == nil || err.Error() != want {
		t.Fatalf("Run: %v, want only %q", err, want)
	}
	if res.Produced != 3 || res.Written != 3 || res.AckedToSource != 2 || !res.InOrder || res.DestinationFailed {
		t.Errorf("produced %d, written %d, acked to the source %d, InOrder %v, DestinationFailed %v; want 3, 3, 2, true, false",
			res.Produced, res.Written, res.AckedToSource, res.InOrder, res.DestinationFailed)
	}
	if s := src.stream; s.overlaps != 0 || s.afterClose != 0 || len(s.acks) != 2 {
		t.Errorf("the source's stream took %q, %d Send calls after CloseSend, %d CloseSend calls during a Send; want \"1\", \"2\" and none", s.acks, s.afterClose, s.overlaps)
	}
}

// TestPipeDoesNotCloseTheSourceDuringAnAck has the destination ack the
// last record once Stop is called, and the source's stream take that ack
// slowly: it is still being sent when the wait for the acks times out. The
// host must not close the source's stream until that Send has returned.
// (Only how long the Send takes is a timer, standing for a stream that
// takes its time; the checks hold however long it is.)
func TestPipeDoesNotCloseTheSourceDuringAnAck(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	src := newStreamSource(3)
	src.stream.slowAck, src.stream.slow = "3", 5*timeout
	res, err := Run(testContext(t), Config{
		Source:      src,
		Destination: builtin.NewDestination(lateAckDestination{late: "3", release: make(chan struct{})}),
		Records:     3,
		Timeout:     timeout,
	}, nil)
	want := "destination: 2 of 3 records were acked within " + timeout.String() + " of Stop"
	if err != nil && err.Error() != want {
		t.Fatalf("Run: %v, want only %q (or no error, had the slow ack come in time)", err, want)
	}
	if s := src.stream; s.overlaps != 0 || s.afterClose != 0 || len(s.acks) != 3 {
		t.Errorf("the source's stream took %q, %d Send calls after CloseSend, %d CloseSend calls during a Send; want \"1\" … \"3\" and none", s.acks, s.afterClose, s.overlaps)
	}
	if res.Written != 3 || res.AckedToSource != 3 {
		t.Errorf("written %d, acked to the source %d; want 3, 3", res.Written, res.AckedToSource)
	}
}
