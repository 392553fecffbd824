package checker

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// event is one thing that happened on a Run stream: a message from the
// connector (a record from a source, an ack from a destination) or, last,
// the end of the stream (io.EOF when the connector ended it normally).
type event[T any] struct {
	msg T
	err error
}

// stream is the checker's end of a Run stream. A goroutine receives from
// the connector, so that every wait can have a timeout.
type stream[T any] struct {
	events chan event[T]
	cancel context.CancelFunc
	ended  bool
	endErr error
}

// newStream starts receiving with recv until it fails or ctx ends; cancel
// must end ctx.
func newStream[T any](ctx context.Context, cancel context.CancelFunc, recv func() (T, error)) *stream[T] {
	s := &stream[T]{events: make(chan event[T], 64), cancel: cancel}
	go func() {
		for {
			msg, err := recv()
			select {
			case s.events <- event[T]{msg: msg, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

// next waits up to timeout for the next event; ok is false if none came.
// Once the stream has ended, next returns the end again.
func (s *stream[T]) next(timeout time.Duration) (ev event[T], ok bool) {
	if s.ended {
		return event[T]{err: s.endErr}, true
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case ev := <-s.events:
		if ev.err != nil {
			s.ended, s.endErr = true, ev.err
		}
		return ev, true
	case <-t.C:
		return ev, false
	}
}

// waitEnd drops the connector's messages until the stream ends; it returns
// false if the stream did not end within timeout.
func (s *stream[T]) waitEnd(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for !s.ended {
		if _, ok := s.next(time.Until(deadline)); !ok {
			return false
		}
	}
	return true
}

// abort ends the stream from the host's side by cancelling it.
func (s *stream[T]) abort() { s.cancel() }

// probe waits up to timeout for the first event on s, renders its message
// with format, and ends the stream.
func probe[T any](s *stream[T], timeout time.Duration, format func(T) string) (event[string], bool) {
	defer s.abort()
	ev, ok := s.next(timeout)
	return event[string]{msg: format(ev.msg), err: ev.err}, ok
}

// sourceStream runs a source and receives its records.
type sourceStream struct {
	*stream[cpluginv1.Record]
	run *cpluginv1.SourceRun
}

// openSourceStream runs src.SourcePlugin itself, not the wrapper: the host's
// end looks for the interfaces of protocol v2 on the plugin.
func openSourceStream(ctx context.Context, src sourcePlugin) *sourceStream {
	ctx, cancel := context.WithCancel(ctx)
	run := cpluginv1.RunSource(ctx, src.SourcePlugin)
	s := newStream(ctx, cancel, func() (cpluginv1.Record, error) {
		resp, err := run.Recv()
		return resp.Record, err
	})
	return &sourceStream{stream: s, run: run}
}

func (s *sourceStream) ack(position []byte) {
	// An error means the stream ended; the receiving side reports why.
	_ = s.run.Send(cpluginv1.SourceRunRequest{AckPosition: position})
}

func (s *sourceStream) closeSend() { _ = s.run.CloseSend() }

// destinationStream runs a destination and receives its acks. It also
// records every ack as the connector sent it, before the host's end of the
// stream (cpluginv1.DestinationRun) judges it: the checker's verdict on
// the acks (see ackVerdict) is its own, not the host's.
type destinationStream struct {
	*stream[cpluginv1.DestinationRunResponse]
	run *cpluginv1.DestinationRun
	raw *rawAcks
}

func openDestinationStream(ctx context.Context, dst destinationPlugin) *destinationStream {
	ctx, cancel := context.WithCancel(ctx)
	raw := &rawAcks{}
	run := cpluginv1.RunDestination(ctx, recordingDestination{DestinationPlugin: dst.DestinationPlugin, raw: raw})
	s := newStream(ctx, cancel, run.Recv)
	return &destinationStream{stream: s, run: run, raw: raw}
}

// rawAcks are the acks a destination sent, in order, as it sent them.
type rawAcks struct {
	mu   sync.Mutex
	acks []cpluginv1.DestinationRunResponse
}

func (r *rawAcks) add(ack cpluginv1.DestinationRunResponse) {
	ack.AckPosition = bytes.Clone(ack.AckPosition)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, ack)
}

func (r *rawAcks) list() []cpluginv1.DestinationRunResponse {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.acks)
}

// recordingDestination records the acks its Run sends to the host.
type recordingDestination struct {
	cpluginv1.DestinationPlugin
	raw *rawAcks
}

func (d recordingDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.DestinationPlugin.Run(ctx, recordingStream{DestinationRunStream: stream, raw: d.raw})
}

type recordingStream struct {
	cpluginv1.DestinationRunStream
	raw *rawAcks
}

func (s recordingStream) Send(ack cpluginv1.DestinationRunResponse) error {
	s.raw.add(ack)
	return s.DestinationRunStream.Send(ack)
}

func (s *destinationStream) closeSend() { _ = s.run.CloseSend() }

// The gRPC methods of the Run streams, as the wire observer names them.
const (
	sourceRunMethod      = "/connector.v1.SourcePlugin/Run"
	destinationRunMethod = "/connector.v1.DestinationPlugin/Run"
)

// hostRefused reports whether err is the end of a Run stream that the
// host's end (cpluginv1.SourceRun, cpluginv1.DestinationRun) brought about
// because the connector sent a message that breaks the protocol's rules: a
// record or an ack the checker then never sees.
func hostRefused(err error) bool {
	var refused *cpluginv1.ContractError
	return errors.As(err, &refused)
}

// refused reports whether err is such an end of a source's Run stream (see
// hostRefused) and, if so, reports the record's fault under chk. A record
// that breaks a validation rule of the contract (ErrInvalidArgument) is
// reported by the wire observer already, with the rule; the host's words
// are added only if the observer missed it. A record after the Stop
// position (ErrFailedPrecondition) breaks no rule of a single message, so
// the host's words are the report. (A destination's acks are judged by
// ackVerdict instead: see judgeAcks.)
func (c *checker) refused(err error, chk check) bool {
	if !hostRefused(err) {
		return false
	}
	if !errors.Is(err, cpluginv1.ErrInvalidArgument) || !c.wire.saw(sourceRunMethod) {
		c.res.problem(chk, "the host ended the Run stream: "+err.Error(), "")
	}
	return true
}
