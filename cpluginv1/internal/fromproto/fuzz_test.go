package fromproto_test

import (
	"errors"
	"math"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/toproto"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustMarshal(f *testing.F, m proto.Message) []byte {
	f.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func mustStruct(f *testing.F, m map[string]any) *structpb.Struct {
	f.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// hasNonFinite reports whether a record carries a NaN or infinite number,
// which the wire allows and the Go side does not send.
func hasNonFinite(r *opencdcv1.Record) bool {
	var value func(*structpb.Value) bool
	value = func(v *structpb.Value) bool {
		switch k := v.GetKind().(type) {
		case *structpb.Value_NumberValue:
			return math.IsNaN(k.NumberValue) || math.IsInf(k.NumberValue, 0)
		case *structpb.Value_StructValue:
			for _, f := range k.StructValue.GetFields() {
				if value(f) {
					return true
				}
			}
		case *structpb.Value_ListValue:
			for _, e := range k.ListValue.GetValues() {
				if value(e) {
					return true
				}
			}
		}
		return false
	}
	for _, d := range []*opencdcv1.Data{r.GetKey(), r.GetPayload().GetBefore(), r.GetPayload().GetAfter()} {
		if value(structpb.NewStructValue(d.GetStructuredData())) {
			return true
		}
	}
	return false
}

// FuzzRecordFromProto feeds arbitrary bytes to the path a received record
// takes: unmarshal, fromproto. That must never panic, and a record that
// parses must be stable: Go -> proto -> Go gives it back, also across the
// wire, and toproto fails only for the non-finite numbers the Go side does
// not send.
func FuzzRecordFromProto(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x0a\x01p\x10\x01"))
	f.Add(mustMarshal(f, &opencdcv1.Record{
		Position:  []byte("pos"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"opencdc.collection": "users", "": ""},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("k")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{}},
			After: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: mustStruct(f, map[string]any{
				"n": 1.5, "s": "x", "b": true, "null": nil,
				"list": []any{1.0, "two", []any{}, map[string]any{"deep": false}},
				"obj":  map[string]any{},
			})}},
		},
	}))
	f.Add(mustMarshal(f, &opencdcv1.Record{
		Operation: opencdcv1.Operation(99),
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{}},
		Payload:   &opencdcv1.Change{After: &opencdcv1.Data{}},
	}))
	f.Add(mustMarshal(f, &opencdcv1.Record{Payload: &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: &structpb.Struct{Fields: map[string]*structpb.Value{
		"nan":     structpb.NewNumberValue(math.NaN()),
		"no kind": {},
		"null":    {Kind: &structpb.Value_NullValue{NullValue: 5}},
	}}}}}}))
	// Unknown fields, and a field number used with the wrong wire type.
	f.Add(protowire.AppendVarint(protowire.AppendTag(nil, 42, protowire.VarintType), 7))
	f.Add(protowire.AppendVarint(protowire.AppendTag(nil, 4, protowire.VarintType), 7))

	f.Fuzz(func(t *testing.T, wire []byte) {
		var received opencdcv1.Record
		if proto.Unmarshal(wire, &received) != nil {
			return
		}
		record := fromproto.Record(&received)

		sent, err := toproto.Record(record)
		if err != nil {
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) || !hasNonFinite(&received) {
				t.Fatalf("toproto failed for a record without non-finite numbers: %v", err)
			}
			return
		}
		if diff := cmp.Diff(record, fromproto.Record(sent)); diff != "" {
			t.Fatalf("proto -> Go -> proto -> Go is not stable (-first +second):\n%s", diff)
		}

		again, err := toproto.Record(fromproto.Record(sent))
		if err != nil {
			t.Fatalf("second toproto: %v", err)
		}
		if diff := cmp.Diff(sent, again, protocmp.Transform()); diff != "" {
			t.Fatalf("toproto(fromproto(m)) is not stable (-first +second):\n%s", diff)
		}

		wire2, err := proto.Marshal(sent)
		if err != nil {
			t.Fatalf("marshal what toproto built: %v", err)
		}
		var received2 opencdcv1.Record
		if err := proto.Unmarshal(wire2, &received2); err != nil {
			t.Fatalf("unmarshal what toproto built: %v", err)
		}
		if diff := cmp.Diff(record, fromproto.Record(&received2), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("record changed across a second trip over the wire (-first +second):\n%s", diff)
		}
	})
}

// FuzzSpecifyResponseFromProto does the same for the specification, which
// a host reads from connectors in any language.
func FuzzSpecifyResponseFromProto(f *testing.F) {
	f.Add([]byte{})
	f.Add(mustMarshal(f, &connectorv1.Specifier_Specify_Response{
		Name: "c", Summary: "s", Description: "d", Version: "v1.0.0", Author: "a",
		SourceParams: map[string]*connectorv1.Specifier_Parameter{
			"p": {
				Default: "1", Required: true, Description: "d", Type: connectorv1.Specifier_Parameter_TYPE_INT,
				Validations: []*connectorv1.Specifier_Parameter_Validation{
					{Type: connectorv1.Specifier_Parameter_Validation_TYPE_GREATER_THAN, Value: "0"},
					{},
				},
			},
			"empty": {},
		},
		DestinationParams: map[string]*connectorv1.Specifier_Parameter{
			"q": {Type: connectorv1.Specifier_Parameter_Type(77), Validations: []*connectorv1.Specifier_Parameter_Validation{{Type: 88}}},
		},
	}))
	// A map entry without a value.
	f.Add([]byte("\x3a\x03\x0a\x01k"))

	f.Fuzz(func(t *testing.T, wire []byte) {
		var received connectorv1.Specifier_Specify_Response
		// Unknown fields do not survive conversion; leave them out so that
		// the messages can be compared.
		if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(wire, &received) != nil {
			return
		}
		spec := fromproto.SpecifierSpecifyResponse(&received)
		sent := toproto.SpecifierSpecifyResponse(spec)
		if diff := cmp.Diff(&received, sent, protocmp.Transform()); diff != "" {
			t.Fatalf("proto -> Go -> proto changed the message (-received +sent):\n%s", diff)
		}
		if diff := cmp.Diff(spec, fromproto.SpecifierSpecifyResponse(sent)); diff != "" {
			t.Fatalf("proto -> Go -> proto -> Go is not stable (-first +second):\n%s", diff)
		}
	})
}
