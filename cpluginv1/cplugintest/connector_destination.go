package cplugintest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

// destination is the test connector's DestinationPlugin: it acks (or
// nacks) the records it receives as its configuration says.
type destination struct {
	lifecycle

	// flush carries Stop's requests to Run. Start makes it, so that a
	// Stop that overtakes the start of Run still reaches it. Guarded by mu.
	flush chan flushRequest
}

// flushRequest asks Run to send every ack it holds once the record at
// position last has arrived, then close done.
type flushRequest struct {
	last []byte
	done chan struct{}
}

func (d *destination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, d.configure(ctx, req.Config)
}

func (d *destination) LifecycleOnCreated(ctx context.Context, req cpluginv1.DestinationLifecycleOnCreatedRequest) (cpluginv1.DestinationLifecycleOnCreatedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-created", fmt.Sprintf("LifecycleOnCreated(%q)", req.Config), nil)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnCreatedResponse{}, oldLifecycleError("destination lifecycle on created")
	}
	return cpluginv1.DestinationLifecycleOnCreatedResponse{}, err
}

func (d *destination) LifecycleOnUpdated(ctx context.Context, req cpluginv1.DestinationLifecycleOnUpdatedRequest) (cpluginv1.DestinationLifecycleOnUpdatedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-updated", fmt.Sprintf("LifecycleOnUpdated(%q, %q)", req.ConfigBefore, req.ConfigAfter), nil)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, oldLifecycleError("destination lifecycle on updated")
	}
	return cpluginv1.DestinationLifecycleOnUpdatedResponse{}, err
}

func (d *destination) LifecycleOnDeleted(ctx context.Context, req cpluginv1.DestinationLifecycleOnDeletedRequest) (cpluginv1.DestinationLifecycleOnDeletedResponse, error) {
	old, err := d.lifecycleEvent(ctx, "lifecycle-on-deleted", fmt.Sprintf("LifecycleOnDeleted(%q)", req.Config), req.Config)
	if err == nil && old {
		return cpluginv1.DestinationLifecycleOnDeletedResponse{}, oldLifecycleError("destination lifecycle on deleted")
	}
	return cpluginv1.DestinationLifecycleOnDeletedResponse{}, err
}

func (d *destination) Start(ctx context.Context, _ cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	if err := d.start(ctx, "Start"); err != nil {
		return cpluginv1.DestinationStartResponse{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.flush = make(chan flushRequest)
	return cpluginv1.DestinationStartResponse{}, nil
}

// Stop waits until Run has received the record at req.LastPosition and has
// sent every ack it held, or until Run ends. With an empty LastPosition
// (the host sent nothing) it returns at once.
func (d *destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	err := d.begin(ctx, "stop", fmt.Sprintf("Stop(%q)", req.LastPosition), nil, func() error {
		if !d.started {
			return precondition(d.side, "stop", "called before Start")
		}
		return nil
	})
	if err != nil {
		return cpluginv1.DestinationStopResponse{}, err
	}
	if len(req.LastPosition) == 0 {
		return cpluginv1.DestinationStopResponse{}, nil
	}
	d.mu.Lock()
	flush, runEnded := d.flush, d.runEnded
	d.mu.Unlock()
	request := flushRequest{last: req.LastPosition, done: make(chan struct{})}
	select {
	case flush <- request:
	case <-runEnded:
		return cpluginv1.DestinationStopResponse{}, nil
	case <-ctx.Done():
		return cpluginv1.DestinationStopResponse{}, fmt.Errorf("cplugintest destination stop: %w", ctx.Err())
	}
	select {
	case <-request.done:
	case <-runEnded:
	case <-ctx.Done():
		return cpluginv1.DestinationStopResponse{}, fmt.Errorf("cplugintest destination stop: %w", ctx.Err())
	}
	return cpluginv1.DestinationStopResponse{}, nil
}

func (d *destination) Teardown(ctx context.Context, _ cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, d.teardown(ctx)
}

// Run receives records in one goroutine and acks them, in order, from
// Run's own goroutine, the only one that sends. It returns nil when the
// host closes its side or Teardown ends it, and the error otherwise.
func (d *destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	runCtx, cfg, err := d.beginRun(ctx)
	if err != nil {
		return err
	}
	d.mu.Lock()
	flush := d.flush
	d.mu.Unlock()
	batch := cfg.destinationRun == acksBatch
	misbehave := ackMisbehaviour(cfg.destinationRun)

	records := make(chan cpluginv1.Record)
	recvErr := make(chan error, 1)
	go func() {
		for {
			req, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case records <- req.Record:
			case <-runCtx.Done():
				return
			}
		}
	}()

	var (
		held     []cpluginv1.DestinationRunResponse // acks not sent yet (batch)
		received = map[string]bool{}                // positions received
		waiting  *flushRequest                      // a Stop waiting for its last record
		count    int
	)
	sendHeld := func() error {
		for _, ack := range held {
			if err := stream.Send(ack); err != nil {
				return fmt.Errorf("cplugintest destination run: send ack: %w", err)
			}
		}
		held = nil
		return nil
	}
	finish := func(err error) error {
		entry := fmt.Sprintf("Run ended: %d records received", count)
		if err != nil {
			entry += ", error: " + err.Error()
		}
		d.endOfRun(entry)
		return err
	}

	for {
		select {
		case record := <-records:
			count++
			received[string(record.Position)] = true
			held = append(held, misbehave(ackFor(record))...)
			scribble(record)
			if batch && (waiting == nil || !received[string(waiting.last)]) {
				continue
			}
			if err := sendHeld(); err != nil {
				return finish(err)
			}
			if waiting != nil && received[string(waiting.last)] {
				close(waiting.done)
				waiting = nil
			}
		case request := <-flush:
			if !received[string(request.last)] {
				waiting = &request // the record is still on its way
				continue
			}
			if err := sendHeld(); err != nil {
				return finish(err)
			}
			close(request.done)
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return finish(nil)
			}
			return finish(fmt.Errorf("cplugintest destination run: receive record: %w", err))
		case <-runCtx.Done():
			return finish(runResult(ctx))
		}
	}
}

// ackMisbehaviour returns what the destination sends instead of each ack,
// for mode: the ack itself for acksAtOnce and acksBatch, and otherwise acks
// that break the protocol's rules:
//
//   - acksSwap: the acks of each pair of records in the wrong order (2, 1,
//     4, 3, ...).
//   - acksUnknown: an ack for position "never-sent" instead.
//   - acksDuplicate: every ack twice.
//   - acksEmpty: the ack without its position.
func ackMisbehaviour(mode ackMode) func(cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
	switch mode {
	case acksSwap:
		var held *cpluginv1.DestinationRunResponse
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			if held == nil {
				held = &ack
				return nil
			}
			first := *held
			held = nil
			return []cpluginv1.DestinationRunResponse{ack, first}
		}
	case acksUnknown:
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			ack.AckPosition = []byte("never-sent")
			return []cpluginv1.DestinationRunResponse{ack}
		}
	case acksDuplicate:
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			return []cpluginv1.DestinationRunResponse{ack, {AckPosition: bytes.Clone(ack.AckPosition), Error: ack.Error}}
		}
	case acksEmpty:
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			ack.AckPosition = nil
			return []cpluginv1.DestinationRunResponse{ack}
		}
	default: // acksAtOnce, acksBatch
		return func(ack cpluginv1.DestinationRunResponse) []cpluginv1.DestinationRunResponse {
			return []cpluginv1.DestinationRunResponse{ack}
		}
	}
}

// ackFor returns the ack for a received record: a negative ack if its
// metadata asks for one, or if it is one of Records() and did not arrive
// as Normalized gives it; a positive ack otherwise.
func ackFor(record cpluginv1.Record) cpluginv1.DestinationRunResponse {
	ack := cpluginv1.DestinationRunResponse{AckPosition: bytes.Clone(record.Position)}
	if _, ok := record.Metadata[metaNackInvalidUTF8]; ok {
		ack.Error = invalidUTF8NackError
		return ack
	}
	if reason, ok := record.Metadata[metaNack]; ok {
		ack.Error = reason
		return ack
	}
	for _, sent := range Records() {
		if bytes.Equal(sent.Position, record.Position) {
			if diff := cmp.Diff(Normalized(sent), record, EquateEmpty()); diff != "" {
				ack.Error = fmt.Sprintf("cplugintest destination: record %q is not what was sent (-sent +received):\n%s", record.Position, diff)
			}
		}
	}
	return ack
}

// invalidUTF8NackError is the error of the destination's negative ack for
// a record with metaNackInvalidUTF8: it is not valid UTF-8.
const invalidUTF8NackError = "cplugintest: not written: \xff\xfe"
