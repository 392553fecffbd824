package toproto

import (
	"fmt"
	"slices"
	"unicode/utf8"

	vtstructpb "github.com/planetscale/vtprotobuf/types/known/structpb"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// The Append functions and RecordMessage encode the messages of the Run
// streams straight from the Go types, without building the generated
// messages first, for the transports' gRPC codec (package wire). They write
// what proto.Marshal writes for the message the converter of the same name
// returns (up to the order of map entries, which protobuf leaves open);
// tests hold them to that. The Size functions return the encoding's
// length.

// SizeSourceRunRequest returns the length of the encoding of an ack on a
// source Run stream.
func SizeSourceRunRequest(in cpluginv1.SourceRunRequest) int {
	return sizeBytesField(1, in.AckPosition)
}

// AppendSourceRunRequest appends the encoding of an ack on a source Run
// stream, a connector.v1.Source.Run.Request, to b.
func AppendSourceRunRequest(b []byte, in cpluginv1.SourceRunRequest) []byte {
	return appendBytesField(b, 1, in.AckPosition)
}

// SizeDestinationRunResponse returns the length of the encoding of an ack
// on a destination Run stream.
func SizeDestinationRunResponse(in cpluginv1.DestinationRunResponse) int {
	return sizeBytesField(1, in.AckPosition) + sizeStringField(2, utf8check.Text(in.Error))
}

// AppendDestinationRunResponse appends the encoding of an ack on a
// destination Run stream, a connector.v1.Destination.Run.Response, to b.
// An error that is not valid UTF-8 is made valid as
// [DestinationRunResponse] makes it.
func AppendDestinationRunResponse(b []byte, in cpluginv1.DestinationRunResponse) []byte {
	b = appendBytesField(b, 1, in.AckPosition)
	return appendStringField(b, 2, utf8check.Text(in.Error))
}

// The fields of the acks have no explicit presence: an empty one is not
// written.

func sizeBytesField(num protowire.Number, v []byte) int {
	if len(v) == 0 {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(len(v))
}

func appendBytesField(b []byte, num protowire.Number, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func sizeStringField(num protowire.Number, v string) int {
	if v == "" {
		return 0
	}
	return protowire.SizeTag(num) + protowire.SizeBytes(len(v))
}

func appendStringField(b []byte, num protowire.Number, v string) []byte {
	if v == "" {
		return b
	}
	return protowire.AppendString(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// RecordMessage is a record ready to be encoded as a Source.Run.Response or
// a Destination.Run.Request (both hold the record in field 1, so their
// encodings are the same): checked and with its structured data converted
// by Set, which fails as [Record] fails, and encoded by Append without
// building the generated messages. A transport keeps one per stream and
// sets it for every record; it must not be used from two goroutines at
// once.
type RecordMessage struct {
	rec cpluginv1.Record
	// The key, before and after as converted for the wire: for raw data the
	// bytes (never nil), for structured data the Struct (never nil).
	key, before, after wireData
	// metadataLen is the length of the metadata's map entries, with their
	// tags, computed by Set; the map is walked twice per record (Set, then
	// Append), not three times.
	metadataLen int
	// Lengths computed by Size, used by Append.
	recordLen, payloadLen int
}

type wireData struct {
	set        bool // false: no data, the field is not written
	raw        []byte
	structured *vtstructpb.Struct
	len        int // length of the Data message
}

// Set checks and converts rec. It fails, and leaves m unusable until the
// next successful Set, with the error [Record] returns.
func (m *RecordMessage) Set(rec cpluginv1.Record) error {
	m.metadataLen = 0
	for k, v := range rec.Metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return utf8check.Metadata(rec.Metadata) // the error naming the entry
		}
		m.metadataLen += protowire.SizeTag(3) + protowire.SizeBytes(metadataEntryLen(k, v))
	}
	var err error
	if m.key, err = toWireData(rec.Key, "key"); err != nil {
		return err
	}
	if m.before, err = toWireData(rec.Payload.Before, "payload.before"); err != nil {
		return err
	}
	if m.after, err = toWireData(rec.Payload.After, "payload.after"); err != nil {
		return err
	}
	m.rec = rec
	return nil
}

// Record returns the record m was last set to.
func (m *RecordMessage) Record() cpluginv1.Record { return m.rec }

func toWireData(in cpluginv1.Data, path string) (wireData, error) {
	switch d := in.(type) {
	case nil:
		return wireData{}, nil
	case cpluginv1.RawData:
		if d == nil {
			d = cpluginv1.RawData{}
		}
		return wireData{set: true, raw: d}, nil
	case cpluginv1.StructuredData:
		s, err := structuredData(d, path)
		if err != nil {
			return wireData{}, err
		}
		if s == nil {
			s = &structpb.Struct{}
		}
		return wireData{set: true, structured: (*vtstructpb.Struct)(s)}, nil
	default:
		_, err := dataInto(&opencdcv1.Data{}, &opencdcv1.Data_RawData{}, in, path)
		return wireData{}, err
	}
}

// Size returns the length of the encoding and prepares Append.
func (m *RecordMessage) Size() int {
	r := &m.rec
	n := sizeBytesField(1, r.Position)
	if r.Operation != 0 {
		n += protowire.SizeTag(2) + protowire.SizeVarint(enumVarint(r.Operation))
	}
	n += m.metadataLen
	if m.key.set {
		m.key.len = m.key.size()
		n += protowire.SizeTag(4) + protowire.SizeBytes(m.key.len)
	}
	m.payloadLen = 0
	for _, d := range []*wireData{&m.before, &m.after} {
		if d.set {
			d.len = d.size()
			m.payloadLen += protowire.SizeTag(1) + protowire.SizeBytes(d.len)
		}
	}
	n += protowire.SizeTag(5) + protowire.SizeBytes(m.payloadLen) // always set, as Record sets it
	m.recordLen = n
	return protowire.SizeTag(1) + protowire.SizeBytes(n)
}

func (d *wireData) size() int {
	if d.structured != nil {
		return protowire.SizeTag(2) + protowire.SizeBytes(d.structured.SizeVT())
	}
	return protowire.SizeTag(1) + protowire.SizeBytes(len(d.raw))
}

// Append appends the encoding to b. Size must have been called since the
// last Set.
func (m *RecordMessage) Append(b []byte) ([]byte, error) {
	r := &m.rec
	b = appendLenTag(b, 1, m.recordLen)
	b = appendBytesField(b, 1, r.Position)
	if r.Operation != 0 {
		b = protowire.AppendVarint(protowire.AppendTag(b, 2, protowire.VarintType), enumVarint(r.Operation))
	}
	for k, v := range r.Metadata {
		b = appendLenTag(b, 3, metadataEntryLen(k, v))
		b = protowire.AppendString(protowire.AppendTag(b, 1, protowire.BytesType), k)
		b = protowire.AppendString(protowire.AppendTag(b, 2, protowire.BytesType), v)
	}
	var err error
	if m.key.set {
		if b, err = m.key.append(b, 4); err != nil {
			return nil, err
		}
	}
	b = appendLenTag(b, 5, m.payloadLen)
	if m.before.set {
		if b, err = m.before.append(b, 1); err != nil {
			return nil, err
		}
	}
	if m.after.set {
		if b, err = m.after.append(b, 2); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// append appends the Data message as field num.
func (d *wireData) append(b []byte, num protowire.Number) ([]byte, error) {
	b = appendLenTag(b, num, d.len)
	if d.structured == nil {
		return protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), d.raw), nil
	}
	size := d.structured.SizeVT()
	b = appendLenTag(b, 2, size)
	b = slices.Grow(b, size)
	if _, err := d.structured.MarshalToSizedBufferVT(b[len(b) : len(b)+size]); err != nil {
		return nil, err
	}
	return b[:len(b)+size], nil
}

// appendLenTag appends the tag of length-delimited field num and the
// length n.
func appendLenTag(b []byte, num protowire.Number, n int) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.BytesType), uint64(n)) //nolint:gosec // a length is not negative
}

// enumVarint returns the varint of an enum value: protobuf sign-extends a
// negative one to 64 bits.
func enumVarint(op cpluginv1.Operation) uint64 {
	return uint64(int64(op)) //nolint:gosec // the sign extension is the encoding
}

// metadataEntryLen returns the length of the map entry message of a
// metadata entry: its key and value are always written.
func metadataEntryLen(k, v string) int {
	return protowire.SizeTag(1) + protowire.SizeBytes(len(k)) + protowire.SizeTag(2) + protowire.SizeBytes(len(v))
}

// RecordBatchMessage is a batch of records ready to be encoded as a
// connector.v2 Source.Run.Response or Destination.Run.Request (records =
// 1, repeated): each record's encoding is a RecordMessage's, one after the
// other. A transport keeps one per stream and sets it for every batch; it
// reuses the records' RecordMessages, and must not be used from two
// goroutines at once.
type RecordBatchMessage struct {
	records []RecordMessage
	n       int // how many of records the last Set filled
}

// Set checks and converts the records. It fails, naming the first record
// that cannot be encoded by its number in the batch, with the error
// [Record] returns for it (wrapped); m is then unusable until the next
// successful Set.
func (m *RecordBatchMessage) Set(records []cpluginv1.Record) error {
	if cap(m.records) < len(records) {
		m.records = make([]RecordMessage, len(records))
	}
	m.records = m.records[:len(records)]
	m.n = 0
	for i, rec := range records {
		if err := m.records[i].Set(rec); err != nil {
			clear(m.records[:i]) // keep no reference to the batch
			if len(records) == 1 {
				return err // a batch of one fails as its record does on protocol v1
			}
			return fmt.Errorf("record %d of %d in the batch: %w", i+1, len(records), err)
		}
	}
	m.n = len(records)
	return nil
}

// Len returns the number of records m was last set to.
func (m *RecordBatchMessage) Len() int { return m.n }

// Size returns the length of the encoding and prepares Append.
func (m *RecordBatchMessage) Size() int {
	n := 0
	for i := range m.records[:m.n] {
		n += m.records[i].Size()
	}
	return n
}

// Append appends the encoding to b. Size must have been called since the
// last Set.
func (m *RecordBatchMessage) Append(b []byte) ([]byte, error) {
	var err error
	for i := range m.records[:m.n] {
		if b, err = m.records[i].Append(b); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Reset drops m's references to the records it was last set to.
func (m *RecordBatchMessage) Reset() {
	clear(m.records[:m.n])
	m.n = 0
}

// SizeAckPositions returns the length of the encoding of a connector.v2
// Source.Run.Request: every position as an element of ack_positions (1,
// repeated bytes), an empty one too.
func SizeAckPositions(positions [][]byte) int {
	n := 0
	for _, p := range positions {
		n += protowire.SizeTag(1) + protowire.SizeBytes(len(p))
	}
	return n
}

// AppendAckPositions appends the encoding of a connector.v2
// Source.Run.Request holding positions to b.
func AppendAckPositions(b []byte, positions [][]byte) []byte {
	for _, p := range positions {
		b = protowire.AppendBytes(protowire.AppendTag(b, 1, protowire.BytesType), p)
	}
	return b
}

// SizeDestinationAcks returns the length of the encoding of a connector.v2
// Destination.Run.Response: every ack as an element of acks (1, repeated
// Ack{position = 1, error = 2}, the fields of v1's Destination.Run.Response).
func SizeDestinationAcks(acks []cpluginv1.DestinationRunResponse) int {
	n := 0
	for _, a := range acks {
		n += protowire.SizeTag(1) + protowire.SizeBytes(SizeDestinationRunResponse(a))
	}
	return n
}

// AppendDestinationAcks appends the encoding of a connector.v2
// Destination.Run.Response holding acks to b.
func AppendDestinationAcks(b []byte, acks []cpluginv1.DestinationRunResponse) []byte {
	for _, a := range acks {
		b = appendLenTag(b, 1, SizeDestinationRunResponse(a))
		b = AppendDestinationRunResponse(b, a)
	}
	return b
}
