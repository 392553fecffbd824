package cpluginv1_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
)

const exactLimit = 1 << 53 // the largest integer magnitude a double holds exactly

func TestStructuredDataNormalize(t *testing.T) {
	cases := []struct {
		name string
		in   cpluginv1.StructuredData
		want cpluginv1.StructuredData
	}{
		{name: "nil stays nil", in: nil, want: nil},
		{name: "empty stays empty", in: cpluginv1.StructuredData{}, want: cpluginv1.StructuredData{}},
		{
			name: "scalars keep their type",
			in:   cpluginv1.StructuredData{"n": nil, "b": true, "s": "x", "f": 2.5},
			want: cpluginv1.StructuredData{"n": nil, "b": true, "s": "x", "f": 2.5},
		},
		{
			name: "integers become float64",
			in: cpluginv1.StructuredData{
				"int": -1, "int8": int8(-8), "int16": int16(16), "int32": int32(-32), "int64": int64(64),
				"uint": uint(1), "uint8": uint8(8), "uint16": uint16(16), "uint32": uint32(32), "uint64": uint64(64),
			},
			want: cpluginv1.StructuredData{
				"int": -1.0, "int8": -8.0, "int16": 16.0, "int32": -32.0, "int64": 64.0,
				"uint": 1.0, "uint8": 8.0, "uint16": 16.0, "uint32": 32.0, "uint64": 64.0,
			},
		},
		{
			name: "integers of magnitude 2^53 are exact",
			in:   cpluginv1.StructuredData{"int64": int64(exactLimit), "-int64": int64(-exactLimit), "int": -exactLimit, "uint64": uint64(exactLimit), "uint": uint(exactLimit)},
			want: cpluginv1.StructuredData{"int64": 9007199254740992.0, "-int64": -9007199254740992.0, "int": -9007199254740992.0, "uint64": 9007199254740992.0, "uint": 9007199254740992.0},
		},
		{
			name: "float32 becomes float64",
			in:   cpluginv1.StructuredData{"f": float32(0.5)},
			want: cpluginv1.StructuredData{"f": 0.5},
		},
		{
			name: "nested maps, slices and StructuredData",
			in: cpluginv1.StructuredData{
				"map":  map[string]any{"n": 1, "inner": cpluginv1.StructuredData{"m": uint8(2)}},
				"list": []any{int64(3), []any{int16(4)}, cpluginv1.StructuredData{"k": "v"}, map[string]any(nil), []any(nil)},
				"sd":   cpluginv1.StructuredData{"list": []any{float32(1)}},
				"nil":  cpluginv1.StructuredData(nil),
			},
			want: cpluginv1.StructuredData{
				"map":  map[string]any{"n": 1.0, "inner": map[string]any{"m": 2.0}},
				"list": []any{3.0, []any{4.0}, map[string]any{"k": "v"}, map[string]any{}, []any{}},
				"sd":   map[string]any{"list": []any{1.0}},
				"nil":  map[string]any{},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Normalize()
			if err != nil {
				t.Fatal(err)
			}
			// cmp tells apart nil and empty, and int and float64 in an any.
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestStructuredDataNormalizeRejects(t *testing.T) {
	cases := []struct {
		name    string
		in      cpluginv1.StructuredData
		wantErr string
	}{
		{
			name:    "int64 2^53+1",
			in:      cpluginv1.StructuredData{"a": map[string]any{"b": int64(exactLimit + 1)}},
			wantErr: `unsupported structured data value: field "a.b" holds the integer 9007199254740993, which is beyond 2^53 and cannot travel exactly as a double; send it as a string`,
		},
		{
			name:    "int -2^53-1",
			in:      cpluginv1.StructuredData{"list": []any{0, -exactLimit - 1}},
			wantErr: `unsupported structured data value: field "list[1]" holds the integer -9007199254740993, which is beyond 2^53 and cannot travel exactly as a double; send it as a string`,
		},
		{
			name:    "uint64 2^53+1",
			in:      cpluginv1.StructuredData{"sd": cpluginv1.StructuredData{"u": uint64(exactLimit + 1)}},
			wantErr: `unsupported structured data value: field "sd.u" holds the integer 9007199254740993, which is beyond 2^53 and cannot travel exactly as a double; send it as a string`,
		},
		{
			name:    "[]byte",
			in:      cpluginv1.StructuredData{"blob": []byte("x")},
			wantErr: `unsupported structured data value: field "blob" holds a []uint8; use nil, bool, string, a number, map[string]any or []any`,
		},
		{
			name:    "time.Time",
			in:      cpluginv1.StructuredData{"items": []any{map[string]any{"at": time.Time{}}}},
			wantErr: `unsupported structured data value: field "items[0].at" holds a time.Time; use nil, bool, string, a number, map[string]any or []any`,
		},
		{
			name:    "NaN",
			in:      cpluginv1.StructuredData{"x": math.NaN()},
			wantErr: `unsupported structured data value: field "x" holds NaN, which JSON and google.protobuf.Struct cannot carry`,
		},
		{
			name:    "float32 +Inf",
			in:      cpluginv1.StructuredData{"x": float32(math.Inf(1))},
			wantErr: `unsupported structured data value: field "x" holds +Inf, which JSON and google.protobuf.Struct cannot carry`,
		},
		{
			name:    "typed slice",
			in:      cpluginv1.StructuredData{"tags": []string{"a"}},
			wantErr: `unsupported structured data value: field "tags" holds a []string; use nil, bool, string, a number, map[string]any or []any`,
		},
		{
			name:    "string not UTF-8",
			in:      cpluginv1.StructuredData{"list": []any{"ok", "caf\xe9"}},
			wantErr: `unsupported structured data value: field "list[1]" holds a string that is not valid UTF-8 (protobuf strings must be UTF-8); send bytes as RawData or encode them, for example as base64`,
		},
		{
			name:    "key not UTF-8",
			in:      cpluginv1.StructuredData{"m": map[string]any{"\xff": 1}},
			wantErr: `unsupported structured data value: field "m" holds the key "\xff", which is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
		{
			name:    "top-level key not UTF-8",
			in:      cpluginv1.StructuredData{"a\xfeb": "x"},
			wantErr: `unsupported structured data value: field "(root)" holds the key "a\xfeb", which is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Normalize()
			if err == nil {
				t.Fatalf("no error, got %v", got)
			}
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
				t.Errorf("error %q does not wrap ErrUnsupportedValue", err)
			}
			if err.Error() != tc.wantErr {
				t.Errorf("error\n  %s\nwant\n  %s", err, tc.wantErr)
			}
			if got != nil {
				t.Errorf("got %v with the error, want nil", got)
			}
		})
	}
}

func TestNormalizeStructuredValuePath(t *testing.T) {
	// Transports pass the path of the data in the record.
	_, err := cpluginv1.NormalizeStructuredValue(cpluginv1.StructuredData{"items": []any{1, 2, time.Time{}}}, "payload.after")
	want := `unsupported structured data value: field "payload.after.items[2]" holds a time.Time; use nil, bool, string, a number, map[string]any or []any`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	// An unsupported value at the root has no field name.
	_, err = cpluginv1.NormalizeStructuredValue(struct{}{}, "")
	if want := `unsupported structured data value: field "(root)" holds a struct {}; use nil, bool, string, a number, map[string]any or []any`; err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestStructuredDataNormalizeCopies(t *testing.T) {
	in := cpluginv1.StructuredData{"m": map[string]any{"k": "v"}, "l": []any{"a"}}
	got, err := in.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	got["m"].(map[string]any)["k"] = "changed"
	got["l"].([]any)[0] = "changed"
	got["new"] = true
	want := cpluginv1.StructuredData{"m": map[string]any{"k": "v"}, "l": []any{"a"}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("changing the result changed the input (-want +got):\n%s", diff)
	}
}

func TestStructuredDataClone(t *testing.T) {
	if got := cpluginv1.StructuredData(nil).Clone(); got != nil {
		t.Errorf("Clone of nil = %#v, want nil", got)
	}
	in := cpluginv1.StructuredData{
		"n":    int64(1 << 60), // Clone does not normalise: an unsupported value survives as it is
		"m":    map[string]any{"k": "v"},
		"sd":   cpluginv1.StructuredData{"k": []any{"x"}},
		"l":    []any{map[string]any{"deep": "v"}},
		"nilm": map[string]any(nil),
	}
	want := cpluginv1.StructuredData{
		"n":    int64(1 << 60),
		"m":    map[string]any{"k": "v"},
		"sd":   cpluginv1.StructuredData{"k": []any{"x"}},
		"l":    []any{map[string]any{"deep": "v"}},
		"nilm": map[string]any{},
	}
	clone := in.Clone()
	// A nil nested map comes back empty; every other value keeps its type.
	if diff := cmp.Diff(want, clone); diff != "" {
		t.Fatalf("clone (-want +got):\n%s", diff)
	}

	clone["m"].(map[string]any)["k"] = "changed"
	clone["sd"].(cpluginv1.StructuredData)["k"].([]any)[0] = "changed"
	clone["l"].([]any)[0].(map[string]any)["deep"] = "changed"
	clone["added"] = true
	want["nilm"] = map[string]any(nil)
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("changing the clone changed the original (-want +got):\n%s", diff)
	}
}

func TestDataBytes(t *testing.T) {
	cases := []struct {
		name string
		data cpluginv1.Data
		want string
	}{
		{name: "raw", data: cpluginv1.RawData("\x00raw"), want: "\x00raw"},
		{name: "structured as JSON with sorted keys", data: cpluginv1.StructuredData{"b": []any{1, "x", nil}, "a": map[string]any{"t": true}}, want: `{"a":{"t":true},"b":[1,"x",null]}`},
		{name: "empty structured", data: cpluginv1.StructuredData{}, want: `{}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(tc.data.Bytes()); got != tc.want {
				t.Errorf("Bytes() = %q, want %q", got, tc.want)
			}
		})
	}

	raw := cpluginv1.RawData("abc")
	if &raw.Bytes()[0] != &raw[0] {
		t.Error("RawData.Bytes copied the data, want the data itself")
	}
	if got := (cpluginv1.StructuredData{"nan": math.NaN()}).Bytes(); got != nil {
		t.Errorf("Bytes() of data JSON cannot encode = %q, want nil", got)
	}
}
