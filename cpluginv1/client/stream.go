package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// hostStream is the host's end of a Run's gRPC stream, read and written by
// the host's own goroutines (cpluginv1.RunSource and RunDestination call it
// directly): Recv is gRPC's RecvMsg, Send gRPC's SendMsg, with no goroutine
// or queue in between. The messages are decoded by the codec (package wire)
// straight into the cpluginv1 types, and encoded straight from them.
type hostStream struct {
	grpc   grpc.ClientStream
	cancel context.CancelFunc // ends the gRPC stream

	// sourceRun is true on a source's Run, where records flow from the
	// connector to the host, and false on a destination's: it tells which
	// size limit a message over one broke.
	sourceRun bool

	// mu is held while the host sends on the gRPC stream, so that Recv,
	// which takes it once the stream failed, sees the failure of a Send
	// that made the stream fail (a message over the size limit): gRPC ends
	// the stream inside that Send, before the Send returns.
	mu      sync.Mutex
	failure error // why the host's side ended the stream, if it did
}

// recv receives one message into m, or returns how the stream ended: io.EOF
// at the connector's normal end, the host's own failure if a Send ended the
// stream, the size-limit error, or the connector's (or transport's) error.
func (s *hostStream) recv(m any) error {
	err := s.grpc.RecvMsg(m)
	if err == nil {
		return nil
	}
	defer s.cancel() // releases the stream's resources
	s.mu.Lock()
	failure := s.failure
	s.mu.Unlock()
	switch {
	case failure != nil:
		return failure
	case errors.Is(err, io.EOF):
		return io.EOF
	}
	if tooLarge := s.tooLarge(err); tooLarge != nil {
		return tooLarge
	}
	return grpcerrors.FromStatus(err)
}

// send sends m, a what ("ack" or "record"). A failure other than the end
// of the stream ends the stream: send returns io.EOF, and Recv reports why.
func (s *hostStream) send(what string, m any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.grpc.SendMsg(m)
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	failure := grpcerrors.TooLarge(err, what, grpcerrors.HostSend)
	if failure == nil {
		failure = fmt.Errorf("send %s: %w", what, grpcerrors.FromStatus(err))
	}
	s.failLocked(failure)
	return io.EOF
}

// failLocked ends the stream because the host could not send a message.
// Called with s.mu held.
func (s *hostStream) failLocked(err error) {
	if s.failure == nil {
		s.failure = err
	}
	s.cancel()
}

// CloseSend half-closes the stream: no more messages from the host.
func (s *hostStream) CloseSend() error { return s.grpc.CloseSend() }

// tooLarge rewords gRPC's error for a message over a size limit that ended
// the stream, naming the limit (see grpcerrors.TooLarge), or returns nil. The
// host's own send limit fails its Send instead (see send). When the
// receiver refused the message, it is taken to be a record, refused by
// whoever receives records: an ack holds a position (and a destination's
// an error text), so in practice it is not the message too large.
func (s *hostStream) tooLarge(recvErr error) error {
	sent, ok := grpcerrors.SizeLimitSent(recvErr)
	switch {
	case !ok:
		return nil
	case sent && s.sourceRun:
		return grpcerrors.TooLarge(recvErr, "record", grpcerrors.ConnectorSend)
	case sent:
		return grpcerrors.TooLarge(recvErr, "ack", grpcerrors.ConnectorSend)
	case s.sourceRun:
		return grpcerrors.TooLarge(recvErr, "record", grpcerrors.HostReceive)
	default:
		return grpcerrors.TooLarge(recvErr, "record", grpcerrors.ConnectorReceive)
	}
}

// The host's ends of protocol v1's Run streams, as the host's Run engine
// (package hostrun) takes them: each message is a batch of one.

// sourceHostStream is the host's end of a source Run over gRPC.
type sourceHostStream struct {
	hostStream
	received cpluginv1.SourceRunResponse // what the codec decodes each record into
	batch    [1]cpluginv1.Record         // Recv's batch of one, valid until the next Recv
	sending  cpluginv1.SourceRunRequest  // what the codec encodes each ack from
}

var _ hostrun.SourceTransport[cpluginv1.Record] = (*sourceHostStream)(nil)

// Recv returns the next record. The record's bytes are the record's own:
// the stream keeps no reference to them.
func (s *sourceHostStream) Recv() ([]cpluginv1.Record, error) {
	rec, err := s.RecvOne()
	if err != nil {
		return nil, err
	}
	s.batch[0] = rec
	return s.batch[:], nil
}

// RecvOne returns the next record, without a batch around it.
func (s *sourceHostStream) RecvOne() (cpluginv1.Record, error) {
	if err := s.recv(&s.received); err != nil {
		return cpluginv1.Record{}, err
	}
	return s.received.Record, nil
}

// SendOne sends one ack. gRPC encodes it before SendMsg returns, so the
// stream keeps no reference to it.
func (s *sourceHostStream) SendOne(position []byte) error {
	s.sending.AckPosition = position
	err := s.send("ack", &s.sending)
	s.sending.AckPosition = nil
	return err
}

// Send sends every ack in a message of its own. gRPC encodes each before
// SendMsg returns, so the stream keeps no reference to them.
func (s *sourceHostStream) Send(ackPositions [][]byte) error {
	for _, position := range ackPositions {
		if err := s.SendOne(position); err != nil {
			return err
		}
	}
	return nil
}

// destinationHostStream is the host's end of a destination Run over gRPC.
type destinationHostStream struct {
	hostStream
	received cpluginv1.DestinationRunResponse    // what the codec decodes each ack into
	batch    [1]cpluginv1.DestinationRunResponse // Recv's batch of one
	sending  toproto.RecordMessage               // what the codec encodes each record from
}

var _ hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse] = (*destinationHostStream)(nil)

// Recv returns the next ack.
func (s *destinationHostStream) Recv() ([]cpluginv1.DestinationRunResponse, error) {
	ack, err := s.RecvOne()
	if err != nil {
		return nil, err
	}
	s.batch[0] = ack
	return s.batch[:], nil
}

// RecvOne returns the next ack, without a batch around it.
func (s *destinationHostStream) RecvOne() (cpluginv1.DestinationRunResponse, error) {
	if err := s.recv(&s.received); err != nil {
		return cpluginv1.DestinationRunResponse{}, err
	}
	return s.received, nil
}

// SendOne sends one record, as Send does.
func (s *destinationHostStream) SendOne(rec cpluginv1.Record) error {
	if err := s.sending.Set(rec); err != nil {
		s.failEncode(err)
		return io.EOF
	}
	return s.send("record", &s.sending)
}

// Send sends every record in a message of its own. A record that cannot be
// encoded (a structured value the protocol cannot carry) ends the stream:
// Send returns io.EOF and Recv says why, as for a record over a size
// limit.
func (s *destinationHostStream) Send(records []cpluginv1.Record) error {
	for _, rec := range records {
		if err := s.SendOne(rec); err != nil {
			return err
		}
	}
	return nil
}

// failEncode ends the stream because a record the host sends cannot be
// encoded.
func (s *hostStream) failEncode(err error) {
	s.mu.Lock()
	s.failLocked(fmt.Errorf("send record: %w", err))
	s.mu.Unlock()
}

// pumpRun serves a connector-facing Run call (SourcePlugin.Run or
// DestinationPlugin.Run called with a stream of the caller's) over a host
// stream: a goroutine copies what the caller's stream receives (acks or
// records) to the host stream, and Run copies what the host stream
// receives to the caller's stream, until the host stream ends. Hosts use
// cpluginv1.RunSource and RunDestination, which read the host stream
// directly; this is for callers that hold a stream of their own.
func pumpRun[Out, In any, T interface {
	Recv() (Out, error)
	Send(In) error
	CloseSend() error
}](
	ctx context.Context,
	open func(context.Context) (T, error),
	callerRecv func() (In, error),
	callerSend func(Out) error,
) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := open(ctx)
	if err != nil {
		return err
	}
	var (
		pumpMu  sync.Mutex
		pumpErr error
	)
	go func() {
		for {
			v, err := callerRecv()
			if errors.Is(err, io.EOF) {
				_ = stream.CloseSend()
				return
			}
			if err == nil {
				err = stream.Send(v)
				if errors.Is(err, io.EOF) {
					return // the stream ended: Recv below says why
				}
			}
			if err != nil {
				if ctx.Err() == nil {
					pumpMu.Lock()
					pumpErr = err
					pumpMu.Unlock()
					cancel()
				}
				return
			}
		}
	}()
	for {
		v, err := stream.Recv()
		if err != nil {
			pumpMu.Lock()
			defer pumpMu.Unlock()
			if pumpErr != nil {
				return pumpErr
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := callerSend(v); err != nil {
			return err
		}
	}
}

// oneByOne hands the elements of a batch to send one at a time, for a
// caller's stream of protocol v1, and stops at the first error.
func oneByOne[T any](send func(T) error) func([]T) error {
	return func(batch []T) error {
		for _, el := range batch {
			if err := send(el); err != nil {
				return err
			}
		}
		return nil
	}
}
