// Package wire is the gRPC codec of the standalone transports (packages
// client and server). It encodes and decodes the four messages of the Run
// streams, which carry every record, with the methods protoc-gen-go-vtproto
// generates next to the bindings (MarshalToSizedBufferVT, SizeVT,
// UnmarshalVTUnsafe): no reflection, and one allocation for all the bytes
// and strings of a received message. Every other message goes through
// gRPC's standard protobuf codec. The bytes on the wire are protobuf as
// before; only the cost of producing and reading them changes.
//
// The codec is set per connection and per call (grpc.ForceServerCodecV2 in
// the server, grpc.ForceCodecV2 on the client's Run streams), never
// registered globally, so that other gRPC clients and servers in the same
// process keep gRPC's own codec.
//
// A decoded Run message shares one buffer, a private copy of the received
// bytes, with everything in it: its byte fields are sub-slices of the
// buffer, with their capacity cut to their length so that an append copies
// instead of overwriting the next field, and its strings point into it. The
// buffer is never written after decoding.
//
// Decoding checks what gRPC's standard codec checks and the generated
// methods do not: that every string is valid UTF-8, as protobuf requires.
package wire

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/types/known/structpb"

	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// Name is the codec's name, and so the content subtype of the calls that
// use it: the content type stays application/grpc+proto, which every gRPC
// implementation accepts as protobuf.
const Name = "proto"

// Codec is the transports' gRPC codec. The zero value is ready to use.
type Codec struct{}

// standard is gRPC's protobuf codec, for every message but the Run
// streams'.
var standard = encoding.GetCodecV2(Name)

// fastMessage is a Run message with the generated fast methods.
type fastMessage interface {
	SizeVT() int
	MarshalToSizedBufferVT([]byte) (int, error)
	UnmarshalVTUnsafe([]byte) error
	Reset()
}

func fast(v any) (fastMessage, bool) {
	switch m := v.(type) {
	case *connectorv1.Source_Run_Request:
		return m, true
	case *connectorv1.Source_Run_Response:
		return m, true
	case *connectorv1.Destination_Run_Request:
		return m, true
	case *connectorv1.Destination_Run_Response:
		return m, true
	default:
		return nil, false
	}
}

// Name returns "proto".
func (Codec) Name() string { return Name }

// Marshal encodes v. Large messages (records, usually) are encoded into a
// buffer from gRPC's pool, which gRPC returns once the bytes are written.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := fast(v)
	if !ok {
		return standard.Marshal(v)
	}
	size := m.SizeVT()
	if mem.IsBelowBufferPoolingThreshold(size) {
		buf := make([]byte, size)
		if _, err := m.MarshalToSizedBufferVT(buf); err != nil {
			return nil, fmt.Errorf("marshal %T: %w", v, err)
		}
		return mem.BufferSlice{mem.SliceBuffer(buf)}, nil
	}
	pool := mem.DefaultBufferPool()
	buf := pool.Get(size)
	if _, err := m.MarshalToSizedBufferVT((*buf)[:size]); err != nil {
		pool.Put(buf)
		return nil, fmt.Errorf("marshal %T: %w", v, err)
	}
	return mem.BufferSlice{mem.NewBuffer(buf, pool)}, nil
}

// Unmarshal decodes data into v, replacing what v held.
func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := fast(v)
	if !ok {
		return standard.Unmarshal(data, v)
	}
	return Decode(materialize(data), m)
}

// materialize returns a copy of data in one new slice. For the usual single
// buffer it copies without clearing the new memory first.
func materialize(data mem.BufferSlice) []byte {
	if len(data) == 1 {
		return bytes.Clone(data[0].ReadOnlyData())
	}
	return data.Materialize()
}

// Decode decodes buf into m, which must be one of the Run messages, as the
// codec does: m aliases buf, which the caller must not modify afterwards.
func Decode(buf []byte, m fastMessage) error {
	m.Reset()
	if err := m.UnmarshalVTUnsafe(buf); err != nil {
		return err
	}
	limitCapacities(m)
	return checkUTF8(m)
}

// errInvalidUTF8 is the error of a string field that is not valid UTF-8,
// in the words of the standard codec.
var errInvalidUTF8 = errors.New("proto: string field contains invalid UTF-8")

// checkUTF8 checks every string field of a Run message.
func checkUTF8(m fastMessage) error {
	switch m := m.(type) {
	case *connectorv1.Source_Run_Response:
		return checkRecord(m.GetRecord())
	case *connectorv1.Destination_Run_Request:
		return checkRecord(m.GetRecord())
	case *connectorv1.Destination_Run_Response:
		if !utf8.ValidString(m.GetError()) {
			return errInvalidUTF8
		}
	}
	return nil
}

func checkRecord(r *opencdcv1.Record) error {
	for k, v := range r.GetMetadata() {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return errInvalidUTF8
		}
	}
	for _, d := range []*opencdcv1.Data{r.GetKey(), r.GetPayload().GetBefore(), r.GetPayload().GetAfter()} {
		if s := d.GetStructuredData(); s != nil && !validStruct(s) {
			return errInvalidUTF8
		}
	}
	return nil
}

func validStruct(s *structpb.Struct) bool {
	for k, v := range s.GetFields() {
		if !utf8.ValidString(k) || !validValue(v) {
			return false
		}
	}
	return true
}

func validValue(v *structpb.Value) bool {
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return utf8.ValidString(k.StringValue)
	case *structpb.Value_StructValue:
		return validStruct(k.StructValue)
	case *structpb.Value_ListValue:
		for _, item := range k.ListValue.GetValues() {
			if !validValue(item) {
				return false
			}
		}
	}
	return true
}

// limitCapacities cuts the capacity of every byte field of a decoded Run
// message to its length: the fields share one buffer, and an append to one
// must not overwrite the next.
func limitCapacities(m fastMessage) {
	switch m := m.(type) {
	case *connectorv1.Source_Run_Request:
		m.AckPosition = limit(m.AckPosition)
	case *connectorv1.Source_Run_Response:
		limitRecord(m.Record)
	case *connectorv1.Destination_Run_Request:
		limitRecord(m.Record)
	case *connectorv1.Destination_Run_Response:
		m.AckPosition = limit(m.AckPosition)
	}
}

func limitRecord(r *opencdcv1.Record) {
	if r == nil {
		return
	}
	r.Position = limit(r.Position)
	limitData(r.Key)
	if r.Payload != nil {
		limitData(r.Payload.Before)
		limitData(r.Payload.After)
	}
}

func limitData(d *opencdcv1.Data) {
	if raw, ok := d.GetData().(*opencdcv1.Data_RawData); ok {
		raw.RawData = limit(raw.RawData)
	}
}

func limit(b []byte) []byte {
	return b[:len(b):len(b)]
}
