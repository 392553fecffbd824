package client

import (
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/toproto"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// The host's ends of protocol v2's Run streams. The connector's messages
// carry batches: Recv hands out their elements one by one, in order, and
// reads the next message once a batch is used up (a message with an empty
// batch is skipped). The host sends every ack and record in a message of
// its own, a batch of one, at once: cpluginv1's host streams take one at a
// time, and holding one back to fill a batch would delay it. The messages
// are gRPC's generated ones, encoded by its standard codec. Ends of the
// stream, size limits and failures of Send are reported as on protocol v1's
// streams (hostStream).

// sourceHostStreamV2 is the host's end of a protocol v2 source Run.
type sourceHostStreamV2 struct {
	hostStream
	pending []*opencdcv1.Record // Recv's: the records of the last batch not handed out yet

	// Send's: the message every ack is sent in, and its list of one (gRPC
	// encodes a message before SendMsg returns).
	sending connectorv2.Source_Run_Request
	list    [1][]byte
}

var _ cpluginv1.SourceRunHostStream = (*sourceHostStreamV2)(nil)

// Recv returns the next record. The record's bytes are the record's own:
// the stream keeps no reference to them.
func (s *sourceHostStreamV2) Recv() (cpluginv1.SourceRunResponse, error) {
	for len(s.pending) == 0 {
		resp := new(connectorv2.Source_Run_Response)
		if err := s.recv(resp); err != nil {
			return cpluginv1.SourceRunResponse{}, err
		}
		s.pending = resp.GetRecords()
	}
	rec := fromproto.Record(s.pending[0])
	s.pending[0] = nil
	s.pending = s.pending[1:]
	return cpluginv1.SourceRunResponse{Record: rec}, nil
}

// Send sends an ack in a Run request of its own.
func (s *sourceHostStreamV2) Send(ack cpluginv1.SourceRunRequest) error {
	s.list[0] = ack.AckPosition
	s.sending.AckPositions = s.list[:]
	err := s.send("ack", &s.sending)
	s.list[0], s.sending.AckPositions = nil, nil // keep no reference to the host's position
	return err
}

// destinationHostStreamV2 is the host's end of a protocol v2 destination
// Run.
type destinationHostStreamV2 struct {
	hostStream
	pending []*connectorv2.Destination_Run_Response_Ack // Recv's: the acks of the last batch not handed out yet

	// Send's: the message every record is sent in, and its list of one.
	sending connectorv2.Destination_Run_Request
	list    [1]*opencdcv1.Record
}

var _ cpluginv1.DestinationRunHostStream = (*destinationHostStreamV2)(nil)

// Recv returns the next ack.
func (s *destinationHostStreamV2) Recv() (cpluginv1.DestinationRunResponse, error) {
	for len(s.pending) == 0 {
		resp := new(connectorv2.Destination_Run_Response)
		if err := s.recv(resp); err != nil {
			return cpluginv1.DestinationRunResponse{}, err
		}
		s.pending = resp.GetAcks()
	}
	ack := fromproto.DestinationRunAckV2(s.pending[0])
	s.pending[0] = nil
	s.pending = s.pending[1:]
	return ack, nil
}

// Send sends a record in a Run request of its own. A record that cannot be
// encoded (a structured value the protocol cannot carry) ends the stream:
// Send returns io.EOF and Recv says why, as for a record over a size limit.
func (s *destinationHostStreamV2) Send(req cpluginv1.DestinationRunRequest) error {
	rec, err := toproto.Record(req.Record)
	if err != nil {
		s.mu.Lock()
		s.failLocked(fmt.Errorf("send record: %w", err))
		s.mu.Unlock()
		return io.EOF
	}
	s.list[0] = rec
	s.sending.Records = s.list[:]
	err = s.send("record", &s.sending)
	s.list[0], s.sending.Records = nil, nil // keep no reference to the host's record
	return err
}
