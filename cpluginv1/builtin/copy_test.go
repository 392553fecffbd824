package builtin

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// The copies built-in mode makes must be exactly what the standalone mode's
// receiver gets: the value converted to protobuf, encoded, decoded and
// converted back. These tests compare the two without EquateEmpty, so a nil
// where the wire gives an empty value (or the other way round) fails.

// overTheWire returns r as a standalone receiver gets it, or the error the
// sender's conversion gives.
func overTheWire(t *testing.T, r cpluginv1.Record) (cpluginv1.Record, error) {
	t.Helper()
	msg, err := toproto.Record(r)
	if err != nil {
		return cpluginv1.Record{}, err
	}
	b, err := proto.Marshal(msg)
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	var decoded opencdcv1.Record
	if err := proto.Unmarshal(b, &decoded); err != nil {
		t.Fatalf("proto.Unmarshal: %v", err)
	}
	return fromproto.Record(&decoded), nil
}

// embeddedRaw implements cpluginv1.Data by embedding RawData: the only way
// to get a third Data type, which no transport can carry.
type embeddedRaw struct{ cpluginv1.RawData }

func TestNormalizeRecordMatchesTheWire(t *testing.T) {
	records := map[string]cpluginv1.Record{
		"zero":        {},
		"empty maps":  {Position: []byte{}, Metadata: map[string]string{}},
		"nil raw":     {Position: []byte("p"), Key: cpluginv1.RawData(nil), Payload: cpluginv1.Change{After: cpluginv1.RawData{}}},
		"nil struct":  {Position: []byte("p"), Key: cpluginv1.StructuredData(nil), Payload: cpluginv1.Change{Before: cpluginv1.StructuredData{}}},
		"no data":     {Position: []byte("p"), Operation: cpluginv1.OperationDelete, Metadata: map[string]string{"k": ""}},
		"raw payload": {Position: []byte("p"), Key: cpluginv1.RawData("k"), Payload: cpluginv1.Change{Before: cpluginv1.RawData("b"), After: cpluginv1.RawData("a")}},
		"structured": {Position: []byte("p"), Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
			"int": 1, "int64": int64(1 << 53), "uint8": uint8(3), "float32": float32(0.5), "nil": nil, "bool": false, "s": "",
			"nilMap": map[string]any(nil), "nilList": []any(nil), "emptyList": []any{},
			"nested": cpluginv1.StructuredData{"list": []any{int32(1), map[string]any{"x": uint64(2)}, cpluginv1.StructuredData(nil)}},
		}}},
		"unknown operation": {Position: []byte("p"), Operation: 42},
	}
	for name, r := range records {
		t.Run(name, func(t *testing.T) {
			want, err := overTheWire(t, r)
			if err != nil {
				t.Fatalf("converting for the wire: %v", err)
			}
			got, err := normalizeRecord(r)
			if err != nil {
				t.Fatalf("normalizeRecord: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("built-in copy differs from what the wire gives (-wire +builtin):\n%s", diff)
			}
		})
	}
}

func TestNormalizeRecordFailsAsTheWireDoes(t *testing.T) {
	records := map[string]cpluginv1.Record{
		"big key":                  {Key: cpluginv1.StructuredData{"id": uint64(1<<53 + 1)}},
		"nested before":            {Payload: cpluginv1.Change{Before: cpluginv1.StructuredData{"a": map[string]any{"b": []any{1, []byte("x")}}}}},
		"NaN after":                {Payload: cpluginv1.Change{After: cpluginv1.StructuredData{"f": zero / zero}}},
		"third data type":          {Payload: cpluginv1.Change{After: embeddedRaw{cpluginv1.RawData("x")}}},
		"key checked first":        {Key: cpluginv1.StructuredData{"k": []string{}}, Payload: cpluginv1.Change{After: cpluginv1.StructuredData{"a": struct{}{}}}},
		"metadata value not UTF-8": {Metadata: map[string]string{"a": "ok", "b": "\xff"}},
		"metadata key not UTF-8":   {Metadata: map[string]string{"\xfe": ""}},
		"first bad metadata entry": {Metadata: map[string]string{"z": "\xff", "a\xff": "", "m": "\xfe"}},
		"metadata checked first":   {Metadata: map[string]string{"b": "\xff"}, Key: cpluginv1.StructuredData{"k": []string{}}},
		"string not UTF-8":         {Payload: cpluginv1.Change{Before: cpluginv1.StructuredData{"s": "caf\xe9"}}},
		"key not UTF-8":            {Key: cpluginv1.StructuredData{"\xe9": true}},
	}
	for name, r := range records {
		t.Run(name, func(t *testing.T) {
			_, want := overTheWire(t, r)
			if want == nil {
				t.Fatal("the wire accepted the record; the test needs one it rejects")
			}
			_, got := normalizeRecord(r)
			if got == nil || got.Error() != want.Error() {
				t.Fatalf("normalizeRecord error = %v, want %v", got, want)
			}
			if !errors.Is(got, cpluginv1.ErrUnsupportedValue) || !errors.Is(want, cpluginv1.ErrUnsupportedValue) {
				t.Fatalf("errors.Is(ErrUnsupportedValue) = %v built-in, %v over the wire; want true for both", errors.Is(got, cpluginv1.ErrUnsupportedValue), errors.Is(want, cpluginv1.ErrUnsupportedValue))
			}
		})
	}
}

var zero float64 // a variable, so that 0/0 is NaN at run time

func TestCopiesMatchTheWire(t *testing.T) {
	roundTrip := func(t *testing.T, in, out proto.Message) {
		t.Helper()
		b, err := proto.Marshal(in)
		if err != nil {
			t.Fatalf("proto.Marshal: %v", err)
		}
		if err := proto.Unmarshal(b, out); err != nil {
			t.Fatalf("proto.Unmarshal: %v", err)
		}
	}
	for _, config := range []map[string]string{nil, {}, {"a": "", "b": "ü"}} {
		var decoded connectorv1.Source_Configure_Request
		roundTrip(t, toproto.SourceConfigureRequest(cpluginv1.SourceConfigureRequest{Config: config}), &decoded)
		if diff := cmp.Diff(fromproto.SourceConfigureRequest(&decoded).Config, copyConfig(config)); diff != "" {
			t.Errorf("copyConfig(%#v) (-wire +builtin):\n%s", config, diff)
		}
	}
	for _, position := range [][]byte{nil, {}, []byte("p")} {
		var decoded connectorv1.Source_Start_Request
		roundTrip(t, toproto.SourceStartRequest(cpluginv1.SourceStartRequest{Position: position}), &decoded)
		if diff := cmp.Diff(fromproto.SourceStartRequest(&decoded).Position, copyPosition(position)); diff != "" {
			t.Errorf("copyPosition(%#v) (-wire +builtin):\n%s", position, diff)
		}
	}
	for _, spec := range []cpluginv1.Specification{
		{Name: "n"},
		{Name: "n", SourceParams: map[string]cpluginv1.Parameter{}, DestinationParams: map[string]cpluginv1.Parameter{"p": {Validations: []cpluginv1.Validation{}}}},
		{Name: "n", SourceParams: map[string]cpluginv1.Parameter{"p": {
			Default: "1", Required: true, Description: "d", Type: cpluginv1.ParameterTypeInt,
			Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}},
		}}},
	} {
		var decoded connectorv1.Specifier_Specify_Response
		roundTrip(t, toproto.SpecifierSpecifyResponse(cpluginv1.SpecifierSpecifyResponse{Specification: spec}), &decoded)
		if diff := cmp.Diff(fromproto.SpecifierSpecifyResponse(&decoded).Specification, copySpecification(spec)); diff != "" {
			t.Errorf("copySpecification(%#v) (-wire +builtin):\n%s", spec, diff)
		}
	}
}
