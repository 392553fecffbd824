package benchplugin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Configuration keys of the benchmark source and destination.
const (
	// ConfigRecords is how many records the source sends (and the
	// destination expects).
	ConfigRecords = "records"
	// ConfigStats, if set, names a file to which Run writes what the
	// connector's process used during Run, as JSON (see Usage).
	ConfigStats = "stats"
	// ConfigBatch is how many records SourceV2 sends in one batch (the
	// last batch may be shorter); empty means 1. The v1 plugins, which
	// move one record at a time, and DestinationV2, which acks the batches
	// the host chose, ignore it.
	ConfigBatch = "batch"
)

// Usage is what a process used: the allocation counters of
// runtime.MemStats and the CPU time of all its threads.
type Usage struct {
	// Mallocs is the number of heap objects allocated.
	Mallocs uint64 `json:"mallocs"`
	// Bytes is the number of bytes allocated for heap objects.
	Bytes uint64 `json:"bytes"`
	// CPU is the user and system CPU time, in nanoseconds.
	CPU int64 `json:"cpu_ns"`
}

// ReadUsage returns the process's counters so far.
func ReadUsage() Usage {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail with these arguments
	return Usage{Mallocs: m.Mallocs, Bytes: m.TotalAlloc, CPU: ru.Utime.Nano() + ru.Stime.Nano()}
}

// Sub returns a - b.
func (a Usage) Sub(b Usage) Usage {
	return Usage{Mallocs: a.Mallocs - b.Mallocs, Bytes: a.Bytes - b.Bytes, CPU: a.CPU - b.CPU}
}

// Add returns a + b.
func (a Usage) Add(b Usage) Usage {
	return Usage{Mallocs: a.Mallocs + b.Mallocs, Bytes: a.Bytes + b.Bytes, CPU: a.CPU + b.CPU}
}

// WriteUsageFile writes u to path as JSON.
func WriteUsageFile(path string, u Usage) error {
	data, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode allocation counters: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write allocation counters: %w", err)
	}
	return nil
}

// ReadUsageFile reads what WriteUsageFile wrote.
func ReadUsageFile(path string) (Usage, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Usage{}, fmt.Errorf("read allocation counters: %w", err)
	}
	var a Usage
	if err := json.Unmarshal(data, &a); err != nil {
		return Usage{}, fmt.Errorf("decode allocation counters in %s: %w", path, err)
	}
	return a, nil
}

// config is the parsed configuration of the source or destination.
type config struct {
	records int
	batch   int
	stats   string
}

func parseConfig(cfg map[string]string) (config, error) {
	n, err := strconv.Atoi(cfg[ConfigRecords])
	if err != nil || n < 0 {
		return config{}, fmt.Errorf("%w: %s must be a number of records, got %q", cpluginv1.ErrInvalidArgument, ConfigRecords, cfg[ConfigRecords])
	}
	batch := 1
	if v, ok := cfg[ConfigBatch]; ok {
		if batch, err = strconv.Atoi(v); err != nil || batch < 1 {
			return config{}, fmt.Errorf("%w: %s must be a positive number of records, got %q", cpluginv1.ErrInvalidArgument, ConfigBatch, v)
		}
	}
	return config{records: n, batch: batch, stats: cfg[ConfigStats]}, nil
}

// runSource is the Run of the benchmark sources, Source and SourceV2,
// around the stream's calls: send, in a new goroutine, sends the
// configured records, while recv, in Run's goroutine, receives the next
// acks and hands each one's position to acks, until it returns io.EOF (the
// host closed the stream). Run returns nil once the sender is done and
// every record was acked, in order.
func runSource(cfg config, send func() error, recv func(acks *ackChecker) error) error {
	before := ReadUsage()
	sent := make(chan error, 1)
	go func() { sent <- send() }()
	var acks ackChecker
	for {
		if err := recv(&acks); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("receive ack %d: %w", acks.acked, err)
		}
	}
	if err := <-sent; err != nil {
		return err
	}
	if acks.acked != cfg.records {
		return fmt.Errorf("the host closed the stream after %d acks, want %d", acks.acked, cfg.records)
	}
	return writeStats(cfg.stats, before)
}

// ackChecker checks that a source's acks arrive in order: the n-th ack
// (counting from 0) must carry the position of RawRecord(n).
type ackChecker struct {
	acked int               // acks so far
	want  [PositionLen]byte // room for the position expected next
}

// ack checks the position of the next ack.
func (c *ackChecker) ack(position []byte) error {
	if want := AppendPosition(c.want[:0], c.acked); !bytes.Equal(position, want) {
		return fmt.Errorf("the position %q, want %q", position, want)
	}
	c.acked++
	return nil
}

// runDestination is the Run of the benchmark destinations, Destination and
// DestinationV2, around the stream's calls: step receives what the host
// sends next, acks every record of it and returns how many records it
// held, until it returns io.EOF (the host closed the stream). Run returns
// nil once the configured number of records arrived.
func runDestination(cfg config, step func() (int, error)) error {
	before := ReadUsage()
	records := 0
	for {
		n, err := step()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return fmt.Errorf("record %d: %w", records, err)
		}
		records += n
	}
	if records != cfg.records {
		return fmt.Errorf("the host closed the stream after %d records, want %d", records, cfg.records)
	}
	return writeStats(cfg.stats, before)
}

// Specifier describes the benchmark connector.
type Specifier struct{}

// Specify returns the specification.
func (Specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:    "bench",
		Summary: "Moves RawRecord records as fast as the transport lets it, for the benchmarks.",
		Version: "v0.0.0",
	}}, nil
}

// Source sends RawRecord(0), RawRecord(1), ... up to the configured number
// of records from one goroutine and receives their acks in Run's
// goroutine, as a real source does, checking that each acks the next
// record. Its Run returns nil once the host closed the stream after acking
// every record.
type Source struct {
	cpluginv1.UnimplementedSourcePlugin
	cfg config
}

// Configure reads the configuration: the number of records, the stats
// file and, for SourceV2, the batch size.
func (s *Source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return cpluginv1.SourceConfigureResponse{}, err
	}
	s.cfg = cfg
	return cpluginv1.SourceConfigureResponse{}, nil
}

// Start does nothing.
func (s *Source) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

// Run sends the records, one per message, and checks the acks.
func (s *Source) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	return runSource(s.cfg, func() error {
		for i := range s.cfg.records {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: RawRecord(i)}); err != nil {
				return fmt.Errorf("send record %d: %w", i, err)
			}
		}
		return nil
	}, func(acks *ackChecker) error {
		req, err := stream.Recv()
		if err != nil {
			return err
		}
		return acks.ack(req.AckPosition)
	})
}

// Stop returns no position: the benchmark ends the stream itself.
func (s *Source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{}, nil
}

// Teardown does nothing.
func (s *Source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

// Destination acks every record it receives with the record's position
// and checks that the configured number of records arrived.
type Destination struct {
	cpluginv1.UnimplementedDestinationPlugin
	cfg config
}

// Configure reads the number of records and the stats file; the
// destinations ack the batches the host chose, whatever ConfigBatch says.
func (d *Destination) Configure(_ context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return cpluginv1.DestinationConfigureResponse{}, err
	}
	d.cfg = cfg
	return cpluginv1.DestinationConfigureResponse{}, nil
}

// Start does nothing.
func (d *Destination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

// Run acks every record as it arrives.
func (d *Destination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	return runDestination(d.cfg, func() (int, error) {
		req, err := stream.Recv()
		if err != nil {
			return 0, fmt.Errorf("receive: %w", err)
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return 0, fmt.Errorf("send ack: %w", err)
		}
		return 1, nil
	})
}

// Stop does nothing: every record is acked as soon as it arrives.
func (d *Destination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, nil
}

// Teardown does nothing.
func (d *Destination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

func writeStats(path string, before Usage) error {
	if path == "" {
		return nil
	}
	return WriteUsageFile(path, ReadUsage().Sub(before))
}
