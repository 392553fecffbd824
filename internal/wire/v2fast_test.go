package wire_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

func encode(t *testing.T, v any) []byte {
	t.Helper()
	data, err := (wire.Codec{}).Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	defer data.Free()
	return data.Materialize()
}

// TestV2OneElementEncodings: the codec sends protocol v2's Run messages of
// one element from the Go types, with v1's encoders; the bytes must be the
// v2 message protobuf decodes to that one element.
func TestV2OneElementEncodings(t *testing.T) {
	t.Parallel()
	rec := cpluginv1.Record{
		Position: []byte("p1"), Operation: cpluginv1.OperationUpdate,
		Metadata: map[string]string{"k": "v"},
		Payload:  cpluginv1.Change{After: cpluginv1.RawData("x")},
	}
	var msg toproto.RecordMessage
	if err := msg.Set(rec); err != nil {
		t.Fatal(err)
	}
	records := encode(t, &msg)
	for _, into := range []proto.Message{new(connectorv2.Source_Run_Response), new(connectorv2.Destination_Run_Request)} {
		if err := proto.Unmarshal(records, into); err != nil {
			t.Fatalf("%T: %v", into, err)
		}
		var n int
		switch m := into.(type) {
		case *connectorv2.Source_Run_Response:
			n = len(m.GetRecords())
		case *connectorv2.Destination_Run_Request:
			n = len(m.GetRecords())
		}
		if n != 1 {
			t.Errorf("%T holds %d records, want 1", into, n)
		}
	}

	var acks connectorv2.Source_Run_Request
	if err := proto.Unmarshal(encode(t, &cpluginv1.SourceRunRequest{AckPosition: []byte("p1")}), &acks); err != nil || len(acks.GetAckPositions()) != 1 || string(acks.GetAckPositions()[0]) != "p1" {
		t.Errorf("source ack as v2 = %v, %v; want one position p1", acks.GetAckPositions(), err)
	}

	// An error text that is not valid UTF-8 is made valid, as on v1.
	var dst connectorv2.Destination_Run_Response
	ack := cpluginv1.DestinationRunResponse{AckPosition: []byte("p1"), Error: "refused \xff"}
	if err := proto.Unmarshal(encode(t, &wire.AckBatch{Acks: []cpluginv1.DestinationRunResponse{ack}}), &dst); err != nil || len(dst.GetAcks()) != 1 ||
		string(dst.GetAcks()[0].GetPosition()) != "p1" || dst.GetAcks()[0].GetError() != "refused \uFFFD" {
		t.Errorf("destination ack as v2 = %v, %v; want one ack (p1, \"refused \uFFFD\")", dst.GetAcks(), err)
	}
}

// TestV2BatchDecoding: the codec decodes v2 messages of many elements into
// the batch types, replacing what they held.
func TestV2BatchDecoding(t *testing.T) {
	t.Parallel()
	b, err := proto.Marshal(&connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("a"), []byte("b")}})
	if err != nil {
		t.Fatal(err)
	}
	batch := wire.AckPositionBatch{Positions: [][]byte{[]byte("old")}}
	if err := (wire.Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &batch); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([][]byte{[]byte("a"), []byte("b")}, batch.Positions); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}
