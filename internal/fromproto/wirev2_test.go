package fromproto_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
)

// v2Records are batches of records as protocol v2 carries them, empty and
// with several elements, raw and structured.
func v2Records() map[string][]*opencdcv1.Record {
	structured, _ := structpb.NewStruct(map[string]any{"id": 1.5, "name": "x", "tags": []any{"a", true}})
	raw := func(p string) *opencdcv1.Record {
		return &opencdcv1.Record{
			Position: []byte(p), Operation: opencdcv1.Operation_OPERATION_CREATE,
			Metadata: map[string]string{"k": p},
			Payload:  &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("payload " + p)}}},
		}
	}
	withStruct := raw("s")
	withStruct.Key = &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: structured}}
	return map[string][]*opencdcv1.Record{
		"empty":     nil,
		"one":       {raw("1")},
		"three":     {raw("1"), raw("2"), raw("3")},
		"structure": {withStruct, raw("2")},
		"empty one": {{}},
	}
}

// TestDecodeRecordBatch holds the batch decoder to proto.Unmarshal plus the
// converters, for both messages that carry records.
func TestDecodeRecordBatch(t *testing.T) {
	t.Parallel()
	for name, records := range v2Records() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var want []cpluginv1.Record
			for _, r := range records {
				want = append(want, fromproto.Record(r))
			}
			for _, msg := range []proto.Message{
				&connectorv2.Source_Run_Response{Records: records},
				&connectorv2.Destination_Run_Request{Records: records},
			} {
				b, err := proto.Marshal(msg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := fromproto.DecodeRecordBatch(b, nil)
				if err != nil {
					t.Fatalf("%T: %v", msg, err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%T (-proto.Unmarshal +batch decoder):\n%s", msg, diff)
				}
			}
		})
	}
}

func TestDecodeAckBatches(t *testing.T) {
	t.Parallel()
	positions := [][]byte{[]byte("1"), {}, []byte("3")}
	b, err := proto.Marshal(&connectorv2.Source_Run_Request{AckPositions: positions})
	if err != nil {
		t.Fatal(err)
	}
	gotPositions, err := fromproto.DecodeAckPositionBatch(b, nil)
	if err != nil || len(gotPositions) != 3 || string(gotPositions[0]) != "1" || len(gotPositions[1]) != 0 || string(gotPositions[2]) != "3" {
		t.Errorf("DecodeAckPositionBatch = %q, %v; want the three positions, the empty one kept", gotPositions, err)
	}

	acks := []*connectorv2.Destination_Run_Response_Ack{{Position: []byte("1")}, {Position: []byte("2"), Error: "refused"}}
	b, err = proto.Marshal(&connectorv2.Destination_Run_Response{Acks: acks})
	if err != nil {
		t.Fatal(err)
	}
	gotAcks, err := fromproto.DecodeAckBatch(b, nil)
	want := []cpluginv1.DestinationRunResponse{{AckPosition: []byte("1")}, {AckPosition: []byte("2"), Error: "refused"}}
	if err != nil || !cmp.Equal(want, gotAcks) {
		t.Errorf("DecodeAckBatch = %+v, %v; want %+v", gotAcks, err, want)
	}
}
