package cplugintest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// source is the test connector's SourcePlugin: it sends what its
// configuration says and holds the host to the order of acks.
type source struct {
	lifecycle

	// Guarded by lifecycle.mu.
	stopped  bool     // Stop was called, or Run ended: send nothing more
	extra    int      // records to send after Stop anyway (stopOneMore)
	sent     [][]byte // positions of the records handed to Send, in order
	acked    int      // how many of sent the host acked
	lastSent []byte   // the last position handed to Send (Stop's answer)
}

func (s *source) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return cpluginv1.SourceConfigureResponse{}, s.configure(ctx, req.Config)
}

func (s *source) LifecycleOnCreated(ctx context.Context, req cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-created", fmt.Sprintf("LifecycleOnCreated(%q)", req.Config), nil)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnCreatedResponse{}, oldLifecycleError("source lifecycle on created")
	}
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, err
}

func (s *source) LifecycleOnUpdated(ctx context.Context, req cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-updated", fmt.Sprintf("LifecycleOnUpdated(%q, %q)", req.ConfigBefore, req.ConfigAfter), nil)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnUpdatedResponse{}, oldLifecycleError("source lifecycle on updated")
	}
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, err
}

func (s *source) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	old, err := s.lifecycleEvent(ctx, "lifecycle-on-deleted", fmt.Sprintf("LifecycleOnDeleted(%q)", req.Config), req.Config)
	if err == nil && old {
		return cpluginv1.SourceLifecycleOnDeletedResponse{}, oldLifecycleError("source lifecycle on deleted")
	}
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, err
}

func (s *source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, s.start(ctx, fmt.Sprintf("Start(%q)", req.Position))
}

func (s *source) Stop(ctx context.Context, _ cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	err := s.begin(ctx, "stop", "Stop", nil, func() error {
		if !s.started {
			return precondition(s.side, "stop", "called before Start")
		}
		return nil
	})
	if err != nil {
		return cpluginv1.SourceStopResponse{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	switch s.config.sourceStop {
	case stopOneMore:
		s.extra = 1
	case stopEmpty:
		return cpluginv1.SourceStopResponse{}, nil
	}
	// The producer picks a record and sets lastSent under the lock before
	// it sends it, and picks nothing after stopped is set: lastSent is the
	// last record it has sent or will still send.
	return cpluginv1.SourceStopResponse{LastPosition: bytes.Clone(s.lastSent)}, nil
}

func (s *source) Teardown(ctx context.Context, _ cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, s.teardown(ctx)
}

// Run sends records (what the configuration's sourceRun says) from one
// goroutine and reads acks in another, checking that they come in order.
// It returns nil when the host closes its side or Teardown ends it, and the
// error otherwise.
//
// It does not wait for the two goroutines: one of them may be blocked on
// the stream, which only the end of Run unblocks (as on a gRPC stream).
func (s *source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	runCtx, cfg, err := s.beginRun(ctx)
	if err != nil {
		return err
	}
	produce := cfg.sourceRun.producer()

	sendResult := make(chan error, 1)
	go func() { sendResult <- s.send(stream, produce) }()
	ackResult := make(chan error, 1)
	go func() { ackResult <- s.receiveAcks(stream) }()

	for {
		select {
		case err := <-sendResult:
			if err != nil {
				return s.finishRun(err)
			}
			sendResult = nil // all sent: keep receiving acks
		case err := <-ackResult:
			if err == nil && cfg.requireAcks {
				err = s.checkAllAcked()
			}
			return s.finishRun(err)
		case <-runCtx.Done():
			return s.finishRun(runResult(ctx))
		}
	}
}

func (s *source) finishRun(err error) error {
	s.mu.Lock()
	s.stopped = true
	s.extra = 0
	entry := fmt.Sprintf("Run ended: %d records sent, %d acked", len(s.sent), s.acked)
	s.mu.Unlock()
	if err != nil {
		entry += ", error: " + err.Error()
	}
	s.endOfRun(entry)
	return err
}

// send sends the records produce gives until it gives none or Stop.
func (s *source) send(stream cpluginv1.SourceRunStream, produce producer) error {
	var rejections []string
	produce = reportRejections(produce, &rejections)
	for {
		s.mu.Lock()
		if s.stopped {
			if s.extra == 0 {
				s.mu.Unlock()
				return nil
			}
			s.extra-- // breaking the protocol on purpose (keySourceStop)
		}
		record, expectUnsupported, ok := produce()
		if !ok {
			s.mu.Unlock()
			return nil
		}
		if !expectUnsupported {
			s.sent = append(s.sent, bytes.Clone(record.Position))
			s.lastSent = bytes.Clone(record.Position)
		}
		s.mu.Unlock()

		err := stream.Send(cpluginv1.SourceRunResponse{Record: record})
		if expectUnsupported {
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
				return fmt.Errorf("cplugintest source run: Send of record %q, which no transport can carry, returned %w, want an error wrapping ErrUnsupportedValue", record.Position, err)
			}
			// Reported to the host on a record once the others are sent:
			// that also shows that the stream still works.
			rejections = append(rejections, err.Error())
			continue
		}
		if err != nil {
			return fmt.Errorf("cplugintest source run: send record %q: %w", record.Position, err)
		}
		scribble(record)
	}
}

// reportRejections returns a producer that gives what produce gives and,
// once produce has no more, a record with position "report" whose metadata
// holds the messages of the rejections (metaSendError), if there were any.
func reportRejections(produce producer, rejections *[]string) producer {
	reported := false
	return func() (cpluginv1.Record, bool, bool) {
		if record, expectUnsupported, ok := produce(); ok {
			return record, expectUnsupported, ok
		}
		if reported || len(*rejections) == 0 {
			return cpluginv1.Record{}, false, false
		}
		reported = true
		return cpluginv1.Record{
			Position:  []byte("report"),
			Operation: cpluginv1.OperationCreate,
			Metadata:  map[string]string{metaSendError: strings.Join(*rejections, "\n")},
		}, false, true
	}
}

// receiveAcks receives acks until the host closes its side (nil) and checks
// that each is for the oldest record not acked yet.
func (s *source) receiveAcks(stream cpluginv1.SourceRunStream) error {
	for {
		ack, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("cplugintest source run: receive ack: %w", err)
		}
		s.mu.Lock()
		n := s.acked
		var want []byte
		if n < len(s.sent) {
			want = s.sent[n]
		}
		if want == nil || !bytes.Equal(ack.AckPosition, want) {
			s.mu.Unlock()
			return fmt.Errorf("cplugintest source run: ack %d is for position %q, want %q: acks must come in the order of the records", n+1, ack.AckPosition, want)
		}
		s.acked++
		s.mu.Unlock()
	}
}

func (s *source) checkAllAcked() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acked != len(s.sent) {
		return fmt.Errorf("cplugintest source run: the host closed the stream with %d of %d records not acked", len(s.sent)-s.acked, len(s.sent))
	}
	return nil
}

// producer gives the records a source's Run sends, one per call: the
// record, whether Send must reject it, and false once there are no more.
// The source calls it with its lock held.
type producer func() (record cpluginv1.Record, rejected, ok bool)

// producer returns a producer of the records r says the source sends.
func (r sourceRun) producer() producer {
	switch r.mode {
	case "endless":
		n := 0
		return func() (cpluginv1.Record, bool, bool) {
			n++
			return endlessRecord(n), false, true
		}
	case invalidUTF8:
		records := invalidUTF8Records()
		return func() (cpluginv1.Record, bool, bool) {
			if len(records) == 0 {
				return cpluginv1.Record{}, false, false
			}
			r := records[0].record
			records = records[1:]
			return r, true, true
		}
	case "unsupported":
		done := false
		return func() (cpluginv1.Record, bool, bool) {
			if done {
				return cpluginv1.Record{}, false, false
			}
			done = true
			return unsupportedRecord(), true, true
		}
	case "sizes":
		n := 0
		return func() (cpluginv1.Record, bool, bool) {
			if n == len(r.sizes) {
				return cpluginv1.Record{}, false, false
			}
			n++
			return sizedRecord(n, r.sizes[n-1]), false, true
		}
	case "none":
		return fixedRecords()
	case "no-position":
		second := endlessRecord(2)
		second.Position = nil
		return fixedRecords(endlessRecord(1), second)
	case "undefined-operation":
		second := endlessRecord(2)
		second.Operation = r.operation
		return fixedRecords(endlessRecord(1), second)
	default: // "" or "records"
		return fixedRecords(Records()...)
	}
}

// fixedRecords returns a producer of records, in order.
func fixedRecords(records ...cpluginv1.Record) producer {
	return func() (cpluginv1.Record, bool, bool) {
		if len(records) == 0 {
			return cpluginv1.Record{}, false, false
		}
		r := records[0]
		records = records[1:]
		return r, false, true
	}
}
