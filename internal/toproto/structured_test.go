package toproto_test

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

const exact = 1 << 53 // the largest integer magnitude a double holds exactly

// checkLikeNormalize checks the contract of toproto.StructuredData against
// cpluginv1.StructuredData.Normalize for in: the same values are rejected
// with the same error, and what is accepted converts back (in process and
// over the wire) to exactly what Normalize returns.
func checkLikeNormalize(t *testing.T, in cpluginv1.StructuredData, compareErrorText bool) {
	t.Helper()
	want, wantErr := in.Normalize()
	p, err := toproto.StructuredData(in)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("toproto error = %v, Normalize error = %v", err, wantErr)
	}
	if wantErr != nil {
		if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
			t.Errorf("error %q does not wrap ErrUnsupportedValue", err)
		}
		if compareErrorText && err.Error() != wantErr.Error() {
			t.Errorf("toproto error %q, Normalize error %q", err, wantErr)
		}
		return
	}
	if diff := cmp.Diff(want, fromproto.StructuredData(p)); diff != "" {
		t.Errorf("fromproto(toproto(x)) differs from x.Normalize() (-want +got):\n%s", diff)
	}
	wire, err := proto.Marshal(p)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var received structpb.Struct
	if err := proto.Unmarshal(wire, &received); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if p != nil {
		// A nil Struct is not a message on the wire; Data tests cover that.
		if diff := cmp.Diff(want, fromproto.StructuredData(&received)); diff != "" {
			t.Errorf("after the wire, differs from x.Normalize() (-want +got):\n%s", diff)
		}
	}
}

type point struct{ X, Y int }

func TestStructuredDataLikeNormalize(t *testing.T) {
	cases := []struct {
		name string
		in   cpluginv1.StructuredData
		// wantErr is a part of the error text, empty if the value is
		// supported.
		wantErr string
	}{
		{name: "nil", in: nil},
		{name: "empty", in: cpluginv1.StructuredData{}},
		{name: "scalars", in: cpluginv1.StructuredData{"null": nil, "yes": true, "no": false, "s": "text", "empty": "", "f": 1.25, "neg zero": math.Copysign(0, -1)}},
		{name: "signed integers", in: cpluginv1.StructuredData{"int": int(-7), "int8": int8(-128), "int16": int16(32767), "int32": int32(math.MinInt32), "int64": int64(42)}},
		{name: "unsigned integers", in: cpluginv1.StructuredData{"uint": uint(7), "uint8": uint8(255), "uint16": uint16(65535), "uint32": uint32(math.MaxUint32), "uint64": uint64(42)}},
		{name: "integers at 2^53", in: cpluginv1.StructuredData{"int": int(exact), "-int": int(-exact), "int64": int64(exact), "-int64": int64(-exact), "uint": uint(exact), "uint64": uint64(exact)}},
		{name: "float32", in: cpluginv1.StructuredData{"f": float32(0.1), "max": float32(math.MaxFloat32)}},
		{name: "extreme doubles", in: cpluginv1.StructuredData{"max": math.MaxFloat64, "tiny": math.SmallestNonzeroFloat64, "min": -math.MaxFloat64}},
		{name: "nested", in: cpluginv1.StructuredData{
			"map":        map[string]any{"n": int32(1), "deeper": map[string]any{"list": []any{uint8(2), "x"}}},
			"structured": cpluginv1.StructuredData{"n": int64(3), "inner": cpluginv1.StructuredData{"b": true}},
			"list":       []any{int16(4), []any{[]any{}}, map[string]any{}, cpluginv1.StructuredData{"k": float32(2)}},
		}},
		{name: "nil containers", in: cpluginv1.StructuredData{"map": map[string]any(nil), "structured": cpluginv1.StructuredData(nil), "list": []any(nil)}},
		{name: "keys", in: cpluginv1.StructuredData{"": "empty key", "a.b": "dot", "ü": "unicode", "[0]": "brackets"}},

		{name: "int64 beyond 2^53", in: cpluginv1.StructuredData{"big": int64(exact + 1)}, wantErr: `field "big" holds the integer 9007199254740993`},
		{name: "int64 below -2^53", in: cpluginv1.StructuredData{"a": map[string]any{"b": int64(-exact - 1)}}, wantErr: `field "a.b" holds the integer -9007199254740993`},
		{name: "int beyond 2^53", in: cpluginv1.StructuredData{"list": []any{1, int(exact + 1)}}, wantErr: `field "list[1]" holds the integer`},
		{name: "uint64 max", in: cpluginv1.StructuredData{"u": uint64(math.MaxUint64)}, wantErr: `field "u" holds the integer 18446744073709551615`},
		{name: "uint beyond 2^53", in: cpluginv1.StructuredData{"s": cpluginv1.StructuredData{"u": uint(exact + 1)}}, wantErr: `field "s.u"`},
		{name: "NaN", in: cpluginv1.StructuredData{"x": []any{map[string]any{"nan": math.NaN()}}}, wantErr: `field "x[0].nan" holds NaN`},
		{name: "+Inf", in: cpluginv1.StructuredData{"inf": math.Inf(1)}, wantErr: `field "inf" holds +Inf`},
		{name: "float32 -Inf", in: cpluginv1.StructuredData{"inf": float32(math.Inf(-1))}, wantErr: `field "inf" holds -Inf`},
		{name: "bytes", in: cpluginv1.StructuredData{"blob": []byte("x")}, wantErr: `field "blob" holds a []uint8`},
		{name: "time", in: cpluginv1.StructuredData{"at": time.Unix(0, 0)}, wantErr: `field "at" holds a time.Time`},
		{name: "struct", in: cpluginv1.StructuredData{"p": point{1, 2}}, wantErr: `field "p" holds a toproto_test.point`},
		{name: "pointer", in: cpluginv1.StructuredData{"p": new(int)}, wantErr: `holds a *int`},
		{name: "typed slice", in: cpluginv1.StructuredData{"tags": []string{"a"}}, wantErr: `field "tags" holds a []string`},
		{name: "typed map", in: cpluginv1.StructuredData{"m": map[string]string{}}, wantErr: `holds a map[string]string`},
		{name: "RawData inside", in: cpluginv1.StructuredData{"raw": cpluginv1.RawData("x")}, wantErr: `holds a cpluginv1.RawData`},
		{name: "deep in a list", in: cpluginv1.StructuredData{"a": []any{[]any{nil, []any{complex(1, 2)}}}}, wantErr: `field "a[0][1][0]" holds a complex128`},
		{name: "string not UTF-8", in: cpluginv1.StructuredData{"s": []any{"\xc3"}}, wantErr: `field "s[0]" holds a string that is not valid UTF-8`},
		{name: "key not UTF-8", in: cpluginv1.StructuredData{"m": map[string]any{"\xc3": nil}}, wantErr: `field "m" holds the key "\xc3", which is not valid UTF-8`},
		{name: "key of StructuredData not UTF-8", in: cpluginv1.StructuredData{"\xc3": nil}, wantErr: `field "(root)" holds the key "\xc3"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkLikeNormalize(t, tc.in, true)
			_, err := toproto.StructuredData(tc.in)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("want an error containing %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestRecordErrorNamesField checks that a record's error names the field
// from the record on, in the words NormalizeStructuredValue uses, so hosts
// and connectors can tell which part of which record failed.
func TestRecordErrorNamesField(t *testing.T) {
	bad := cpluginv1.StructuredData{"items": []any{"ok", "ok", time.Time{}}}
	cases := []struct {
		name   string
		record cpluginv1.Record
		path   string
	}{
		{name: "key", record: cpluginv1.Record{Key: bad}, path: "key"},
		{name: "before", record: cpluginv1.Record{Payload: cpluginv1.Change{Before: bad}}, path: "payload.before"},
		{name: "after", record: cpluginv1.Record{Payload: cpluginv1.Change{After: bad}}, path: "payload.after"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, wantErr := cpluginv1.NormalizeStructuredValue(bad, tc.path)
			checks := map[string]error{}
			_, checks["Record"] = toproto.Record(tc.record)
			_, checks["SourceRunResponse"] = toproto.SourceRunResponse(cpluginv1.SourceRunResponse{Record: tc.record})
			_, checks["DestinationRunRequest"] = toproto.DestinationRunRequest(cpluginv1.DestinationRunRequest{Record: tc.record})
			for name, err := range checks {
				if err == nil || err.Error() != wantErr.Error() {
					t.Errorf("%s: error %v, want %q", name, err, wantErr)
				}
				if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
					t.Errorf("%s: error %v does not wrap ErrUnsupportedValue", name, err)
				}
				if !strings.Contains(err.Error(), `"`+tc.path+`.items[2]"`) {
					t.Errorf("%s: error %q does not name %s.items[2]", name, err, tc.path)
				}
			}
		})
	}

	// Change and Data name the field from themselves on.
	_, err := toproto.Change(cpluginv1.Change{After: bad})
	if err == nil || !strings.Contains(err.Error(), `"after.items[2]"`) {
		t.Errorf("Change: error %v does not name after.items[2]", err)
	}
	_, err = toproto.Data(bad)
	if _, wantErr := bad.Normalize(); err == nil || err.Error() != wantErr.Error() {
		t.Errorf("Data: error %v, want %v", err, wantErr)
	}
}

// structuredBuilder builds a StructuredData from fuzz input: every byte
// picks the next value or supplies its bits. It counts the unsupported
// values it puts in, by its own reading of the rules in StructuredData's
// documentation, which the test checks Normalize against too.
type structuredBuilder struct {
	in          []byte
	unsupported int
}

func (b *structuredBuilder) byte() byte {
	if len(b.in) == 0 {
		return 0
	}
	c := b.in[0]
	b.in = b.in[1:]
	return c
}

func (b *structuredBuilder) uint64() uint64 {
	var buf [8]byte
	for i := range buf {
		buf[i] = b.byte()
	}
	return binary.LittleEndian.Uint64(buf[:])
}

func (b *structuredBuilder) string() string {
	n := int(b.byte() % 16)
	s := make([]byte, 0, n)
	for range n {
		s = append(s, b.byte())
	}
	// Protobuf strings are UTF-8; an invalid one fails to marshal, a
	// separate matter from the supported value set.
	return strings.ToValidUTF8(string(s), "?")
}

// integers near the limit, where an off-by-one would show.
var edgeIntegers = []int64{0, 1, -1, exact - 1, exact, exact + 1, -exact + 1, -exact, -exact - 1, math.MaxInt64, math.MinInt64}

func (b *structuredBuilder) object(depth int) map[string]any {
	n := int(b.byte() % 6)
	m := make(map[string]any, n)
	for i := range n {
		// Unique keys, so that no value (and no count) is overwritten.
		m[b.string()+"#"+strconv.Itoa(i)] = b.value(depth + 1)
	}
	return m
}

func (b *structuredBuilder) value(depth int) any {
	op := b.byte()
	if depth > 6 && op%24 >= 19 {
		op = 0 // keep the tree small
	}
	switch op % 24 {
	case 0:
		return nil
	case 1:
		return b.byte()%2 == 0
	case 2:
		return b.string()
	case 3:
		f := math.Float64frombits(b.uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.unsupported++
		}
		return f
	case 4:
		f := math.Float32frombits(uint32(b.uint64()))
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			b.unsupported++
		}
		return f
	case 5, 6:
		var v int64
		if op%24 == 5 {
			v = edgeIntegers[int(b.byte())%len(edgeIntegers)]
		} else {
			v = int64(b.uint64())
		}
		if v > exact || v < -exact {
			b.unsupported++
		}
		if b.byte()%2 == 0 {
			return v
		}
		return int(v)
	case 7:
		v := b.uint64()
		if b.byte()%2 == 0 {
			v = uint64(edgeIntegers[int(b.byte())%len(edgeIntegers)]) // negative edges wrap to huge values, also a case
		}
		if v > exact {
			b.unsupported++
		}
		if b.byte()%2 == 0 {
			return v
		}
		return uint(v)
	case 8:
		return int8(b.byte())
	case 9:
		return int16(b.uint64())
	case 10:
		return int32(b.uint64())
	case 11:
		return b.byte()
	case 12:
		return uint16(b.uint64())
	case 13:
		return uint32(b.uint64())
	case 14:
		b.unsupported++
		switch b.byte() % 7 {
		case 5:
			return "\xff" + b.string() // not valid UTF-8
		case 6:
			return map[string]any{b.string() + "\xfe": nil} // a key that is not valid UTF-8
		case 0:
			return []byte(b.string())
		case 1:
			return time.Unix(int64(b.byte()), 0)
		case 2:
			return []string{b.string()}
		case 3:
			return point{}
		default:
			return map[string]string{}
		}
	case 15, 16, 17, 18:
		return math.Float64frombits(b.uint64() & 0x7fefffffffffffff) // finite
	case 19, 20:
		return b.object(depth)
	case 21:
		if b.byte()%4 == 0 {
			return cpluginv1.StructuredData(nil)
		}
		return cpluginv1.StructuredData(b.object(depth))
	default:
		n := int(b.byte() % 6)
		if n == 5 {
			return []any(nil)
		}
		list := make([]any, n)
		for i := range list {
			list[i] = b.value(depth + 1)
		}
		return list
	}
}

func FuzzStructuredRoundTrip(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 'a', 'b', 'c', 2, 3, 'x', 'y', 'z'})
	f.Add([]byte{5, 1, 'k', 5, 5, 0})                          // 2^53 - 1
	f.Add([]byte{5, 1, 'k', 5, 6, 0})                          // 2^53 + 1
	f.Add([]byte{5, 1, 'k', 3, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})  // NaN
	f.Add([]byte{5, 1, 'k', 14, 1, 5, 1, 'j', 14, 0})          // two unsupported values
	f.Add([]byte{4, 0, 19, 3, 0, 22, 4, 21, 2, 0, 8, 200, 23}) // nesting
	f.Add([]byte{2, 1, 'a', 7, 1, 7, 0, 1, 'b', 21, 0})        // uint64 edges, nil StructuredData
	f.Fuzz(func(t *testing.T, in []byte) {
		b := &structuredBuilder{in: in}
		data := cpluginv1.StructuredData(b.object(0))

		_, normErr := data.Normalize()
		if (normErr != nil) != (b.unsupported > 0) {
			t.Fatalf("Normalize error = %v with %d unsupported values", normErr, b.unsupported)
		}
		// With two bad values, which one is named depends on map order.
		checkLikeNormalize(t, data, b.unsupported == 1)

		// The same holds inside a record, with the path starting there.
		p, err := toproto.Record(cpluginv1.Record{Payload: cpluginv1.Change{After: data}})
		if (err != nil) != (normErr != nil) {
			t.Fatalf("Record error = %v, Normalize error = %v", err, normErr)
		}
		if err == nil {
			want, _ := data.Normalize()
			if diff := cmp.Diff(cpluginv1.Data(want), fromproto.Record(p).Payload.After); diff != "" {
				t.Errorf("record payload differs from Normalize (-want +got):\n%s", diff)
			}
		} else if b.unsupported == 1 {
			_, wantErr := cpluginv1.NormalizeStructuredValue(data, "payload.after")
			if err.Error() != wantErr.Error() {
				t.Errorf("Record error %q, want %q", err, wantErr)
			}
		}
	})
}
