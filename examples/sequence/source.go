package sequence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// Source is the generator's SourcePlugin. The zero value is not usable: use
// [NewSource]. A Source serves one run (Configure ... Teardown), as the
// protocol's one process per connector implies.
//
// Record N (N = 1, 2, ...) has position "N". Its operation is entry
// (N-1) mod len of the configured operations; its key and payload depend only
// on N and the configuration, so a run started after position P produces
// exactly the records P+1, P+2, ... of a run from the beginning.
type Source struct {
	// The lifecycle events mean nothing to a generator: answering
	// Unimplemented tells the host "nothing to do", as the protocol asks.
	cpluginv1.UnimplementedSourcePlugin

	mu       sync.Mutex
	state    sourceState
	cfg      config
	next     uint64 // the sequence number of the next record to produce
	claimed  uint64 // the last sequence number handed to the sender; 0: none
	stopped  bool   // Stop was called: claim no more records
	teardown chan struct{}
	closing  sync.Once
}

type sourceState int

const (
	sourceNew sourceState = iota
	sourceConfigured
	sourceStarted
	sourceRunning
)

var _ cpluginv1.SourcePlugin = (*Source)(nil)

// NewSource returns a generator source that waits for Configure.
func NewSource() *Source {
	return &Source{teardown: make(chan struct{})}
}

// Configure parses the configuration; see [Specification] for the
// parameters. An invalid configuration is an error wrapping
// ErrInvalidArgument.
func (s *Source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("configure generator: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state > sourceConfigured {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("configure generator: %w: already started", cpluginv1.ErrFailedPrecondition)
	}
	s.cfg = cfg
	s.state = sourceConfigured
	return cpluginv1.SourceConfigureResponse{}, nil
}

// Start positions the generator after req.Position (a decimal sequence
// number), or at record 1 if it is empty.
func (s *Source) Start(_ context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	next := uint64(1)
	if len(req.Position) > 0 {
		last, err := parsePosition(req.Position)
		if err != nil {
			return cpluginv1.SourceStartResponse{}, fmt.Errorf("start generator: %w: %w", cpluginv1.ErrInvalidArgument, err)
		}
		next = last + 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != sourceConfigured {
		return cpluginv1.SourceStartResponse{}, fmt.Errorf("start generator: %w: Start must follow Configure and come once", cpluginv1.ErrFailedPrecondition)
	}
	s.next = next
	s.state = sourceStarted
	return cpluginv1.SourceStartResponse{}, nil
}

// Run sends records until Stop, the configured count, or the end of the
// stream, one per Send, and checks that acks arrive in the order the
// records were sent.
func (s *Source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	var ack [1][]byte // the acks as run takes them: read before the next recv
	return s.run(ctx, 1,
		func(records []cpluginv1.Record) error {
			return stream.Send(cpluginv1.SourceRunResponse{Record: records[0]})
		},
		func() ([][]byte, error) {
			req, err := stream.Recv()
			ack[0] = req.AckPosition
			return ack[:], err
		})
}

// V2 returns the source for protocol v2's Go API (package cpluginv2): the
// same generator, whose Run sends up to the configured batch of records
// (ParamBatch) per Send. Serve one or the other, not both.
func (s *Source) V2() cpluginv2.SourcePlugin { return sourceV2{s} }

// sourceV2 is a Source as a cpluginv2.SourcePlugin.
type sourceV2 struct{ *Source }

var _ cpluginv2.SourcePlugin = sourceV2{}

// Open is Start.
func (s sourceV2) Open(ctx context.Context, req cpluginv2.SourceOpenRequest) (cpluginv2.SourceOpenResponse, error) {
	return s.Start(ctx, req)
}

// Run is Source.Run with batches.
func (s sourceV2) Run(ctx context.Context, stream cpluginv2.SourceRunStream) error {
	return s.run(ctx, s.batchSize(),
		func(records []cpluginv1.Record) error {
			return stream.Send(cpluginv2.SourceRunResponse{Records: records})
		},
		func() ([][]byte, error) {
			req, err := stream.Recv()
			return req.AckPositions, err
		})
}

func (s *Source) batchSize() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(s.cfg.batch, 1)
}

// run is Run for either API: send sends a batch of up to batch records,
// recv returns the next acks.
func (s *Source) run(ctx context.Context, batch int, send func([]cpluginv1.Record) error, recv func() ([][]byte, error)) error {
	s.mu.Lock()
	if s.state != sourceStarted {
		s.mu.Unlock()
		return fmt.Errorf("run generator: %w: Run must follow Start and come once", cpluginv1.ErrFailedPrecondition)
	}
	s.state = sourceRunning
	firstAck := s.next
	s.mu.Unlock()

	sendDone := make(chan error, 1)
	go func() { sendDone <- s.produce(ctx, batch, send) }()
	ackDone := make(chan error, 1)
	go func() { ackDone <- s.receiveAcks(recv, firstAck) }()

	for {
		select {
		case err := <-sendDone:
			if err != nil {
				return err
			}
			// Everything is sent (Stop, or the configured count): keep
			// receiving acks until the host closes the stream.
			sendDone = nil
		case err := <-ackDone:
			// The host closed the stream (nil) or it broke. Either way no
			// record may follow; a record still being sent fails on its own.
			s.stopProducing()
			return err
		case <-s.teardown:
			// Teardown ends Run, as the protocol asks. It is not an error:
			// the host asked for it.
			s.stopProducing()
			return nil
		case <-ctx.Done():
			s.stopProducing()
			return ctx.Err()
		}
	}
}

// produce sends records, up to batch at once, until there is nothing more
// to send. The records of a batch are claimed under the lock before they
// are sent, so that Stop can name the last record that will still be sent
// without waiting for the send itself.
func (s *Source) produce(ctx context.Context, batch int, send func([]cpluginv1.Record) error) error {
	records := make([]cpluginv1.Record, 0, batch)
	for {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.mu.Lock()
		first := s.next
		for len(records) < batch && !s.stopped && (s.cfg.records == 0 || s.next <= s.cfg.records) {
			records = append(records, s.cfg.record(s.next))
			s.claimed = s.next
			s.next++
		}
		s.mu.Unlock()
		if len(records) == 0 {
			return nil
		}
		if err := send(records); err != nil {
			if len(records) == 1 {
				return fmt.Errorf("send record %d: %w", first, err)
			}
			return fmt.Errorf("send records %d to %d: %w", first, first+uint64(len(records))-1, err)
		}
		clear(records)
		records = records[:0] // Send keeps no reference to the slice
	}
}

// receiveAcks reads acks until the host closes the stream and checks their
// order: the host must ack the records in the order they were sent.
func (s *Source) receiveAcks(recv func() ([][]byte, error), want uint64) error {
	for {
		acks, err := recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive ack: %w", err)
		}
		for _, position := range acks {
			got, err := parsePosition(position)
			if err != nil {
				return fmt.Errorf("receive ack: %w", err)
			}
			s.mu.Lock()
			claimed := s.claimed
			s.mu.Unlock()
			if got != want || got > claimed {
				return fmt.Errorf("receive ack: got an ack for position %d, want %d: acks must arrive in the order the records were sent", got, want)
			}
			want++
		}
	}
}

func (s *Source) stopProducing() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
}

// Stop stops producing and returns the position of the last record that was
// or will still be sent; empty if none was.
func (s *Source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state < sourceStarted {
		return cpluginv1.SourceStopResponse{}, fmt.Errorf("stop generator: %w: Stop must follow Start", cpluginv1.ErrFailedPrecondition)
	}
	s.stopped = true
	if s.claimed == 0 {
		return cpluginv1.SourceStopResponse{}, nil
	}
	return cpluginv1.SourceStopResponse{LastPosition: formatPosition(s.claimed)}, nil
}

// Teardown ends a running Run. The generator holds no other resources, so it
// may be called at any time and more than once.
func (s *Source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	s.closing.Do(func() { close(s.teardown) })
	return cpluginv1.SourceTeardownResponse{}, nil
}

// Record returns record n (n >= 1) as a source configured with cfg produces
// it, apart from the opencdc.readAt metadata. Tests and tools use it to know
// what to expect.
func Record(cfg map[string]string, n uint64) (cpluginv1.Record, error) {
	c, err := parseConfig(cfg)
	if err != nil {
		return cpluginv1.Record{}, err
	}
	rec := c.record(n)
	delete(rec.Metadata, cpluginv1.MetadataReadAt)
	return rec, nil
}

func (c config) record(n uint64) cpluginv1.Record {
	op := c.operations[(n-1)%uint64(len(c.operations))]
	rec := cpluginv1.Record{
		Position:  formatPosition(n),
		Operation: op,
		Metadata: map[string]string{
			cpluginv1.MetadataCollection: Name,
			cpluginv1.MetadataReadAt:     strconv.FormatInt(time.Now().UnixNano(), 10),
		},
		Key: c.key(n),
	}
	switch op {
	case cpluginv1.OperationUpdate:
		// The state before an update is what the previous version of the
		// record held; any deterministic value does.
		rec.Payload = cpluginv1.Change{Before: c.data(n, true), After: c.data(n, false)}
	case cpluginv1.OperationDelete:
		rec.Payload = cpluginv1.Change{Before: c.data(n, false)}
	default:
		rec.Payload = cpluginv1.Change{After: c.data(n, false)}
	}
	return rec
}

func (c config) key(n uint64) cpluginv1.Data {
	if c.structured {
		return cpluginv1.StructuredData{"id": int64(n)} //nolint:gosec // sequence numbers never reach 2^63
	}
	return cpluginv1.RawData(strconv.AppendUint([]byte("key-"), n, 10))
}

const alphabet = "abcdefghijklmnopqrstuvwxyz"

// data returns the payload of record n, or of its previous state (the
// "before" of an update).
func (c config) data(n uint64, previous bool) cpluginv1.Data {
	version := int64(2)
	if previous {
		version = 1
	}
	b := make([]byte, c.payloadSize)
	offset := (n + uint64(version)) % uint64(len(alphabet))
	for i := range b {
		b[i] = alphabet[(offset+uint64(i))%uint64(len(alphabet))]
	}
	if c.structured {
		return cpluginv1.StructuredData{
			"id":      int64(n), //nolint:gosec // sequence numbers never reach 2^63
			"version": version,
			"data":    string(b),
		}
	}
	return cpluginv1.RawData(b)
}

func formatPosition(n uint64) []byte {
	return strconv.AppendUint(nil, n, 10)
}

func parsePosition(p []byte) (uint64, error) {
	n, err := strconv.ParseUint(string(p), 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("position %q is not a generator position (a decimal number >= 1)", p)
	}
	return n, nil
}
