package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// source produces the records after the start position up to the
// configured number, appends every ack to the acks file, and checks that
// acks come in order. Once stopped, it ends Run as soon as every record it
// sent is acknowledged.
type source struct {
	mu         sync.Mutex
	configured bool
	records    int
	acksFile   string
	started    bool
	next       int  // index of the next record to produce
	lastSent   int  // index of the last record handed to the stream, or the start index
	sentAny    bool // whether this run sent a record
	lastAcked  int  // index of the last record acknowledged, or the start index
	stopped    bool
	drained    chan struct{} // closed once stopped and every sent record is acked
	closeOnce  sync.Once
}

func (s *source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	known := []string{contract.ParamRecords, contract.ParamAcksFile}
	if err := checkConfig(req.Config, known, []string{contract.ParamAcksFile}); err != nil {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("configure source: %w", err)
	}
	value, ok := req.Config[contract.ParamRecords]
	if !ok {
		value = contract.RecordsDefault
	}
	records, err := contract.ParseRecords(value)
	if err != nil {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("configure source: %w: %w", err, cpluginv1.ErrInvalidArgument)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records, s.acksFile, s.configured = records, req.Config[contract.ParamAcksFile], true
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (s *source) Start(_ context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	index, err := contract.ParsePosition(req.Position)
	if err != nil {
		return cpluginv1.SourceStartResponse{}, fmt.Errorf("start source: %w: %w", err, cpluginv1.ErrInvalidArgument)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.configured {
		return cpluginv1.SourceStartResponse{}, fmt.Errorf("start source before configure: %w", cpluginv1.ErrFailedPrecondition)
	}
	s.started = true
	s.next, s.lastSent, s.lastAcked = index+1, index, index
	s.drained = make(chan struct{})
	return cpluginv1.SourceStartResponse{}, nil
}

// ackResult is what one Recv on the Run stream returned.
type ackResult struct {
	req cpluginv1.SourceRunRequest
	err error
}

func (s *source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) (runErr error) {
	s.mu.Lock()
	started, drained := s.started, s.drained
	s.mu.Unlock()
	if !started {
		return fmt.Errorf("run source before start: %w", cpluginv1.ErrFailedPrecondition)
	}

	produced := make(chan error, 1)
	go func() { produced <- s.produce(stream) }()
	defer func() {
		// Stop producing and wait, so nothing calls Send after Run returned.
		s.mu.Lock()
		s.stopped = true
		s.mu.Unlock()
		if produced != nil {
			if err := <-produced; runErr == nil {
				runErr = err
			}
		}
	}()

	// Recv runs in its own goroutine so that Run can also end when the
	// source is drained, while Recv still waits for an ack that will not
	// come. That goroutine returns once the stream ends, after Run.
	runDone := make(chan struct{})
	defer close(runDone)
	acks := make(chan ackResult)
	go func() {
		for {
			req, err := stream.Recv()
			select {
			case acks <- ackResult{req, err}:
			case <-runDone:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	for {
		select {
		case ack := <-acks:
			if errors.Is(ack.err, io.EOF) {
				return nil // the host closed the stream
			}
			if ack.err != nil {
				return fmt.Errorf("receive ack: %w", ack.err)
			}
			if err := s.ack(ack.req.AckPosition); err != nil {
				return err
			}
		case <-drained:
			return nil
		case err := <-produced:
			produced = nil // the deferred wait must not wait again
			if err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// produce sends records until every record is sent or the source is stopped.
func (s *source) produce(stream cpluginv1.SourceRunStream) error {
	for {
		s.mu.Lock()
		if s.stopped || s.next > s.records {
			s.mu.Unlock()
			return nil
		}
		index := s.next
		s.next++
		s.lastSent, s.sentAny = index, true
		s.mu.Unlock()

		err := stream.Send(cpluginv1.SourceRunResponse{Record: cpluginv1.Record{
			Position:  contract.Position(index),
			Operation: cpluginv1.OperationCreate,
			Metadata:  contract.Metadata(index),
			Key:       cpluginv1.RawData(contract.Key(index)),
			Payload:   cpluginv1.Change{After: cpluginv1.StructuredData(contract.Payload(index))},
		}})
		if err != nil {
			return fmt.Errorf("send record %d: %w", index, err)
		}
	}
}

// ack records the ack of the oldest unacknowledged record.
func (s *source) ack(position []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	want := s.lastAcked + 1
	if want > s.lastSent || string(position) != string(contract.Position(want)) {
		return fmt.Errorf("ack for position %q arrived, expected %q (last sent %d): %w",
			position, contract.Position(want), s.lastSent, cpluginv1.ErrFailedPrecondition)
	}
	if err := contract.AppendLine(s.acksFile, position); err != nil {
		return fmt.Errorf("record ack: %w", err)
	}
	s.lastAcked = want
	s.closeIfDrainedLocked()
	return nil
}

func (s *source) closeIfDrainedLocked() {
	if s.stopped && s.lastAcked == s.lastSent {
		s.closeOnce.Do(func() { close(s.drained) })
	}
}

// Stop names the last record this run sent; produce sends nothing after it.
func (s *source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return cpluginv1.SourceStopResponse{}, fmt.Errorf("stop source before start: %w", cpluginv1.ErrFailedPrecondition)
	}
	s.stopped = true
	s.closeIfDrainedLocked()
	if !s.sentAny {
		// No record to wait for: the host can close the stream right away.
		return cpluginv1.SourceStopResponse{}, nil
	}
	return cpluginv1.SourceStopResponse{LastPosition: contract.Position(s.lastSent)}, nil
}

func (s *source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

func (s *source) LifecycleOnCreated(context.Context, cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, nil
}

func (s *source) LifecycleOnUpdated(context.Context, cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, nil
}

func (s *source) LifecycleOnDeleted(context.Context, cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, nil
}
