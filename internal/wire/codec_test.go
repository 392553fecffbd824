package wire_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

var standard = encoding.GetCodecV2("proto")

// runMessage is one of the four Run messages: a fresh proto message, a
// fresh Go value for the codec to decode into, and the converter between
// them.
type runMessage struct {
	proto   func() proto.Message
	goValue func() any
	convert func(proto.Message) any
}

// runMessages are the Run messages, by the name of their golden fixture.
func runMessages() map[string]runMessage {
	return map[string]runMessage{
		"connector.v1.Source.Run.Request": {
			func() proto.Message { return &connectorv1.Source_Run_Request{} },
			func() any { return &cpluginv1.SourceRunRequest{} },
			func(m proto.Message) any {
				v := fromproto.SourceRunRequest(m.(*connectorv1.Source_Run_Request))
				return &v
			},
		},
		"connector.v1.Source.Run.Response": {
			func() proto.Message { return &connectorv1.Source_Run_Response{} },
			func() any { return &cpluginv1.SourceRunResponse{} },
			func(m proto.Message) any {
				v := fromproto.SourceRunResponse(m.(*connectorv1.Source_Run_Response))
				return &v
			},
		},
		"connector.v1.Destination.Run.Request": {
			func() proto.Message { return &connectorv1.Destination_Run_Request{} },
			func() any { return &cpluginv1.DestinationRunRequest{} },
			func(m proto.Message) any {
				v := fromproto.DestinationRunRequest(m.(*connectorv1.Destination_Run_Request))
				return &v
			},
		},
		"connector.v1.Destination.Run.Response": {
			func() proto.Message { return &connectorv1.Destination_Run_Response{} },
			func() any { return &cpluginv1.DestinationRunResponse{} },
			func(m proto.Message) any {
				v := fromproto.DestinationRunResponse(m.(*connectorv1.Destination_Run_Response))
				return &v
			},
		},
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

func unmarshal(c encoding.CodecV2, b []byte, v any) error {
	return c.Unmarshal(mem.BufferSlice{mem.SliceBuffer(bytes.Clone(b))}, v)
}

// TestGoldenRunMessages decodes the golden wire fixtures of the Run
// messages with the codec, straight into the Go types, and with gRPC's
// standard codec and the converter: the results are equal. The codec's own
// encoding of the message decodes to the same message.
func TestGoldenRunMessages(t *testing.T) {
	for name, rm := range runMessages() {
		t.Run(name, func(t *testing.T) {
			golden, err := os.ReadFile(filepath.Join("..", "..", "contract", "testdata", "golden", name+".binpb"))
			if err != nil {
				t.Fatal(err)
			}
			msg := rm.proto()
			if err := unmarshal(standard, golden, msg); err != nil {
				t.Fatalf("standard codec: %v", err)
			}
			got := rm.goValue()
			if err := unmarshal(wire.Codec{}, golden, got); err != nil {
				t.Fatalf("wire codec: %v", err)
			}
			if diff := cmp.Diff(rm.convert(msg), got); diff != "" {
				t.Errorf("decoded (-standard +wire):\n%s", diff)
			}

			// Map entries may come out in any order, so the encoding is
			// compared by decoding it.
			again := rm.proto()
			if err := unmarshal(standard, marshal(t, wire.Codec{}, msg), again); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(msg, again) {
				t.Errorf("the codec's encoding decodes to %v, want %v", again, msg)
			}
		})
	}
}

// TestInvalidUTF8 checks that the codec refuses a string that is not valid
// UTF-8 wherever the standard codec refuses it.
func TestInvalidUTF8(t *testing.T) {
	// The messages are written byte by byte, as a peer in another language
	// that does not check UTF-8 might send them: protobuf-go refuses to
	// encode them.
	field := func(num protowire.Number, b []byte) []byte {
		return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), b)
	}
	entry := func(k, v []byte) []byte { return append(field(1, k), field(2, v)...) }
	cases := map[string]struct {
		encoded []byte
		msg     proto.Message // the generated type, for the standard codec
		into    any
	}{
		"metadata key": {
			field(1, field(3, entry([]byte("\xff"), []byte("v")))),
			&connectorv1.Source_Run_Response{}, &cpluginv1.SourceRunResponse{},
		},
		"metadata value": {
			field(1, field(3, entry([]byte("k"), []byte("\xc3")))),
			&connectorv1.Destination_Run_Request{}, &cpluginv1.DestinationRunRequest{},
		},
		"ack error": {
			field(2, []byte("bad \xfe")),
			&connectorv1.Destination_Run_Response{}, &cpluginv1.DestinationRunResponse{},
		},
		"struct string": {
			// Record.key (4) -> Data.structured_data (2) -> Struct.fields (1)
			// entry "k" -> Value.string_value (3).
			field(1, field(4, field(2, field(1, entry([]byte("k"), field(3, []byte("\xff"))))))),
			&connectorv1.Source_Run_Response{}, &cpluginv1.SourceRunResponse{},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if err := unmarshal(standard, tc.encoded, tc.msg); err == nil || !strings.Contains(err.Error(), "UTF-8") {
				t.Fatalf("the standard codec: %v, want an error about UTF-8; the case checks nothing", err)
			}
			err := unmarshal(wire.Codec{}, tc.encoded, tc.into)
			if err == nil || !strings.Contains(err.Error(), "invalid UTF-8") {
				t.Errorf("wire codec: %v, want an error about invalid UTF-8", err)
			}
		})
	}
}

// TestOtherMessages: messages other than the Run streams' go through the
// standard codec, and so do the Run messages decoded into their generated
// types.
func TestOtherMessages(t *testing.T) {
	for _, msg := range []proto.Message{
		&connectorv1.Source_Configure_Request{Config: map[string]string{"a": "b"}},
		&connectorv1.Source_Run_Request{AckPosition: []byte("p")},
	} {
		b := marshal(t, wire.Codec{}, msg)
		if want := marshal(t, standard, msg); !bytes.Equal(b, want) {
			t.Errorf("%T: encoded %x, want %x", msg, b, want)
		}
		got := proto.Clone(msg)
		proto.Reset(got)
		if err := unmarshal(wire.Codec{}, b, got); err != nil || !proto.Equal(got, msg) {
			t.Errorf("decoded %v (%v), want %v", got, err, msg)
		}
	}
	if _, err := (wire.Codec{}).Marshal("not a message"); err == nil {
		t.Error("a value that is not a message was encoded")
	}
}

// TestAcksFromGoTypes: the codec encodes the acks from their cpluginv1
// types as from the generated messages.
func TestAcksFromGoTypes(t *testing.T) {
	for _, tc := range []struct {
		goValue any
		msg     proto.Message
	}{
		{&cpluginv1.SourceRunRequest{AckPosition: []byte("pos-1")}, &connectorv1.Source_Run_Request{AckPosition: []byte("pos-1")}},
		{&cpluginv1.SourceRunRequest{}, &connectorv1.Source_Run_Request{}},
		{&cpluginv1.DestinationRunResponse{AckPosition: []byte("pos-2"), Error: "not written"}, &connectorv1.Destination_Run_Response{AckPosition: []byte("pos-2"), Error: "not written"}},
		{&cpluginv1.DestinationRunResponse{AckPosition: []byte("pos-3"), Error: "bad \xff"}, &connectorv1.Destination_Run_Response{AckPosition: []byte("pos-3"), Error: "bad \uFFFD"}},
	} {
		data, err := (wire.Codec{}).Marshal(tc.goValue)
		if err != nil {
			t.Fatalf("%v: %v", tc.goValue, err)
		}
		got := data.Materialize()
		data.Free()
		want, err := proto.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%+v encoded as %x, want %x", tc.goValue, got, want)
		}
	}
}
