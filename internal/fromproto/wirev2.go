package fromproto

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The decoders of protocol v2's Run messages, which carry batches: field 1
// repeated. Each element is decoded as its own value, with the decoders of
// protocol v1 (whose Run messages hold one element in field 1): protobuf
// appends repeated elements instead of merging them. The memory bound of
// the v1 decoders holds per element, and so for the batch.

// DecodeRecordBatch decodes a connector.v2 Source.Run.Response or
// Destination.Run.Request (records = 1, repeated opencdc.v1.Record),
// appending the records to into.
func DecodeRecordBatch(buf []byte, into []cpluginv1.Record) ([]cpluginv1.Record, error) {
	fields := fieldReader{b: buf}
	for fields.next() {
		if fields.num != 1 || fields.typ != protowire.BytesType {
			continue
		}
		r := record{budget: newBudget(len(fields.v()))}
		if err := r.decode(fields.v()); err != nil {
			return into, err
		}
		into = append(into, r.value())
	}
	return into, fields.err
}

// DecodeAckPositionBatch decodes a connector.v2 Source.Run.Request
// (ack_positions = 1, repeated bytes), appending the positions to into.
func DecodeAckPositionBatch(buf []byte, into [][]byte) ([][]byte, error) {
	fields := fieldReader{b: buf}
	for fields.next() {
		if fields.num == 1 && fields.typ == protowire.BytesType {
			into = append(into, implicitBytes(fields.v()))
		}
	}
	return into, fields.err
}

// DecodeAckBatch decodes a connector.v2 Destination.Run.Response (acks =
// 1, repeated Ack{position = 1, error = 2}: the fields of a v1
// Destination.Run.Response), appending the acks to into.
func DecodeAckBatch(buf []byte, into []cpluginv1.DestinationRunResponse) ([]cpluginv1.DestinationRunResponse, error) {
	fields := fieldReader{b: buf}
	for fields.next() {
		if fields.num != 1 || fields.typ != protowire.BytesType {
			continue
		}
		ack, err := DecodeDestinationRunResponse(fields.v())
		if err != nil {
			return into, err
		}
		into = append(into, ack)
	}
	return into, fields.err
}
