package fromproto

import (
	"errors"
	"unicode/utf8"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The Decode functions below read the four messages of the Run streams,
// which carry every record, straight from their protobuf encoding into the
// Go types, without building the generated messages first. They give what
// proto.Unmarshal followed by the converter of the same name gives, and
// fail where proto.Unmarshal fails (a fuzz test holds them to that), but a
// record of raw data costs a handful of allocations instead of a dozen or
// more: the one for the buffer, which the transport makes, the metadata
// map, and one per Data.
//
// The results share buf: their byte slices are sub-slices of it, with their
// capacity cut to their length so that appending to one copies it instead
// of overwriting the next field, and their strings point into it. The
// caller hands buf over: it must not modify or reuse it afterwards.
//
// Structured data is decoded by proto.Unmarshal (into a
// google.protobuf.Struct, then converted with StructuredData), which keeps
// its limit on nesting.

// ErrInvalidUTF8 is the error of a string field that is not valid UTF-8,
// in the words of proto.Unmarshal.
var ErrInvalidUTF8 = errors.New("proto: string field contains invalid UTF-8")

// errInvalidWire is the error of a message that is not protobuf: it ends in
// the middle of a field, or a tag is out of range.
var errInvalidWire = errors.New("proto: cannot parse invalid wire-format data")

// Structured data is decoded as proto.Unmarshal decodes it when it decodes
// the whole message: a second occurrence of the field merges into the
// first, and the limit on nesting counts the messages around the Struct
// (the Run message, the record, the payload for before and after, and the
// Data).
var (
	keyStructOptions     = proto.UnmarshalOptions{Merge: true, RecursionLimit: protowire.DefaultRecursionLimit - 3}
	payloadStructOptions = proto.UnmarshalOptions{Merge: true, RecursionLimit: protowire.DefaultRecursionLimit - 4}
)

// DecodeSourceRunRequest decodes a connector.v1.Source.Run.Request (an
// ack).
func DecodeSourceRunRequest(buf []byte) (cpluginv1.SourceRunRequest, error) {
	var out cpluginv1.SourceRunRequest
	err := eachField(buf, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num == 1 && typ == protowire.BytesType {
			out.AckPosition = implicitBytes(v)
		}
		return nil
	})
	return out, err
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
	err := eachField(buf, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			out.AckPosition = implicitBytes(v)
		case num == 2 && typ == protowire.BytesType:
			s, err := utf8String(v)
			if err != nil {
				return err
			}
			out.Error = s
		}
		return nil
	})
	return out, err
}

// decodeRecordField decodes a message whose field 1 is an opencdc.v1.Record.
func decodeRecordField(buf []byte) (cpluginv1.Record, error) {
	var r record
	err := eachField(buf, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num == 1 && typ == protowire.BytesType {
			return r.decode(v)
		}
		return nil
	})
	if err != nil {
		return cpluginv1.Record{}, err
	}
	return r.value(), nil
}

// record is an opencdc.v1.Record being decoded. Fields that occur more than
// once are merged as protobuf merges them: the last scalar wins, messages
// merge, map entries accumulate.
type record struct {
	position   []byte
	operation  int32
	metadata   map[string]string
	key        data
	before     data
	after      data
	hasPayload bool
}

func (r *record) decode(b []byte) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			r.position = implicitBytes(v)
		case num == 2 && typ == protowire.VarintType:
			r.operation = int32(x) //nolint:gosec // protobuf truncates an enum's varint to 32 bits
		case num == 3:
			if r.metadata == nil {
				// Even for a wrong wire type, as proto.Unmarshal does.
				r.metadata = make(map[string]string)
			}
			if typ == protowire.BytesType {
				return r.decodeMetadataEntry(v)
			}
		case num == 4 && typ == protowire.BytesType:
			return r.key.decode(v, keyStructOptions)
		case num == 5 && typ == protowire.BytesType:
			r.hasPayload = true
			return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				switch {
				case num == 1 && typ == protowire.BytesType:
					return r.before.decode(v, payloadStructOptions)
				case num == 2 && typ == protowire.BytesType:
					return r.after.decode(v, payloadStructOptions)
				}
				return nil
			})
		}
		return nil
	})
}

func (r *record) decodeMetadataEntry(b []byte) error {
	var key, value string
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType || (num != 1 && num != 2) {
			return nil
		}
		s, err := utf8String(v)
		if err != nil {
			return err
		}
		if num == 1 {
			key = s
		} else {
			value = s
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.metadata[key] = value
	return nil
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
	structured *structpb.Struct
}

type dataKind uint8

const (
	noData dataKind = iota
	rawData
	structuredData
)

func (d *data) decode(b []byte, structOptions proto.UnmarshalOptions) error {
	return eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		switch {
		case num == 1 && typ == protowire.BytesType:
			d.kind, d.raw, d.structured = rawData, limit(v), nil
		case num == 2 && typ == protowire.BytesType:
			if d.kind != structuredData {
				d.kind, d.raw, d.structured = structuredData, nil, &structpb.Struct{}
			}
			return structOptions.Unmarshal(v, d.structured)
		}
		return nil
	})
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
		return StructuredData(d.structured)
	default:
		return nil
	}
}

// eachField calls f for every field of the message encoded in b, in order:
// with the field's bytes for length-delimited fields, its value for
// varints, and neither for the other wire types (groups included), whose
// value it skips. A field whose wire type does not match its declaration is
// an unknown field to protobuf, which skips it: f must too.
func eachField(b []byte, f func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 || num > protowire.MaxValidNumber {
			return errInvalidWire
		}
		b = b[n:]
		switch typ {
		case protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return errInvalidWire
			}
			b = b[n:]
			if err := f(num, typ, v, 0); err != nil {
				return err
			}
		case protowire.VarintType:
			x, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errInvalidWire
			}
			b = b[n:]
			if err := f(num, typ, nil, x); err != nil {
				return err
			}
		default:
			n := protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return errInvalidWire
			}
			b = b[n:]
			if err := f(num, typ, nil, 0); err != nil {
				return err
			}
		}
	}
	return nil
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
