package fromproto

import (
	"errors"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The Decode functions below read the four messages of the Run streams,
// which carry every record, straight from their protobuf encoding into the
// Go types, without building the generated messages first. They give what
// proto.Unmarshal followed by the converter of the same name gives, and
// fail where proto.Unmarshal fails (a fuzz test holds them to that; they
// also fail for a message over the memory bound below, which
// proto.Unmarshal has none of), but a record of raw data costs a handful of
// allocations instead of a dozen or more: the one for the buffer, which the
// transport makes, the metadata map, and one per Data.
//
// The results share buf: their byte slices are sub-slices of it, with their
// capacity cut to their length so that appending to one copies it instead
// of overwriting the next field, and their strings point into it. The
// caller hands buf over: it must not modify or reuse it afterwards.
//
// Structured data is decoded straight into maps and lists as well (see
// wirestruct.go), with protobuf's limit on nesting.
//
// Memory: a Decode function allocates at most MaxAllocPerByte (32) bytes
// per byte of buf plus AllocSlack (64 KiB), besides a fixed cost under
// 1 KiB (the Data values in their interfaces), whatever buf holds; together
// with buf the result holds at most 33 times the size of the message plus
// 65 KiB. (The stack of the
// recursion into nested structured data is bounded by protobuf's limit on
// nesting instead.) Nothing is sized from a count of fields a peer can
// inflate: fields that add nothing (a metadata entry of the wrong wire
// type, an empty entry, unknown fields) cost nothing, and the metadata map
// is made with room only for entries long enough to hold a key of their
// own (5 bytes). Only structured data of many tiny objects can reach the
// bound (a Go map costs at least 336 bytes, and an object can be as short
// as 6 bytes on the wire); a message whose decoding would exceed it is
// refused with an error wrapping cpluginv1.ErrMessageTooLarge. A property
// test and a fuzz target (wirememory_test.go) measure the allocations
// with runtime.MemStats.

// ErrInvalidUTF8 is the error of a string field that is not valid UTF-8,
// in the words of proto.Unmarshal.
var ErrInvalidUTF8 = errors.New("proto: string field contains invalid UTF-8")

// errInvalidWire is the error of a message that is not protobuf: it ends in
// the middle of a field, or a tag is out of range.
var errInvalidWire = errors.New("proto: cannot parse invalid wire-format data")

// DecodeSourceRunRequest decodes a connector.v1.Source.Run.Request (an
// ack).
func DecodeSourceRunRequest(buf []byte) (cpluginv1.SourceRunRequest, error) {
	var out cpluginv1.SourceRunRequest
	fields := fieldReader{b: buf}
	for fields.next() {
		if fields.num == 1 && fields.typ == protowire.BytesType {
			out.AckPosition = implicitBytes(fields.v())
		}
	}
	return out, fields.err
}

// DecodeSourceRunResponse decodes a connector.v1.Source.Run.Response (a
// record).
func DecodeSourceRunResponse(buf []byte) (cpluginv1.SourceRunResponse, error) {
	rec, err := decodeRecordField(buf)
	return cpluginv1.SourceRunResponse{Record: rec}, err
}

// DecodeDestinationRunRequest decodes a connector.v1.Destination.Run.Request
// (a record).
func DecodeDestinationRunRequest(buf []byte) (cpluginv1.DestinationRunRequest, error) {
	rec, err := decodeRecordField(buf)
	return cpluginv1.DestinationRunRequest{Record: rec}, err
}

// DecodeDestinationRunResponse decodes a
// connector.v1.Destination.Run.Response (an ack).
func DecodeDestinationRunResponse(buf []byte) (cpluginv1.DestinationRunResponse, error) {
	var out cpluginv1.DestinationRunResponse
	fields := fieldReader{b: buf}
	for fields.next() {
		switch {
		case fields.num == 1 && fields.typ == protowire.BytesType:
			out.AckPosition = implicitBytes(fields.v())
		case fields.num == 2 && fields.typ == protowire.BytesType:
			s, err := utf8String(fields.v())
			if err != nil {
				return cpluginv1.DestinationRunResponse{}, err
			}
			out.Error = s
		}
	}
	return out, fields.err
}

// decodeRecordField decodes a message whose field 1 is an opencdc.v1.Record.
func decodeRecordField(buf []byte) (cpluginv1.Record, error) {
	r := record{budget: newBudget(len(buf))}
	fields := fieldReader{b: buf}
	for fields.next() {
		if fields.num == 1 && fields.typ == protowire.BytesType {
			if err := r.decode(fields.v()); err != nil {
				return cpluginv1.Record{}, err
			}
		}
	}
	if fields.err != nil {
		return cpluginv1.Record{}, fields.err
	}
	return r.value(), nil
}

// record is an opencdc.v1.Record being decoded. Fields that occur more than
// once are merged as protobuf merges them: the last scalar wins, messages
// merge, map entries accumulate.
type record struct {
	position  []byte
	operation int32
	metadata  map[string]string
	metaHint  int // the room metadata was made with
	key       data
	before    data
	after     data
	budget    budget
}

func (r *record) decode(b []byte) error {
	fields := fieldReader{b: b}
	for start := 0; fields.next(); start = fields.off { // start: where the current field begins
		var err error
		switch num, typ, v := fields.num, fields.typ, fields.v(); {
		case num == 1 && typ == protowire.BytesType:
			r.position = implicitBytes(v)
		case num == 2 && typ == protowire.VarintType:
			r.operation = int32(fields.x) //nolint:gosec // protobuf truncates an enum's varint to 32 bits
		case num == 3:
			if r.metadata == nil {
				// Even for a wrong wire type, as proto.Unmarshal does. Sized
				// for the entries of the record (see mapHint), so that it
				// does not grow; the fields before this one hold none.
				r.metaHint = mapHint(b[start:], 3)
				if err = r.budget.charge(mapCost(r.metaHint)); err != nil {
					return err
				}
				r.metadata = make(map[string]string, r.metaHint)
			}
			if typ == protowire.BytesType {
				err = r.decodeMetadataEntry(v)
			}
		case num == 4 && typ == protowire.BytesType:
			err = r.key.decode(v, keyStructDepth, &r.budget)
		case num == 5 && typ == protowire.BytesType:
			err = r.decodePayload(v)
		}
		if err != nil {
			return err
		}
	}
	return fields.err
}

func (r *record) decodePayload(b []byte) error {
	fields := fieldReader{b: b}
	for fields.next() {
		var err error
		switch {
		case fields.num == 1 && fields.typ == protowire.BytesType:
			err = r.before.decode(fields.v(), payloadStructDepth, &r.budget)
		case fields.num == 2 && fields.typ == protowire.BytesType:
			err = r.after.decode(fields.v(), payloadStructDepth, &r.budget)
		}
		if err != nil {
			return err
		}
	}
	return fields.err
}

func (r *record) decodeMetadataEntry(b []byte) error {
	var key, value string
	fields := fieldReader{b: b}
	for fields.next() {
		if fields.typ != protowire.BytesType || (fields.num != 1 && fields.num != 2) {
			continue
		}
		s, err := utf8String(fields.v())
		if err != nil {
			return err
		}
		if fields.num == 1 {
			key = s
		} else {
			value = s
		}
	}
	if fields.err != nil {
		return fields.err
	}
	before := len(r.metadata)
	r.metadata[key] = value
	return r.budget.chargeMapGrowth(before, len(r.metadata), r.metaHint)
}

func (r *record) value() cpluginv1.Record {
	return cpluginv1.Record{
		Position:  r.position,
		Operation: cpluginv1.Operation(r.operation),
		Metadata:  r.metadata,
		Key:       r.key.value(),
		Payload:   cpluginv1.Change{Before: r.before.value(), After: r.after.value()},
	}
}

// data is an opencdc.v1.Data being decoded: its oneof holds raw or
// structured data, or nothing.
type data struct {
	kind       dataKind
	raw        []byte
	structured map[string]any
}

type dataKind uint8

const (
	noData dataKind = iota
	rawData
	structuredData
)

// decode decodes an opencdc.v1.Data; structDepth is proto.Unmarshal's
// depth budget when it enters the Struct of structured data, and bud the
// memory budget of the message.
func (d *data) decode(b []byte, structDepth int, bud *budget) error {
	fields := fieldReader{b: b}
	for fields.next() {
		switch {
		case fields.num == 1 && fields.typ == protowire.BytesType:
			d.kind, d.raw, d.structured = rawData, limit(fields.v()), nil
		case fields.num == 2 && fields.typ == protowire.BytesType:
			if d.kind != structuredData {
				// A second occurrence merges into the first.
				d.kind, d.raw, d.structured = structuredData, nil, nil
			}
			var err error
			if d.structured, err = decodeStruct(fields.v(), d.structured, structDepth, bud); err != nil {
				return err
			}
		}
	}
	return fields.err
}

// value converts as Data converts.
func (d *data) value() cpluginv1.Data {
	switch d.kind {
	case rawData:
		if d.raw == nil {
			return cpluginv1.RawData{}
		}
		return cpluginv1.RawData(d.raw)
	case structuredData:
		return cpluginv1.StructuredData(d.structured)
	default:
		return nil
	}
}

// fieldReader reads the fields of an encoded message in order. After next
// returned true, num and typ describe the field, v returns a
// length-delimited field's bytes and x holds the value of a varint or of a
// fixed64; fields of the other wire types (groups included) are skipped
// with neither. A field
// whose wire type does not match its declaration is an unknown field to
// protobuf, which skips it: the caller must too. next returns false at the
// end of the message, or with err set if the message is not protobuf.
//
// It keeps offsets into b rather than slices of it, so that next stores
// only integers (but for an error): a store of a pointer through f costs a
// write barrier while the garbage collector marks.
type fieldReader struct {
	b      []byte
	off    int // where the next field starts
	num    protowire.Number
	typ    protowire.Type
	vStart int // v is b[vStart:vEnd]
	vEnd   int
	x      uint64
	err    error
}

// v returns the bytes of the current field, if it is length-delimited.
func (f *fieldReader) v() []byte {
	return f.b[f.vStart:f.vEnd]
}

func (f *fieldReader) next() bool {
	if f.off >= len(f.b) || f.err != nil {
		return false
	}
	b := f.b[f.off:]
	var n int
	// A tag of one byte, the usual case, without the general decoder.
	if b[0] < 0x80 {
		f.num, f.typ, n = protowire.Number(b[0]>>3), protowire.Type(b[0]&7), 1
		if f.num == 0 {
			return f.fail()
		}
	} else {
		f.num, f.typ, n = protowire.ConsumeTag(b)
		if n < 0 || f.num > protowire.MaxValidNumber {
			return f.fail()
		}
	}
	b = b[n:]
	f.off += n
	f.vStart, f.vEnd, f.x = 0, 0, 0
	switch f.typ {
	case protowire.BytesType:
		var size uint64
		if len(b) > 0 && b[0] < 0x80 { // a length of one byte, the usual case
			size, n = uint64(b[0]), 1
		} else {
			size, n = protowire.ConsumeVarint(b)
		}
		if n < 0 || size > uint64(len(b)-n) { //nolint:gosec // n >= 0 here, and n <= len(b)
			return f.fail()
		}
		length := int(size) //nolint:gosec // size <= len(b)-n, checked above
		f.vStart = f.off + n
		f.vEnd = f.vStart + length
		n += length
	case protowire.VarintType:
		f.x, n = protowire.ConsumeVarint(b)
	case protowire.Fixed64Type:
		f.x, n = protowire.ConsumeFixed64(b)
	default:
		n = protowire.ConsumeFieldValue(f.num, f.typ, b)
	}
	if n < 0 {
		return f.fail()
	}
	f.off += n
	return true
}

func (f *fieldReader) fail() bool {
	f.err = errInvalidWire
	return false
}

// implicitBytes returns a bytes field without explicit presence as
// proto.Unmarshal stores it: nil when empty.
func implicitBytes(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return limit(v)
}

// limit cuts v's capacity to its length.
func limit(v []byte) []byte {
	return v[:len(v):len(v)]
}

// utf8String returns v as a string that shares v's memory, or
// ErrInvalidUTF8.
func utf8String(v []byte) (string, error) {
	if !utf8.Valid(v) {
		return "", ErrInvalidUTF8
	}
	if len(v) == 0 {
		return "", nil
	}
	// The string shares v, which nobody writes: the buffer is handed over
	// (see above), and the byte fields that share it cannot reach v.
	return unsafe.String(unsafe.SliceData(v), len(v)), nil //nolint:gosec // audited: see above
}
