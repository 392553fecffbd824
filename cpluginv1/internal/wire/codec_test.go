package wire_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/wire"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

var standard = encoding.GetCodecV2("proto")

// runMessages returns a fresh message of each Run type, by golden file name.
func runMessages() map[string]proto.Message {
	return map[string]proto.Message{
		"connector.v1.Source.Run.Request":       &connectorv1.Source_Run_Request{},
		"connector.v1.Source.Run.Response":      &connectorv1.Source_Run_Response{},
		"connector.v1.Destination.Run.Request":  &connectorv1.Destination_Run_Request{},
		"connector.v1.Destination.Run.Response": &connectorv1.Destination_Run_Response{},
	}
}

func marshal(t *testing.T, c encoding.CodecV2, m proto.Message) []byte {
	t.Helper()
	data, err := c.Marshal(m)
	if err != nil {
		t.Fatalf("%T: marshal: %v", m, err)
	}
	defer data.Free()
	return data.Materialize()
}

func unmarshal(c encoding.CodecV2, b []byte, m proto.Message) error {
	return c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(bytes.Clone(b))}, m)
}

// TestGoldenRunMessages decodes the golden wire fixtures of the Run
// messages with the codec and gRPC's standard codec, and encodes the
// results again with both: all four agree.
func TestGoldenRunMessages(t *testing.T) {
	for name, fresh := range runMessages() {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("..", "..", "..", "contract", "testdata", "golden", name+".binpb"))
			if err != nil {
				t.Fatal(err)
			}
			want := proto.Clone(fresh)
			if err := unmarshal(standard, golden, want); err != nil {
				t.Fatalf("standard codec: %v", err)
			}
			got := proto.Clone(fresh)
			if err := unmarshal(wire.Codec{}, golden, got); err != nil {
				t.Fatalf("wire codec: %v", err)
			}
			if !proto.Equal(want, got) {
				t.Fatalf("decoded %v, want %v", got, want)
			}
			// The codec's encoding, decoded by both. (Map entries may come
			// out in any order, so the bytes are compared by decoding them.)
			encoded := marshal(t, wire.Codec{}, got)
			for codecName, c := range map[string]encoding.CodecV2{"standard": standard, "wire": wire.Codec{}} {
				again := proto.Clone(fresh)
				if err := unmarshal(c, encoded, again); err != nil {
					t.Fatalf("%s codec: %v", codecName, err)
				}
				if !proto.Equal(want, again) {
					t.Errorf("the wire codec's encoding decoded by the %s codec: %v, want %v", codecName, again, want)
				}
			}
		})
	}
}

func rawRecord() *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  []byte("pos-1"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"a": "1", "opencdc.collection": "users"},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("key")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte{}}},
			After:  &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: bytes.Repeat([]byte("x"), 2000)}},
		},
	}
}

// TestByteFieldsDoNotOverlap: the byte fields of a decoded message share
// one buffer, but appending to one must not change another.
func TestByteFieldsDoNotOverlap(t *testing.T) {
	b := marshal(t, standard, &connectorv1.Destination_Run_Request{Record: rawRecord()})
	var got connectorv1.Destination_Run_Request
	if err := unmarshal(wire.Codec{}, b, &got); err != nil {
		t.Fatal(err)
	}
	before := proto.Clone(&got)
	rec := got.GetRecord()
	_ = append(rec.GetPosition(), "overwritten"...)
	_ = append(rec.GetKey().GetRawData(), "overwritten"...)
	_ = append(rec.GetPayload().GetBefore().GetRawData(), "overwritten"...)
	if !proto.Equal(before, &got) {
		t.Errorf("appending to a byte field changed the message: %v, was %v", &got, before)
	}
}

// TestInvalidUTF8 checks that the codec refuses a string that is not valid
// UTF-8 wherever the standard codec refuses it.
func TestInvalidUTF8(t *testing.T) {
	structured := func(v *structpb.Value) *opencdcv1.Data {
		return &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: &structpb.Struct{Fields: map[string]*structpb.Value{"k": v}}}}
	}
	cases := map[string]proto.Message{
		"metadata key":   &connectorv1.Source_Run_Response{Record: &opencdcv1.Record{Metadata: map[string]string{"\xff": "v"}}},
		"metadata value": &connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{Metadata: map[string]string{"k": "\xc3"}}},
		"ack error":      &connectorv1.Destination_Run_Response{Error: "bad \xfe"},
		"struct string":  &connectorv1.Source_Run_Response{Record: &opencdcv1.Record{Key: structured(structpb.NewStringValue("\xff"))}},
		"nested list": &connectorv1.Source_Run_Response{Record: &opencdcv1.Record{Payload: &opencdcv1.Change{After: structured(structpb.NewListValue(&structpb.ListValue{
			Values: []*structpb.Value{structpb.NewStructValue(&structpb.Struct{Fields: map[string]*structpb.Value{"\xfe": structpb.NewNullValue()}})},
		}))}}},
	}
	for name, msg := range cases {
		t.Run(name, func(t *testing.T) {
			// Marshal without the UTF-8 check, as a peer in another
			// language might.
			if _, err := proto.Marshal(msg); err == nil {
				t.Fatal("protobuf encoded a string that is not valid UTF-8; the case checks nothing")
			}
			b := invalidUTF8Wire(t, msg)
			fresh := msg.ProtoReflect().Type().New().Interface()
			if err := unmarshal(standard, b, fresh); err == nil {
				t.Fatal("the standard codec accepted the message; the case checks nothing")
			}
			err := unmarshal(wire.Codec{}, b, fresh)
			if err == nil || !strings.Contains(err.Error(), "invalid UTF-8") {
				t.Errorf("wire codec: %v, want an error about invalid UTF-8", err)
			}
		})
	}
}

// invalidUTF8Wire encodes msg with the generated fast methods, which do not
// check UTF-8.
func invalidUTF8Wire(t *testing.T, msg proto.Message) []byte {
	t.Helper()
	m, ok := msg.(interface{ MarshalVT() ([]byte, error) })
	if !ok {
		t.Fatalf("%T has no MarshalVT", msg)
	}
	b, err := m.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestOtherMessages: messages other than the Run streams' go through the
// standard codec.
func TestOtherMessages(t *testing.T) {
	msg := &connectorv1.Source_Configure_Request{Config: map[string]string{"a": "b"}}
	b := marshal(t, wire.Codec{}, msg)
	if want := marshal(t, standard, msg); !bytes.Equal(b, want) {
		t.Errorf("encoded %x, want %x", b, want)
	}
	var got connectorv1.Source_Configure_Request
	if err := unmarshal(wire.Codec{}, b, &got); err != nil || !proto.Equal(&got, msg) {
		t.Errorf("decoded %v (%v), want %v", &got, err, msg)
	}
	if _, err := (wire.Codec{}).Marshal("not a message"); err == nil {
		t.Error("a value that is not a message was encoded")
	}
}
