package toproto_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/toproto"
)

// benchmarkRecords returns records with a payload of about 1 KiB, the size
// of a typical database row, as raw and as structured data.
func benchmarkRecords() map[string]cpluginv1.Record {
	base := cpluginv1.Record{
		Position:  []byte("wal-0000000000000042"),
		Operation: cpluginv1.OperationUpdate,
		Metadata: map[string]string{
			cpluginv1.MetadataCollection: "users",
			cpluginv1.MetadataCreatedAt:  "1700000000000000000",
			cpluginv1.MetadataReadAt:     "1700000000000000001",
		},
	}
	after := cpluginv1.StructuredData{
		"id":      int64(123456789),
		"name":    "Ada Lovelace",
		"email":   "ada@example.com",
		"active":  true,
		"score":   98.5,
		"deleted": nil,
		"bio":     string(bytes.Repeat([]byte("lorem ipsum "), 30)),
		"address": map[string]any{"street": "12 St James's Square", "city": "London", "zip": "SW1Y 4JH", "country": "UK"},
		"tags":    []any{"math", "poetry", "engines", "notes"},
	}
	for i := range 20 {
		after["field"+strconv.Itoa(i)] = float64(i) * 1.5
	}

	structured := base
	structured.Key = cpluginv1.StructuredData{"id": int64(123456789)}
	structured.Payload.After = after

	raw := base
	raw.Key = cpluginv1.RawData(`{"id":123456789}`)
	raw.Payload.After = cpluginv1.RawData(after.Bytes())

	return map[string]cpluginv1.Record{"raw": raw, "structured": structured}
}

func BenchmarkToProtoRecord(b *testing.B) {
	for name, record := range benchmarkRecords() {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(record.Payload.After.Bytes())))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := toproto.Record(record); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
