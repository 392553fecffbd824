package cplugintest

import (
	"bytes"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The metadata keys the test connector reads from and writes to records.
const (
	// metaNack on a record makes the destination nack it with the value as
	// the error.
	metaNack = "cplugintest.nack"
	// metaSendError is set by the source's "unsupported" and "invalid-utf8"
	// Runs on the record they send after Send rejected records: the
	// rejections' messages, one per line.
	metaSendError = "cplugintest.send.error"
	// metaNackInvalidUTF8 on a record makes the destination nack it with
	// an error text that is not valid UTF-8 (see invalidUTF8NackError).
	metaNackInvalidUTF8 = "cplugintest.nack.invalid-utf8"
)

// Records returns the records the test connector's source sends by default,
// in order. Together they hold every kind of data: raw and structured keys
// and payloads, nil and empty data, metadata, every operation, and
// structured values of every supported Go type (which arrive normalised, see
// cpluginv1.StructuredData). The destination checks that a record with one
// of these positions arrives as [Normalized] gives it and nacks it
// otherwise.
func Records() []cpluginv1.Record {
	return []cpluginv1.Record{
		{
			Position:  []byte("fixed-1"),
			Operation: cpluginv1.OperationCreate,
			Metadata: map[string]string{
				cpluginv1.MetadataCollection: "users",
				cpluginv1.MetadataReadAt:     "1700000000000000000",
				"cplugintest.unicode":        "ünïcödé ✓",
			},
			Key: cpluginv1.RawData("user-1"),
			Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
				"int":      1,
				"int8":     int8(-8),
				"int16":    int16(16),
				"int32":    int32(-32),
				"int64":    int64(-(1 << 53)),
				"uint":     uint(1 << 53),
				"uint8":    uint8(255),
				"uint16":   uint16(16),
				"uint32":   uint32(32),
				"uint64":   uint64(64),
				"float32":  float32(1.5),
				"float64":  2.25,
				"bool":     true,
				"string":   "s",
				"nil":      nil,
				"list":     []any{int16(1), "two", map[string]any{"three": uint8(3)}, []any{}},
				"map":      map[string]any{"nested": cpluginv1.StructuredData{"deep": int32(7)}},
				"emptyMap": map[string]any{},
			}},
		},
		{
			Position:  []byte("fixed-2"),
			Operation: cpluginv1.OperationUpdate,
			Metadata:  map[string]string{"empty": ""},
			Key:       cpluginv1.StructuredData{"id": 2},
			Payload: cpluginv1.Change{
				Before: cpluginv1.StructuredData{"name": "old"},
				After:  cpluginv1.StructuredData{"name": "new"},
			},
		},
		{
			Position:  []byte("fixed-3"),
			Operation: cpluginv1.OperationDelete,
			Key:       cpluginv1.RawData("user-3"),
			Payload:   cpluginv1.Change{Before: cpluginv1.RawData(`{"id":3}`)},
		},
		{
			Position:  []byte("fixed-4"),
			Operation: cpluginv1.OperationSnapshot,
			Metadata:  map[string]string{},
			Payload:   cpluginv1.Change{Before: cpluginv1.StructuredData{}, After: cpluginv1.RawData{}},
		},
	}
}

// unsupportedRecord is a record that no transport may carry: its payload
// holds an integer beyond 2^53.
func unsupportedRecord() cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte("unsupported"),
		Operation: cpluginv1.OperationCreate,
		Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
			"fine": 1,
			"big":  int64(1<<53 + 1),
		}},
	}
}

// invalidUTF8Record is a record that no transport may carry because a
// string in it is not valid UTF-8, with the message of the error every
// transport must refuse it with. The messages are spelled out, rather than
// computed, so that the suite pins them.
type invalidUTF8Record struct {
	record  cpluginv1.Record
	message string
}

// invalidUTF8Records returns one record per place a string that is not
// valid UTF-8 can hide in: a metadata value and key, a structured string and
// key (nested, to check the path in the message). Each is otherwise valid.
func invalidUTF8Records() []invalidUTF8Record {
	record := func(position string, metadata map[string]string, key cpluginv1.Data, after cpluginv1.Data) cpluginv1.Record {
		return cpluginv1.Record{
			Position:  []byte(position),
			Operation: cpluginv1.OperationCreate,
			Metadata:  metadata,
			Key:       key,
			Payload:   cpluginv1.Change{After: after},
		}
	}
	return []invalidUTF8Record{
		{
			record(invalidUTF8+"-metadata-value", map[string]string{"fine": "ok", "cplugintest.bad": "\xffbad"}, nil, cpluginv1.RawData("x")),
			`metadata["cplugintest.bad"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
		{
			record(invalidUTF8+"-metadata-key", map[string]string{"bad\xfe": "ok"}, nil, nil),
			`metadata: key "bad\xfe" is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
		{
			record(invalidUTF8+"-structured-string", nil, cpluginv1.RawData("k"), cpluginv1.StructuredData{
				"fine": "ok",
				"list": []any{"ok", map[string]any{"name": "caf\xe9"}},
			}),
			`unsupported structured data value: field "payload.after.list[1].name" holds a string that is not valid UTF-8 (protobuf strings must be UTF-8); send bytes as RawData or encode them, for example as base64`,
		},
		{
			record(invalidUTF8+"-structured-key", nil, cpluginv1.StructuredData{"id": map[string]any{"\xc3": 1}}, nil),
			`unsupported structured data value: field "key.id" holds the key "\xc3", which is not valid UTF-8 (protobuf strings must be UTF-8)`,
		},
	}
}

// Normalized returns r as a receiver sees it after any transport: its
// structured data normalised (see cpluginv1.StructuredData.Normalize). It
// panics if r holds an unsupported value. Compare with [EquateEmpty]:
// transports do not keep the difference between an empty and a nil map or
// slice.
func Normalized(r cpluginv1.Record) cpluginv1.Record {
	r = r.Clone()
	r.Key = normalizedData(r.Key)
	r.Payload.Before = normalizedData(r.Payload.Before)
	r.Payload.After = normalizedData(r.Payload.After)
	return r
}

func normalizedData(d cpluginv1.Data) cpluginv1.Data {
	s, ok := d.(cpluginv1.StructuredData)
	if !ok {
		return d
	}
	n, err := s.Normalize()
	if err != nil {
		panic(err)
	}
	if n == nil {
		return cpluginv1.StructuredData{}
	}
	return n
}

// EquateEmpty is the go-cmp option that compares records the way the
// protocol can tell them apart: an empty map or slice equals a nil one, but
// a nil Data ("no data") differs from empty raw or structured data.
func EquateEmpty() cmp.Option { return cmpopts.EquateEmpty() }

func endlessRecord(n int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  fmt.Appendf(nil, "pos-%d", n),
		Operation: cpluginv1.OperationCreate,
		Key:       cpluginv1.RawData(fmt.Sprintf("key-%d", n)),
		Payload:   cpluginv1.Change{After: cpluginv1.StructuredData{"n": n}},
	}
}

func sizedRecord(n, size int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  fmt.Appendf(nil, "size-%d", n),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(bytes.Repeat([]byte{'a'}, size))},
	}
}

// scribble overwrites a record the connector has handed to a transport, as
// a connector that reuses its buffers does. If the transport kept sharing
// the record's memory, the receiver would see the change (or the race
// detector would report it).
func scribble(r cpluginv1.Record) {
	for i := range r.Position {
		r.Position[i] = 'X'
	}
	for k := range r.Metadata {
		r.Metadata[k] = "scribbled"
	}
	for _, d := range []cpluginv1.Data{r.Key, r.Payload.Before, r.Payload.After} {
		switch d := d.(type) {
		case cpluginv1.RawData:
			for i := range d {
				d[i] = 'X'
			}
		case cpluginv1.StructuredData:
			for k := range d {
				d[k] = "scribbled"
			}
		}
	}
}
