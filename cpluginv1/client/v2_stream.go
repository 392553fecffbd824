package client

import (
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/hostrun"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// The host's ends of protocol v2's Run streams, as the host's Run engine
// (package hostrun) takes them: a message is a batch, both ways. A message
// with an empty batch from the connector is skipped. The codec (package
// wire) encodes and decodes the messages straight from and into the Go
// types. Ends of the stream, size limits and failures of Send are reported
// as on protocol v1's streams (hostStream).

// sourceHostStreamV2 is the host's end of a protocol v2 source Run.
type sourceHostStreamV2 struct {
	hostStream
	received wire.RecordBatch      // what the codec decodes each batch into, straight into the Go types
	sending  wire.AckPositionBatch // what the codec encodes each batch of acks from
}

var _ hostrun.SourceTransport[cpluginv1.Record] = (*sourceHostStreamV2)(nil)

// Recv returns the records of the next non-empty batch. The slice is valid
// until the next Recv; the records' bytes are the records' own.
func (s *sourceHostStreamV2) Recv() ([]cpluginv1.Record, error) {
	for {
		if err := s.recv(&s.received); err != nil {
			return nil, err
		}
		if len(s.received.Records) > 0 {
			return s.received.Records, nil
		}
	}
}

// Send sends the acks in one Run request.
func (s *sourceHostStreamV2) Send(ackPositions [][]byte) error {
	s.sending.Positions = ackPositions
	err := s.send("ack", &s.sending)
	s.sending.Positions = nil // keep no reference to the host's positions
	return err
}

// destinationHostStreamV2 is the host's end of a protocol v2 destination
// Run.
type destinationHostStreamV2 struct {
	hostStream
	received wire.AckBatch              // what the codec decodes each batch of acks into
	sending  toproto.RecordBatchMessage // what the codec encodes each batch of records from
}

var _ hostrun.DestinationTransport[cpluginv1.Record, cpluginv1.DestinationRunResponse] = (*destinationHostStreamV2)(nil)

// Recv returns the acks of the next non-empty batch, valid until the next
// Recv.
func (s *destinationHostStreamV2) Recv() ([]cpluginv1.DestinationRunResponse, error) {
	for {
		if err := s.recv(&s.received); err != nil {
			return nil, err
		}
		if len(s.received.Acks) > 0 {
			return s.received.Acks, nil
		}
	}
}

// Send sends the records in one Run request. A record that cannot be
// encoded (a structured value the protocol cannot carry) ends the stream:
// Send returns io.EOF and Recv says why, naming the record, as for a
// record over a size limit.
func (s *destinationHostStreamV2) Send(records []cpluginv1.Record) error {
	if err := s.sending.Set(records); err != nil {
		s.failEncode(err)
		return io.EOF
	}
	err := s.send("record", &s.sending)
	s.sending.Reset()
	return err
}
