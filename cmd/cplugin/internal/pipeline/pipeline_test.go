package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPipeMovesEveryRecordOnceInOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	res, err := Run(testContext(t), Config{
		Source:            builtin.NewSource(sequence.NewSource()),
		Destination:       builtin.NewDestination(jsonlines.NewDestination()),
		SourceConfig:      map[string]string{sequence.ParamOperations: "create,update,delete"},
		DestinationConfig: map[string]string{jsonlines.ParamPath: out},
		Records:           2000,
		Timeout:           10 * time.Second,
	}, nil)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !res.NoLoss() {
		t.Fatalf("NoLoss is false: %+v", res)
	}
	// The generator runs ahead of the pipeline until it is stopped, so at
	// least the requested records go through, and every one of them is
	// accounted for.
	if res.Produced < 2000 || res.Written != res.Produced || res.AckedToSource != res.Produced {
		t.Errorf("produced %d, written %d, acked to the source %d; want at least 2000, all equal", res.Produced, res.Written, res.AckedToSource)
	}
	if string(res.FirstPosition) != "1" || string(res.LastPosition) != strconv.FormatInt(res.Produced, 10) {
		t.Errorf("positions %q … %q, want \"1\" … %q", res.FirstPosition, res.LastPosition, strconv.FormatInt(res.Produced, 10))
	}

	// The file holds every record once, in order: the pipe's proof matches
	// what the destination actually wrote.
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
	if n != res.Produced {
		t.Errorf("the file has %d records, the pipe says %d were written", n, res.Produced)
	}
}

func TestPipeStopsOnRequest(t *testing.T) {
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
	res, err := Run(testContext(t), Config{
		Source:       builtin.NewSource(sequence.NewSource()),
		Destination:  builtin.NewDestination(swappingDestination{jsonlines.NewDestination()}),
		SourceConfig: map[string]string{sequence.ParamRecords: "10"},
		Records:      10,
		Timeout:      2 * time.Second,
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "oldest record not acked yet") {
		t.Fatalf("Run: %v, want an error about the ack order", err)
	}
	if res.InOrder || res.NoLoss() {
		t.Errorf("InOrder %v, NoLoss %v after swapped acks, want both false", res.InOrder, res.NoLoss())
	}
}

func TestPipeFailsOnConfigure(t *testing.T) {
	_, err := Run(testContext(t), Config{
		Source:       builtin.NewSource(sequence.NewSource()),
		Destination:  builtin.NewDestination(jsonlines.NewDestination()),
		SourceConfig: map[string]string{"no.such.parameter": "1"},
	}, nil)
	if err == nil || !strings.Contains(err.Error(), "configure source") {
		t.Fatalf("Run: %v, want an error naming the configure step", err)
	}
}
