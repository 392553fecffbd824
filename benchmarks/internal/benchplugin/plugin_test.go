package benchplugin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// testRecords is how many records the plugin tests move: a few batches,
// the last one short.
const testRecords = 250

// testConfig configures a benchmark plugin for n records in batches of
// batch, with a stats file in a new directory.
func testConfig(t *testing.T, n, batch int) (cfg map[string]string, statsPath string) {
	statsPath = filepath.Join(t.TempDir(), "allocs.json")
	return map[string]string{
		ConfigRecords: strconv.Itoa(n),
		ConfigBatch:   strconv.Itoa(batch),
		ConfigStats:   statsPath,
	}, statsPath
}

// TestSourceV2 runs SourceV2, built in, as the benchmarks' host does:
// every batch holds the configured number of records (the last fewer), in
// order, and one batch of acks answers it.
func TestSourceV2(t *testing.T) {
	for _, batch := range []int{1, 100} {
		t.Run(fmt.Sprintf("batch-%d", batch), func(t *testing.T) {
			ctx := context.Background()
			source := builtin.NewSourceV2(&SourceV2{})
			cfg, statsPath := testConfig(t, testRecords, batch)
			if _, err := source.Configure(ctx, cpluginv2.SourceConfigureRequest{Config: cfg}); err != nil {
				t.Fatal(err)
			}
			if _, err := source.Open(ctx, cpluginv2.SourceOpenRequest{}); err != nil {
				t.Fatal(err)
			}
			run := cpluginv2.RunSource(ctx, source)
			for received := 0; received < testRecords; {
				resp, err := run.Recv()
				if err != nil {
					t.Fatal(err)
				}
				if n, want := len(resp.Records), min(batch, testRecords-received); n != want {
					t.Fatalf("a batch of %d records from record %d on, want %d", n, received, want)
				}
				var acks [][]byte
				for j, rec := range resp.Records {
					if want := AppendPosition(nil, received+j); string(rec.Position) != string(want) {
						t.Fatalf("record %d has the position %q, want %q", received+j, rec.Position, want)
					}
					acks = append(acks, rec.Position)
				}
				if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: acks}); err != nil {
					t.Fatal(err)
				}
				received += len(resp.Records)
			}
			if err := run.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if err := run.Wait(); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if _, err := ReadUsageFile(statsPath); err != nil {
				t.Errorf("the source wrote no usage: %v", err)
			}
		})
	}
}

// TestSourceAcks checks that the sources refuse acks the host did not send
// for every record, in order.
func TestSourceAcks(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		acks [][]byte
		want string
	}{
		"too few":      {acks: [][]byte{AppendPosition(nil, 0)}, want: "after 1 acks, want 2"},
		"out of order": {acks: [][]byte{AppendPosition(nil, 1), AppendPosition(nil, 0)}, want: "position"},
	} {
		t.Run(name, func(t *testing.T) {
			source := &SourceV2{}
			cfg, _ := testConfig(t, 2, 2)
			if _, err := source.Configure(ctx, cpluginv2.SourceConfigureRequest{Config: cfg}); err != nil {
				t.Fatal(err)
			}
			err := source.Run(ctx, &fakeSourceStream{acks: tc.acks})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// fakeSourceStream takes every batch and returns acks in one batch, then
// io.EOF.
type fakeSourceStream struct {
	acks [][]byte
	done bool
}

func (s *fakeSourceStream) Send(cpluginv2.SourceRunResponse) error { return nil }

func (s *fakeSourceStream) Recv() (cpluginv2.SourceRunRequest, error) {
	if s.done {
		return cpluginv2.SourceRunRequest{}, io.EOF
	}
	s.done = true
	return cpluginv2.SourceRunRequest{AckPositions: s.acks}, nil
}

// TestDestinationV2 runs DestinationV2, built in, as the benchmarks' host
// does: it answers every batch with one batch of acks of its records.
func TestDestinationV2(t *testing.T) {
	const batch = 100
	ctx := context.Background()
	destination := builtin.NewDestinationV2(&DestinationV2{})
	cfg, statsPath := testConfig(t, testRecords, batch)
	if _, err := destination.Configure(ctx, cpluginv2.DestinationConfigureRequest{Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if _, err := destination.Open(ctx, cpluginv2.DestinationOpenRequest{}); err != nil {
		t.Fatal(err)
	}
	run := cpluginv2.RunDestination(ctx, destination)
	for first := 0; first < testRecords; first += batch {
		n := min(batch, testRecords-first)
		if err := run.Send(cpluginv2.DestinationRunRequest{Records: AppendRawRecords(nil, first, n)}); err != nil {
			t.Fatal(err)
		}
		resp, err := run.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Acks) != n {
			t.Fatalf("%d acks for a batch of %d records", len(resp.Acks), n)
		}
		for j, ack := range resp.Acks {
			if want := AppendPosition(nil, first+j); string(ack.AckPosition) != string(want) || ack.Error != "" {
				t.Fatalf("ack %d = %+v, want the position %q", first+j, ack, want)
			}
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := ReadUsageFile(statsPath); err != nil {
		t.Errorf("the destination wrote no usage: %v", err)
	}
}

// TestPluginsV1 runs Source and Destination, built in, with a few records,
// as the benchmarks' host does.
func TestPluginsV1(t *testing.T) {
	ctx := context.Background()
	t.Run("source", func(t *testing.T) {
		source := builtin.NewSource(&Source{})
		cfg, statsPath := testConfig(t, testRecords, 1)
		if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cfg}); err != nil {
			t.Fatal(err)
		}
		if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatal(err)
		}
		run := cpluginv1.RunSource(ctx, source)
		for range testRecords {
			resp, err := run.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
				t.Fatal(err)
			}
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("the stream ended with %v, want io.EOF", err)
		}
		if _, err := ReadUsageFile(statsPath); err != nil {
			t.Errorf("the source wrote no usage: %v", err)
		}
	})
	t.Run("destination", func(t *testing.T) {
		destination := builtin.NewDestination(&Destination{})
		cfg, statsPath := testConfig(t, testRecords, 1)
		if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cfg}); err != nil {
			t.Fatal(err)
		}
		if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatal(err)
		}
		run := cpluginv1.RunDestination(ctx, destination)
		for i := range testRecords {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: RawRecord(i)}); err != nil {
				t.Fatal(err)
			}
			if _, err := run.Recv(); err != nil {
				t.Fatal(err)
			}
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if _, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("the stream ended with %v, want io.EOF", err)
		}
		if _, err := ReadUsageFile(statsPath); err != nil {
			t.Errorf("the destination wrote no usage: %v", err)
		}
	})
}

// TestConfigBatch checks the batch size's default and its refusals.
func TestConfigBatch(t *testing.T) {
	if cfg, err := parseConfig(map[string]string{ConfigRecords: "5"}); err != nil || cfg.batch != 1 {
		t.Errorf("parseConfig without a batch size = %+v, %v, want a batch of 1", cfg, err)
	}
	for _, v := range []string{"", "0", "-1", "x"} {
		if _, err := parseConfig(map[string]string{ConfigRecords: "5", ConfigBatch: v}); !errors.Is(err, cpluginv1.ErrInvalidArgument) {
			t.Errorf("parseConfig with the batch size %q = %v, want ErrInvalidArgument", v, err)
		}
	}
}
