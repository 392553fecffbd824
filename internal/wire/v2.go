package wire

import (
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// The Go forms of protocol v2's Run messages, for the codec. A v2 Run
// message holding one element is encoded byte for byte as its v1
// counterpart (a repeated field with one element and a singular field with
// the same number look alike on the wire), so the codec encodes one record
// or one source ack from the v1 types (*toproto.RecordMessage,
// *cpluginv1.SourceRunRequest); only a destination's ack, which v2 wraps in
// a message of its own, has a type of its own here. Received v2 messages
// may hold many elements: the codec decodes them into the batch types.

// RecordBatch is what the codec decodes a connector.v2 Source.Run.Response
// or Destination.Run.Request into. Decoding replaces Records, reusing its
// array: the records handed out before keep their own bytes.
type RecordBatch struct {
	Records []cpluginv1.Record
}

// AckPositionBatch is what the codec decodes a connector.v2
// Source.Run.Request into.
type AckPositionBatch struct {
	Positions [][]byte
}

// AckBatch is what the codec decodes a connector.v2 Destination.Run.Response
// into.
type AckBatch struct {
	Acks []cpluginv1.DestinationRunResponse
}

// AckV2 is one destination ack, which the codec encodes as a connector.v2
// Destination.Run.Response with one element.
type AckV2 struct {
	Ack cpluginv1.DestinationRunResponse
}

// sizeAckV2 returns the size of a's encoding as a v2 message, and of the
// ack's v1 encoding inside it.
func sizeAckV2(a cpluginv1.DestinationRunResponse) (total, inner int) {
	inner = toproto.SizeDestinationRunResponse(a)
	return protowire.SizeTag(1) + protowire.SizeBytes(inner), inner
}

// appendAckV2 appends the encoding of a: field 1 holding the ack's v1
// encoding (Ack{position = 1, error = 2} has v1's field numbers).
func appendAckV2(b []byte, a cpluginv1.DestinationRunResponse, inner int) []byte {
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(inner)) //nolint:gosec // a size is never negative
	return toproto.AppendDestinationRunResponse(b, a)
}
