package client

import (
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// The host's ends of protocol v2's Run streams. The connector's messages
// carry batches: Recv hands out their elements one by one, in order, and
// reads the next message once a batch is used up (a message with an empty
// batch is skipped). The host sends every ack and record in a message of
// its own, a batch of one, at once: cpluginv1's host streams take one at a
// time, and holding one back to fill a batch would delay it. The codec
// (package wire) encodes and decodes the messages straight from and into
// the Go types: a v2 message of one record or one ack position is byte for
// byte its v1 counterpart, and a received batch is decoded element by
// element. Ends of the
// stream, size limits and failures of Send are reported as on protocol v1's
// streams (hostStream).

// sourceHostStreamV2 is the host's end of a protocol v2 source Run.
type sourceHostStreamV2 struct {
	hostStream
	// Recv's: what the codec (package wire) decodes each batch into,
	// straight into the Go types, and its records not handed out yet.
	batch   wire.RecordBatch
	pending []cpluginv1.Record

	// Send's: the ack, which the codec encodes as a v2 message of one ack
	// position (byte for byte v1's Source.Run.Request).
	sending cpluginv1.SourceRunRequest
}

var _ cpluginv1.SourceRunHostStream = (*sourceHostStreamV2)(nil)

// Recv returns the next record. The record's bytes are the record's own:
// the stream keeps no reference to them.
func (s *sourceHostStreamV2) Recv() (cpluginv1.SourceRunResponse, error) {
	for len(s.pending) == 0 {
		if err := s.recv(&s.batch); err != nil {
			return cpluginv1.SourceRunResponse{}, err
		}
		s.pending = s.batch.Records
	}
	rec := s.pending[0]
	s.pending[0] = cpluginv1.Record{} // the host's record holds what it needs
	s.pending = s.pending[1:]
	return cpluginv1.SourceRunResponse{Record: rec}, nil
}

// Send sends an ack in a Run request of its own.
func (s *sourceHostStreamV2) Send(ack cpluginv1.SourceRunRequest) error {
	s.sending = ack
	err := s.send("ack", &s.sending)
	s.sending = cpluginv1.SourceRunRequest{} // keep no reference to the host's position
	return err
}

// destinationHostStreamV2 is the host's end of a protocol v2 destination
// Run.
type destinationHostStreamV2 struct {
	hostStream
	// Recv's: what the codec decodes each batch of acks into, and its acks
	// not handed out yet.
	batch   wire.AckBatch
	pending []cpluginv1.DestinationRunResponse

	// Send's: the record, which the codec encodes as a v2 message of one
	// record (byte for byte v1's Destination.Run.Request).
	sending toproto.RecordMessage
}

var _ cpluginv1.DestinationRunHostStream = (*destinationHostStreamV2)(nil)

// Recv returns the next ack.
func (s *destinationHostStreamV2) Recv() (cpluginv1.DestinationRunResponse, error) {
	for len(s.pending) == 0 {
		if err := s.recv(&s.batch); err != nil {
			return cpluginv1.DestinationRunResponse{}, err
		}
		s.pending = s.batch.Acks
	}
	ack := s.pending[0]
	s.pending[0] = cpluginv1.DestinationRunResponse{}
	s.pending = s.pending[1:]
	return ack, nil
}

// Send sends a record in a Run request of its own. A record that cannot be
// encoded (a structured value the protocol cannot carry) ends the stream:
// Send returns io.EOF and Recv says why, as for a record over a size limit.
func (s *destinationHostStreamV2) Send(req cpluginv1.DestinationRunRequest) error {
	if err := s.sending.Set(req.Record); err != nil {
		s.mu.Lock()
		s.failLocked(fmt.Errorf("send record: %w", err))
		s.mu.Unlock()
		return io.EOF
	}
	return s.send("record", &s.sending)
}
