package fromproto_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
)

// wireDecoder is one of the Decode functions, and what it must agree with:
// proto.Unmarshal into the generated message, then the converter.
type wireDecoder struct {
	name   string
	decode func([]byte) (any, error)
	proto  func([]byte) (any, error)
}

func wireDecoders() []wireDecoder {
	return []wireDecoder{
		{
			"Source.Run.Request",
			func(b []byte) (any, error) { return fromproto.DecodeSourceRunRequest(b) },
			func(b []byte) (any, error) {
				var m connectorv1.Source_Run_Request
				err := proto.Unmarshal(b, &m)
				return fromproto.SourceRunRequest(&m), err
			},
		},
		{
			"Source.Run.Response",
			func(b []byte) (any, error) { return fromproto.DecodeSourceRunResponse(b) },
			func(b []byte) (any, error) {
				var m connectorv1.Source_Run_Response
				err := proto.Unmarshal(b, &m)
				return fromproto.SourceRunResponse(&m), err
			},
		},
		{
			"Destination.Run.Request",
			func(b []byte) (any, error) { return fromproto.DecodeDestinationRunRequest(b) },
			func(b []byte) (any, error) {
				var m connectorv1.Destination_Run_Request
				err := proto.Unmarshal(b, &m)
				return fromproto.DestinationRunRequest(&m), err
			},
		},
		{
			"Destination.Run.Response",
			func(b []byte) (any, error) { return fromproto.DecodeDestinationRunResponse(b) },
			func(b []byte) (any, error) {
				var m connectorv1.Destination_Run_Response
				err := proto.Unmarshal(b, &m)
				return fromproto.DestinationRunResponse(&m), err
			},
		},
	}
}

// checkWireDecoders decodes b with every Decode function and with
// proto.Unmarshal and the converter: both fail, or both give the same value
// (nil and empty slices and maps told apart, NaN equal to NaN). A Decode
// function may also refuse a message over its memory budget (see
// wirememory_test.go), which proto.Unmarshal has none of.
func checkWireDecoders(t *testing.T, b []byte) {
	t.Helper()
	for _, d := range wireDecoders() {
		want, wantErr := d.proto(bytes.Clone(b))
		got, err := d.decode(bytes.Clone(b))
		switch {
		case wantErr == nil && errors.Is(err, cpluginv1.ErrMessageTooLarge):
		case (err == nil) != (wantErr == nil):
			t.Errorf("%s: Decode error %v, proto.Unmarshal error %v, for %x", d.name, err, wantErr, b)
		case err != nil:
		case reflect.DeepEqual(want, got):
			// Equal; cmp.Diff takes long on deeply nested values.
		default:
			if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("%s: Decode differs from proto.Unmarshal and the converter (-proto +Decode) for %x:\n%s", d.name, b, diff)
			}
		}
	}
}

// tag appends a field's tag.
func tag(b []byte, num protowire.Number, typ protowire.Type) []byte {
	return protowire.AppendTag(b, num, typ)
}

// field appends a length-delimited field.
func field(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(tag(b, num, protowire.BytesType), v)
}

// wireSeeds are encodings of the Run messages and of what a peer in
// another language, or a broken one, might send.
func wireSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	var seeds [][]byte
	golden, err := filepath.Glob(filepath.Join("..", "..", "contract", "testdata", "golden", "*.binpb"))
	if err != nil || len(golden) == 0 {
		tb.Fatalf("no golden fixtures: %v", err)
	}
	for _, path := range golden {
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	structured, err := structpb.NewStruct(map[string]any{"id": 1, "name": "x", "tags": []any{"a", 2, true, nil}, "nested": map[string]any{"k": "v"}})
	if err != nil {
		tb.Fatal(err)
	}
	full := &opencdcv1.Record{
		Position:  []byte("pos-1"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"a": "1", "": "", "opencdc.readAt": "17"},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("key")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: structured}},
			After:  &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte{}}},
		},
	}
	for _, m := range []proto.Message{
		&connectorv1.Source_Run_Response{Record: full},
		&connectorv1.Source_Run_Response{Record: &opencdcv1.Record{}},
		&connectorv1.Source_Run_Response{Record: &opencdcv1.Record{Key: &opencdcv1.Data{}, Payload: &opencdcv1.Change{After: &opencdcv1.Data{}}}},
		&connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{Operation: -3, Key: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{}}}},
		&connectorv1.Destination_Run_Response{AckPosition: []byte("p"), Error: "not written: ü"},
		&connectorv1.Source_Run_Request{AckPosition: []byte("p")},
	} {
		b, err := proto.Marshal(m)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}

	record := func(fields ...[]byte) []byte { return field(nil, 1, bytes.Join(fields, nil)) }
	raw := func(v string) []byte { return field(nil, 1, []byte(v)) }
	structField := func(key, value string) []byte {
		entry := field(field(nil, 1, []byte(key)), 2, field(nil, 3, []byte(value))) // Value.string_value = 3
		return field(nil, 2, field(nil, 1, entry))                                  // Data.structured_data = 2 { Struct.fields = 1 }
	}
	seeds = append(seeds,
		nil,
		[]byte{0x0a},             // record field, no length
		[]byte{0x0a, 0x05, 0x01}, // record field, truncated
		[]byte{0x00},             // field number 0
		[]byte{0x0c},             // a lone end of group
		tag(nil, 1, protowire.StartGroupType),
		protowire.AppendVarint(tag(nil, 1, protowire.VarintType), 7), // record as a varint: unknown
		// Fields twice: the position's last value wins, the metadata
		// accumulates, a repeated record merges.
		append(record(field(nil, 1, []byte("a")), field(nil, 3, field(field(nil, 1, []byte("k")), 2, []byte("v")))),
			record(field(nil, 1, []byte("b")), field(nil, 3, field(nil, 1, []byte("only-key"))))...),
		// The oneof switches from raw to structured and back, and
		// structured data merges.
		record(field(nil, 4, bytes.Join([][]byte{raw("r"), structField("a", "1"), structField("b", "2")}, nil))),
		record(field(nil, 5, field(nil, 2, bytes.Join([][]byte{structField("a", "1"), raw("")}, nil)))),
		// Wrong wire types for known fields, unknown fields and groups.
		record(protowire.AppendVarint(tag(nil, 1, protowire.VarintType), 5), protowire.AppendFixed32(tag(nil, 2, protowire.Fixed32Type), 1),
			protowire.AppendVarint(tag(nil, 99, protowire.VarintType), 1), tag(nil, 7, protowire.StartGroupType), tag(nil, 7, protowire.EndGroupType)),
		// Strings that are not UTF-8: a metadata key and value, an error,
		// a structured string.
		record(field(nil, 3, field(nil, 1, []byte("\xff")))),
		record(field(nil, 3, field(field(nil, 1, []byte("k")), 2, []byte("\xc3")))),
		record(field(nil, 3, field(field(nil, 1, []byte("\xff")), 1, []byte("k")))),
		field(nil, 2, []byte("\xfe")),
		record(field(nil, 4, structField("k", "\xff"))),
		// An operation beyond 32 bits.
		record(protowire.AppendVarint(tag(nil, 2, protowire.VarintType), 1<<40|3)),
	)
	return seeds
}

func TestWireDecodersSeeds(t *testing.T) {
	for _, b := range wireSeeds(t) {
		checkWireDecoders(t, b)
	}
}

// FuzzWireDecoders holds the Decode functions to what proto.Unmarshal and
// the converters do, for any input a peer might send.
func FuzzWireDecoders(f *testing.F) {
	for _, b := range wireSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWireDecoders(t, b)
	})
}

// TestWireDecodeSharesNothingWritable: the byte fields of a decoded record
// share the buffer, but appending to one leaves the others as they were.
func TestWireDecodeSharesNothingWritable(t *testing.T) {
	b, err := proto.Marshal(&connectorv1.Destination_Run_Request{Record: &opencdcv1.Record{
		Position: []byte("pos"),
		Metadata: map[string]string{"k": "v"},
		Key:      &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("key")}},
		Payload:  &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("after")}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := fromproto.DecodeDestinationRunRequest(b)
	if err != nil {
		t.Fatal(err)
	}
	want := req.Record.Clone()
	_ = append(req.Record.Position, "xxxxxxxxxxxxxxxxxxxxxxxx"...)
	_ = append(req.Record.Key.(cpluginv1.RawData), "xxxxxxxxxxxxxxxxxxxxxxxx"...)
	if diff := cmp.Diff(want, req.Record); diff != "" {
		t.Errorf("appending to a byte field changed the record (-want +got):\n%s", diff)
	}
}

// TestWireDecodeDeepStructuredData: structured data nested beyond
// protobuf's limit is refused, exactly where proto.Unmarshal refuses it,
// in the key and in the payload, rather than decoded at the cost of the
// stack.
func TestWireDecodeDeepStructuredData(t *testing.T) {
	for _, where := range []string{"key", "payload"} {
		t.Run(where, func(t *testing.T) {
			build := func(levels int) []byte { return deepRecord(t, where, levels) }
			refused := func(levels int) bool {
				var m connectorv1.Source_Run_Response
				return proto.Unmarshal(build(levels), &m) != nil
			}
			// The fewest levels proto.Unmarshal refuses.
			lo, hi := 1, protowire.DefaultRecursionLimit
			if refused(lo) || !refused(hi) {
				t.Fatalf("proto.Unmarshal refuses %d levels: %v, %d levels: %v", lo, refused(lo), hi, refused(hi))
			}
			for lo+1 < hi {
				mid := (lo + hi) / 2
				if refused(mid) {
					hi = mid
				} else {
					lo = mid
				}
			}
			checkWireDecoders(t, build(lo))
			checkWireDecoders(t, build(hi))
			_, err := fromproto.DecodeSourceRunResponse(build(hi))
			if err == nil || !strings.Contains(err.Error(), "exceeded maximum recursion depth") {
				t.Errorf("Decode of %d levels: %v, want an error about the nesting", hi, err)
			}
		})
	}
}

// deepRecord encodes a Source.Run.Response whose record holds, in its key
// or its payload's after, structured data with levels of lists in lists:
// Value{list_value: ListValue{values: [Value{list_value: ...}]}} around
// Value{string_value: "leaf"}.
func deepRecord(t *testing.T, where string, levels int) []byte {
	t.Helper()
	// The prefixes (tag and length) of every level, outermost first, then
	// the leaf: building it from the inside out would copy it once per
	// level.
	leaf := field(nil, 3, []byte("leaf")) // Value.string_value
	lengths := make([]int, levels+1)      // lengths[i]: length of the Value at depth i
	lengths[levels] = len(leaf)
	for i := levels - 1; i >= 0; i-- {
		list := protowire.SizeTag(1) + protowire.SizeBytes(lengths[i+1]) // ListValue.values
		lengths[i] = protowire.SizeTag(6) + protowire.SizeBytes(list)    // Value.list_value
	}
	var value []byte
	for i := range levels {
		list := protowire.SizeTag(1) + protowire.SizeBytes(lengths[i+1])
		value = protowire.AppendVarint(tag(value, 6, protowire.BytesType), uint64(list))
		value = protowire.AppendVarint(tag(value, 1, protowire.BytesType), uint64(lengths[i+1]))
	}
	value = append(value, leaf...)
	if len(value) != lengths[0] {
		t.Fatalf("built %d bytes, want %d", len(value), lengths[0])
	}
	entry := field(field(nil, 1, []byte("k")), 2, value)
	data := field(nil, 2, field(nil, 1, entry)) // Data.structured_data { Struct.fields }
	var record []byte
	if where == "key" {
		record = field(nil, 4, data)
	} else {
		record = field(nil, 5, field(nil, 2, data)) // payload { after }
	}
	return field(nil, 1, record)
}
