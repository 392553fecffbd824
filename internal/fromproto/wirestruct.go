package fromproto

import (
	"errors"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Structured data (a google.protobuf.Struct) is decoded straight into the
// form StructuredData converts a Struct to: map[string]any, []any, float64,
// string, bool and nil. The result is what proto.Unmarshal followed by
// StructuredData gives, also for fields that occur more than once (the
// oneof of a Value switches to the last field, a repeated struct_value or
// list_value merges, a later map entry replaces an earlier one with the same
// key), and the errors are where proto.Unmarshal fails, the limit on nesting
// included. Strings share the buffer, as the other strings of a record do.
//
// Unlike the generated types, which hold every Value in a message of its
// own, it holds no more than the result: see the memory bound in wire.go.

// errRecursionDepth is the error of structured data nested deeper than
// protobuf's limit, in the words of proto.Unmarshal.
var errRecursionDepth = errors.New("proto: exceeded maximum recursion depth")

// The depth budget of structured data, counted as proto.Unmarshal counts it
// when it decodes the whole message: each message around the Struct (the
// Run message, the record, the payload for before and after, the Data)
// takes one level.
const (
	keyStructDepth     = protowire.DefaultRecursionLimit - 3
	payloadStructDepth = protowire.DefaultRecursionLimit - 4
)

// The field numbers of google.protobuf.Struct, Value and ListValue.
const (
	structFieldsNum = 1 // Struct.fields, map<string, Value>

	valueNullNum   = 1 // Value.null_value, enum
	valueNumberNum = 2 // Value.number_value, double
	valueStringNum = 3 // Value.string_value
	valueBoolNum   = 4 // Value.bool_value
	valueStructNum = 5 // Value.struct_value
	valueListNum   = 6 // Value.list_value

	listValuesNum = 1 // ListValue.values, repeated Value
)

// emptyList is every empty list of the decoded data: a []any of length and
// capacity zero, which no one can write to, so that an empty list costs no
// allocation (a []any in an interface is boxed otherwise).
var emptyList any = []any{}

// valueKind is the field a Value's oneof holds.
type valueKind uint8

const (
	kindNone valueKind = iota // not set: converts to nil
	kindNull
	kindNumber
	kindString
	kindBool
	kindStruct
	kindList
)

// value is a google.protobuf.Value being decoded: a later field of the
// oneof replaces it, a later struct_value or list_value of the same kind
// merges into it.
type value struct {
	kind valueKind
	num  float64
	str  string
	b    bool
	m    map[string]any
	l    []any
}

// boxCost is what storing the number or string in an interface allocates
// (lists are charged with their elements, maps are pointers, bools and
// nil are free).
func (v value) boxCost() int {
	if v.kind == kindNumber || (v.kind == kindString && v.str != "") {
		return boxCost
	}
	return 0
}

// result returns the value as StructuredData's conversion gives it.
func (v value) result() any {
	switch v.kind {
	case kindNumber:
		return v.num
	case kindString:
		return v.str
	case kindBool:
		return v.b
	case kindStruct:
		return v.m
	case kindList:
		if len(v.l) == 0 {
			return emptyList
		}
		return v.l
	default: // none, null
		return nil
	}
}

// decodeStruct decodes a google.protobuf.Struct into m, making the map if m
// is nil and merging into it otherwise, and returns the map. depth is
// proto.Unmarshal's depth budget when it enters the message.
//
// The functions of the recursion take and return their values instead of
// pointers to them, which would make the compiler move each value being
// decoded to the heap.
func decodeStruct(b []byte, m map[string]any, depth int, bud *budget) (map[string]any, error) {
	if depth--; depth < 0 {
		return m, errRecursionDepth
	}
	hint := 0 // a map merged into has no room to spare
	if m == nil {
		hint = mapHint(b, structFieldsNum)
		if err := bud.charge(mapCost(hint)); err != nil {
			return m, err
		}
		m = make(map[string]any, hint)
	}
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.num != structFieldsNum {
			continue
		}
		// A map entry is a message of its own, whose depth proto.Unmarshal
		// counts before it looks at the wire type.
		if depth-1 < 0 {
			return m, errRecursionDepth
		}
		if fields.typ != protowire.BytesType {
			continue
		}
		if err := decodeStructEntry(fields.v(), m, hint, depth-1, bud); err != nil {
			return m, err
		}
	}
	return m, fields.err
}

// decodeStructEntry decodes one entry of Struct.fields into m, which was
// made with room for hint entries: a later key field replaces the key, a
// later value field merges into the value, and the entry replaces an
// earlier one with the same key.
func decodeStructEntry(b []byte, m map[string]any, hint, depth int, bud *budget) error {
	var key string
	var v value
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.typ != protowire.BytesType {
			continue
		}
		switch fields.num {
		case 1:
			s, err := utf8String(fields.v())
			if err != nil {
				return err
			}
			key = s
		case 2:
			var err error
			if v, err = decodeValue(fields.v(), v, depth, bud); err != nil {
				return err
			}
		}
	}
	if fields.err != nil {
		return fields.err
	}
	if err := bud.charge(v.boxCost()); err != nil {
		return err
	}
	before := len(m)
	m[key] = v.result()
	return bud.chargeMapGrowth(before, len(m), hint)
}

// decodeValue decodes a google.protobuf.Value into v, merging as protobuf
// merges a message into an existing one, and returns the result.
func decodeValue(b []byte, v value, depth int, bud *budget) (value, error) {
	if depth--; depth < 0 {
		return v, errRecursionDepth
	}
	fields := fieldReader{b: b}
	for fields.next() {
		var err error
		switch num, typ := fields.num, fields.typ; {
		case num == valueNullNum && typ == protowire.VarintType:
			v = value{kind: kindNull}
		case num == valueNumberNum && typ == protowire.Fixed64Type:
			v = value{kind: kindNumber, num: math.Float64frombits(fields.x)}
		case num == valueStringNum && typ == protowire.BytesType:
			var s string
			if s, err = utf8String(fields.v()); err == nil {
				v = value{kind: kindString, str: s}
			}
		case num == valueBoolNum && typ == protowire.VarintType:
			v = value{kind: kindBool, b: fields.x != 0}
		case num == valueStructNum && typ == protowire.BytesType:
			if v.kind != kindStruct {
				v = value{kind: kindStruct}
			}
			v.m, err = decodeStruct(fields.v(), v.m, depth, bud)
		case num == valueListNum && typ == protowire.BytesType:
			if v.kind != kindList {
				v = value{kind: kindList}
			}
			v.l, err = decodeList(fields.v(), v.l, depth, bud)
		}
		if err != nil {
			return v, err
		}
	}
	return v, fields.err
}

// decodeList decodes a google.protobuf.ListValue, appending its values to
// l, and returns the list.
func decodeList(b []byte, l []any, depth int, bud *budget) ([]any, error) {
	if depth--; depth < 0 {
		return l, errRecursionDepth
	}
	if n := countBytesFields(b, listValuesNum); n > 0 {
		if err := bud.charge(listCost + listElemCost*(len(l)+n)); err != nil {
			return l, err
		}
		l = growExact(l, n)
	}
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.num != listValuesNum || fields.typ != protowire.BytesType {
			continue
		}
		v, err := decodeValue(fields.v(), value{}, depth, bud)
		if err != nil {
			return l, err
		}
		if err := bud.charge(v.boxCost()); err != nil {
			return l, err
		}
		l = append(l, v.result())
	}
	return l, fields.err
}

// growExact returns l with room for exactly n more elements.
func growExact(l []any, n int) []any {
	if cap(l)-len(l) >= n {
		return l
	}
	out := make([]any, len(l), len(l)+n)
	copy(out, l)
	return out
}

// countBytesFields returns how many length-delimited fields number num b
// holds (as many as it found before the first that is not protobuf).
func countBytesFields(b []byte, num protowire.Number) int {
	n := 0
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.num == num && fields.typ == protowire.BytesType {
			n++
		}
	}
	return n
}

// minDistinctEntry is the shortest encoding of a map entry (of
// map<string, ...>) whose key is not empty: the key's tag, its length and
// one byte, 3 bytes inside the entry.
const minDistinctEntry = 3

// mapHint returns the size to make a map with for the entries (fields
// number num) in b: the entries that can have a key of their own, plus one
// if there are shorter entries, which all have the empty key. A map sized
// by the count of entries would let a peer make the receiver reserve room
// for a key per two bytes it sends (an empty entry is two bytes); this way
// every entry the map has room for took at least five bytes.
func mapHint(b []byte, num protowire.Number) int {
	n, short := 0, 0
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.num != num || fields.typ != protowire.BytesType {
			continue
		}
		if len(fields.v()) >= minDistinctEntry {
			n++
		} else {
			short = 1
		}
	}
	return n + short
}
