package jsonlines

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// maxBatch is how many records are written with one flush at most. Batching
// is what makes a file destination fast; acks still follow the record order.
const maxBatch = 512

// Destination is the file connector's DestinationPlugin. The zero value is
// not usable: use [NewDestination]. A Destination serves one run
// (Configure ... Teardown), as the protocol's one process per connector
// implies.
type Destination struct {
	// The lifecycle events mean nothing to a file: answering Unimplemented
	// tells the host "nothing to do", as the protocol asks.
	cpluginv1.UnimplementedDestinationPlugin

	mu       sync.Mutex
	state    destinationState
	cfg      config
	file     *os.File      // nil when discarding
	out      *bufio.Writer // nil when discarding
	acked    []byte        // position of the last record acked
	progress chan struct{} // closed (and replaced) when acked changes or Run ends
	runEnded bool
	runDone  chan struct{} // closed when Run returns; nil before Run
	teardown chan struct{}
	closing  sync.Once
}

type destinationState int

const (
	destinationNew destinationState = iota
	destinationConfigured
	destinationStarted
	destinationRunning
)

var _ cpluginv1.DestinationPlugin = (*Destination)(nil)

// NewDestination returns a file destination that waits for Configure.
func NewDestination() *Destination {
	return &Destination{progress: make(chan struct{}), teardown: make(chan struct{})}
}

// Configure parses the configuration; see [Specification] for the
// parameters. An invalid configuration is an error wrapping
// ErrInvalidArgument.
func (d *Destination) Configure(_ context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return cpluginv1.DestinationConfigureResponse{}, fmt.Errorf("configure file destination: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state > destinationConfigured {
		return cpluginv1.DestinationConfigureResponse{}, fmt.Errorf("configure file destination: %w: already started", cpluginv1.ErrFailedPrecondition)
	}
	d.cfg = cfg
	d.state = destinationConfigured
	return cpluginv1.DestinationConfigureResponse{}, nil
}

// Start opens (creates) the file for appending.
func (d *Destination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != destinationConfigured {
		return cpluginv1.DestinationStartResponse{}, fmt.Errorf("start file destination: %w: Start must follow Configure and come once", cpluginv1.ErrFailedPrecondition)
	}
	if d.cfg.path != "" {
		//nolint:gosec // the output is for the user to read, like any tool's output file
		f, err := os.OpenFile(d.cfg.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return cpluginv1.DestinationStartResponse{}, fmt.Errorf("start file destination: %w", err)
		}
		d.file = f
		d.out = bufio.NewWriterSize(f, 256<<10)
	}
	d.state = destinationStarted
	return cpluginv1.DestinationStartResponse{}, nil
}

// Run writes the records it receives in batches and acks each one, in the
// order they arrived, once its batch is flushed to the file.
func (d *Destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	d.mu.Lock()
	if d.state != destinationStarted {
		d.mu.Unlock()
		return fmt.Errorf("run file destination: %w: Run must follow Start and come once", cpluginv1.ErrFailedPrecondition)
	}
	d.state = destinationRunning
	d.runDone = make(chan struct{})
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.runEnded = true
		d.notifyLocked()
		d.mu.Unlock()
		close(d.runDone)
	}()

	// A separate reader lets the writer see how many records are already
	// waiting, and so batch them, without blocking on the stream.
	quit := make(chan struct{})
	defer close(quit)
	records := make(chan cpluginv1.Record, maxBatch)
	recvErr := make(chan error, 1)
	go func() {
		defer close(records)
		for {
			req, err := stream.Recv()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				recvErr <- err
				return
			}
			select {
			case records <- req.Record:
			case <-quit:
				return
			}
		}
	}()

	batch := make([]cpluginv1.Record, 0, maxBatch)
	for {
		var (
			rec cpluginv1.Record
			ok  bool
		)
		select {
		case rec, ok = <-records:
		case <-d.teardown:
			// Teardown ends Run, as the protocol asks; the host asked for
			// it, so it is not an error.
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
		if !ok {
			return d.endOfStream(<-recvErr)
		}
		batch = append(batch[:0], rec)
		closed := false
	drain:
		for len(batch) < maxBatch {
			select {
			case rec, ok := <-records:
				if !ok {
					closed = true
					break drain
				}
				batch = append(batch, rec)
			default:
				break drain
			}
		}
		acks, err := d.write(batch)
		if err != nil {
			return err
		}
		for _, ack := range acks {
			if err := stream.Send(ack); err != nil {
				return fmt.Errorf("run file destination: send ack for position %q: %w", ack.AckPosition, err)
			}
		}
		d.mu.Lock()
		d.acked = batch[len(batch)-1].Position
		d.notifyLocked()
		d.mu.Unlock()
		if closed {
			return d.endOfStream(<-recvErr)
		}
	}
}

func (d *Destination) endOfStream(err error) error {
	if err != nil {
		return fmt.Errorf("run file destination: receive record: %w", err)
	}
	return nil
}

// write writes the batch and returns one ack per record, in order. A record
// it cannot encode or whose line is too long gets a negative ack; a failing
// file fails the whole Run, because no later record could be written either.
func (d *Destination) write(batch []cpluginv1.Record) ([]cpluginv1.DestinationRunResponse, error) {
	acks := make([]cpluginv1.DestinationRunResponse, len(batch))
	for i, rec := range batch {
		acks[i].AckPosition = rec.Position
		line, err := encode(rec)
		switch {
		case err != nil:
			acks[i].Error = fmt.Sprintf("cannot encode the record as JSON: %v", err)
			continue
		case d.cfg.maxLineSize > 0 && len(line) > d.cfg.maxLineSize:
			acks[i].Error = fmt.Sprintf("the record's line has %d bytes, more than %s=%d", len(line), ParamMaxLineSize, d.cfg.maxLineSize)
			continue
		}
		if d.out != nil {
			if _, err := d.out.Write(line); err != nil {
				return nil, fmt.Errorf("run file destination: write %s: %w", d.cfg.path, err)
			}
		}
	}
	if d.out != nil {
		if err := d.out.Flush(); err != nil {
			return nil, fmt.Errorf("run file destination: write %s: %w", d.cfg.path, err)
		}
	}
	return acks, nil
}

// notifyLocked wakes every Stop waiting for progress. d.mu must be held.
func (d *Destination) notifyLocked() {
	close(d.progress)
	d.progress = make(chan struct{})
}

// Stop waits until the record at req.LastPosition is written and acked.
// Every batch is flushed before its acks are sent, so nothing is buffered
// once that ack is out.
func (d *Destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state < destinationStarted {
		return cpluginv1.DestinationStopResponse{}, fmt.Errorf("stop file destination: %w: Stop must follow Start", cpluginv1.ErrFailedPrecondition)
	}
	if len(req.LastPosition) == 0 {
		return cpluginv1.DestinationStopResponse{}, nil
	}
	for !bytes.Equal(d.acked, req.LastPosition) {
		// Run may not have begun yet (the host starts it and calls Stop
		// from different goroutines), so only its end is a failure.
		if d.runEnded {
			return cpluginv1.DestinationStopResponse{}, fmt.Errorf("stop file destination: the Run stream ended before the record at position %q arrived", req.LastPosition)
		}
		progress := d.progress
		d.mu.Unlock()
		select {
		case <-progress:
			d.mu.Lock()
		case <-ctx.Done():
			d.mu.Lock()
			return cpluginv1.DestinationStopResponse{}, fmt.Errorf("stop file destination: waiting for the record at position %q: %w", req.LastPosition, ctx.Err())
		}
	}
	return cpluginv1.DestinationStopResponse{}, nil
}

// Teardown ends a running Run and closes the file. It may be called at any
// time and more than once.
func (d *Destination) Teardown(ctx context.Context, _ cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	d.closing.Do(func() { close(d.teardown) })
	d.mu.Lock()
	runDone := d.runDone
	d.mu.Unlock()
	if runDone != nil {
		// Run owns the writer until it returns.
		select {
		case <-runDone:
		case <-ctx.Done():
			return cpluginv1.DestinationTeardownResponse{}, fmt.Errorf("teardown file destination: waiting for Run to end: %w", ctx.Err())
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.file == nil {
		return cpluginv1.DestinationTeardownResponse{}, nil
	}
	err := d.file.Close()
	d.file, d.out = nil, nil
	if err != nil {
		return cpluginv1.DestinationTeardownResponse{}, fmt.Errorf("teardown file destination: %w", err)
	}
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// jsonRecord is the line format: the OpenCDC record with bytes as base64
// strings (encoding/json's rule for []byte) and structured data as objects.
type jsonRecord struct {
	Position  []byte            `json:"position"`
	Operation string            `json:"operation"`
	Metadata  map[string]string `json:"metadata,omitempty"`
	Key       any               `json:"key"`
	Payload   jsonChange        `json:"payload"`
}

type jsonChange struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

func jsonData(d cpluginv1.Data) any {
	switch d := d.(type) {
	case cpluginv1.RawData:
		return []byte(d)
	case cpluginv1.StructuredData:
		return map[string]any(d)
	default:
		return nil
	}
}

// encode returns the record's line, newline included.
func encode(rec cpluginv1.Record) ([]byte, error) {
	line, err := json.Marshal(jsonRecord{
		Position:  rec.Position,
		Operation: rec.Operation.String(),
		Metadata:  rec.Metadata,
		Key:       jsonData(rec.Key),
		Payload:   jsonChange{Before: jsonData(rec.Payload.Before), After: jsonData(rec.Payload.After)},
	})
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}
