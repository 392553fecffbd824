package wire

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The Go forms of protocol v2's Run messages, for the codec, which carry
// batches (field 1, repeated). The codec encodes them from and decodes them
// into these types; a batch of records is encoded from a
// *toproto.RecordBatchMessage. A v2 message holding one element is byte for
// byte its v1 counterpart (a repeated field with one element and a
// singular field with the same number look alike on the wire).

// RecordBatch is what the codec decodes a connector.v2 Source.Run.Response
// or Destination.Run.Request into. Decoding replaces Records, reusing its
// array: the records handed out before keep their own bytes.
type RecordBatch struct {
	Records []cpluginv1.Record
}

// AckPositionBatch is a connector.v2 Source.Run.Request: the codec encodes
// it from Positions, and decodes into it replacing Positions.
type AckPositionBatch struct {
	Positions [][]byte
}

// AckBatch is a connector.v2 Destination.Run.Response: the codec encodes
// it from Acks, and decodes into it replacing Acks.
type AckBatch struct {
	Acks []cpluginv1.DestinationRunResponse
}
