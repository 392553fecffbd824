// Package benchplugin holds what the benchmarks of package benchmarks share
// with the connector process they start: the records they move, a source
// and a destination connector that do nothing but move them, and the bare
// gRPC service that measures the transport alone.
package benchplugin

import (
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// PositionLen is the length of every position: fixed, so that every record
// (and every pre-marshaled baseline message) has the same size.
const PositionLen = 16

// PayloadSize is the size of a raw record's payload, a typical database row.
const PayloadSize = 1024

// The key and payload are held as cpluginv1.Data, so that putting them in a
// record does not allocate: a source with data to send has it in hand.
var (
	rawKey     cpluginv1.Data = cpluginv1.RawData(`{"id":1234567890}`)
	rawPayload cpluginv1.Data = func() cpluginv1.RawData {
		p := make(cpluginv1.RawData, PayloadSize)
		for i := range p {
			p[i] = 'a' + byte(i%26)
		}
		return p
	}()
	recordMetadata = map[string]string{
		cpluginv1.MetadataCollection: "users",
		cpluginv1.MetadataReadAt:     "1700000000000000000",
	}
)

// AppendPosition appends the position of the i-th record (counting from
// 0): i+1 as PositionLen decimal digits.
func AppendPosition(dst []byte, i int) []byte {
	var digits [20]byte
	s := strconv.AppendInt(digits[:0], int64(i)+1, 10)
	for range PositionLen - len(s) {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// RawRecord returns the i-th record of a stream: a fresh position, a small
// raw key, a 1 KiB raw payload and two metadata entries. Only the position
// is new memory; the rest is shared by every record and must not be
// modified (the transports copy what they hand over, as protobuf does).
func RawRecord(i int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  AppendPosition(make([]byte, 0, PositionLen), i),
		Operation: cpluginv1.OperationCreate,
		Metadata:  recordMetadata,
		Key:       rawKey,
		Payload:   cpluginv1.Change{After: rawPayload},
	}
}

// AppendRawRecords appends RawRecord(first) to RawRecord(first+n-1) to
// dst: a batch of protocol v2.
func AppendRawRecords(dst []cpluginv1.Record, first, n int) []cpluginv1.Record {
	for i := first; i < first+n; i++ {
		dst = append(dst, RawRecord(i))
	}
	return dst
}

// RawRecordProto is RawRecord(i) as the protocol's message, built by hand
// because package toproto is internal to cpluginv1. A test checks that it
// decodes to RawRecord(i).
func RawRecordProto(i int) *opencdcv1.Record {
	r := RawRecord(i)
	return &opencdcv1.Record{
		Position:  r.Position,
		Operation: opencdcv1.Operation(r.Operation),
		Metadata:  r.Metadata,
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: r.Key.Bytes()}},
		Payload: &opencdcv1.Change{
			After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: r.Payload.After.Bytes()}},
		},
	}
}

// SourceRecordMessage is the Source.Run.Response carrying RawRecordProto(i).
func SourceRecordMessage(i int) *connectorv1.Source_Run_Response {
	return &connectorv1.Source_Run_Response{Record: RawRecordProto(i)}
}

// SourceAckMessage is the Source.Run.Request acking record i.
func SourceAckMessage(i int) *connectorv1.Source_Run_Request {
	return &connectorv1.Source_Run_Request{AckPosition: AppendPosition(nil, i)}
}

// DestinationRecordMessage is the Destination.Run.Request carrying
// RawRecordProto(i).
func DestinationRecordMessage(i int) *connectorv1.Destination_Run_Request {
	return &connectorv1.Destination_Run_Request{Record: RawRecordProto(i)}
}

// DestinationAckMessage is the Destination.Run.Response acking record i.
func DestinationAckMessage(i int) *connectorv1.Destination_Run_Response {
	return &connectorv1.Destination_Run_Response{AckPosition: AppendPosition(nil, i)}
}
