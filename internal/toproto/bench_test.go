package toproto_test

import (
	"runtime"
	"strings"
	"syscall"
	"testing"

	"google.golang.org/grpc/mem"

	"github.com/connectorkit/conduit-connector-protocol/contract"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// The benchmarks below are part of `make bench` (see package benchmarks),
// which prints them in one table with the stream benchmarks. Like those,
// they count one operation per record and report records/s, ns/record,
// B/record and allocs/record.

// rawBenchRecord is the record of the stream benchmarks
// (benchmarks/internal/benchplugin.RawRecord(0), which this package cannot
// import): a 16-byte position, two metadata entries, a small raw key and a
// 1 KiB raw payload.
func rawBenchRecord() cpluginv1.Record {
	payload := make(cpluginv1.RawData, 1024)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	return cpluginv1.Record{
		Position:  []byte("0000000000000001"),
		Operation: cpluginv1.OperationCreate,
		Metadata: map[string]string{
			cpluginv1.MetadataCollection: "users",
			cpluginv1.MetadataReadAt:     "1700000000000000000",
		},
		Key:     cpluginv1.RawData(`{"id":1234567890}`),
		Payload: cpluginv1.Change{After: payload},
	}
}

// structuredBenchRecord is a row of about 1 KiB as structured data: 20
// fields of every kind the protocol carries, an object and a list among
// them, and the previous state of two of them.
func structuredBenchRecord() cpluginv1.Record {
	after := cpluginv1.StructuredData{
		"id":         float64(1234567890),
		"name":       "Ada Lovelace",
		"email":      "ada@example.com",
		"active":     true,
		"score":      98.5,
		"deleted_at": nil,
		"bio":        strings.Repeat("lorem ipsum ", 40),
		"address": map[string]any{
			"street":  "12 St James's Square",
			"city":    "London",
			"zip":     "SW1Y 4JH",
			"country": "UK",
			"geo":     map[string]any{"lat": 51.5074, "lon": -0.1345},
		},
		"tags":       []any{"math", "poetry", "engines", "notes"},
		"created_at": "2024-01-02T03:04:05Z",
		"updated_at": "2024-06-07T08:09:10Z",
		"balance":    1024.75,
		"visits":     float64(42),
		"plan":       "pro",
		"locale":     "en-GB",
		"verified":   false,
		"referrer":   nil,
		"scores":     []any{1.0, 2.5, 4.0},
		"settings":   map[string]any{"theme": "dark", "notifications": true},
		"version":    float64(7),
	}
	return cpluginv1.Record{
		Position:  []byte("0000000000000001"),
		Operation: cpluginv1.OperationUpdate,
		Metadata: map[string]string{
			cpluginv1.MetadataCollection: "users",
			cpluginv1.MetadataReadAt:     "1700000000000000000",
		},
		Key: cpluginv1.StructuredData{"id": float64(1234567890)},
		Payload: cpluginv1.Change{
			Before: cpluginv1.StructuredData{"plan": "free", "version": float64(6)},
			After:  after,
		},
	}
}

func benchRecords() []struct {
	name   string
	record cpluginv1.Record
} {
	return []struct {
		name   string
		record cpluginv1.Record
	}{
		{"raw", rawBenchRecord()},
		{"structured", structuredBenchRecord()},
	}
}

// wireCodec is the codec the gRPC transports encode and decode Run
// messages with.
var wireCodec = wire.Codec{}

// encodeRecord is what a connector's Send does to a record on a source
// Run stream: check and convert it (m, one per stream), then encode it with
// the transports' codec. With validate, it also builds the generated
// message and checks it against the contract's protovalidate rules first,
// as a transport that validated every record would.
func encodeRecord(b *testing.B, m *toproto.RecordMessage, record cpluginv1.Record, validate bool) {
	if validate {
		msg, err := toproto.SourceRunResponse(cpluginv1.SourceRunResponse{Record: record})
		if err != nil {
			b.Fatal(err)
		}
		if err := contract.Validate(msg); err != nil {
			b.Fatal(err)
		}
	}
	if err := m.Set(record); err != nil {
		b.Fatal(err)
	}
	data, err := wireCodec.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	data.Free()
}

// BenchmarkConversion converts a record on a source Run stream as the
// transports do, with the codec of package wire: encode is Go record ->
// bytes, decode is bytes -> Go record, both without building the generated
// proto messages (structured data goes through a google.protobuf.Struct).
func BenchmarkConversion(b *testing.B) {
	for _, tc := range benchRecords() {
		b.Run(tc.name+"/encode", func(b *testing.B) {
			var m toproto.RecordMessage
			measure(b, func() { encodeRecord(b, &m, tc.record, false) })
		})
		b.Run(tc.name+"/decode", func(b *testing.B) {
			msg, err := toproto.SourceRunResponse(cpluginv1.SourceRunResponse{Record: tc.record})
			if err != nil {
				b.Fatal(err)
			}
			data, err := wireCodec.Marshal(msg)
			if err != nil {
				b.Fatal(err)
			}
			// As gRPC hands it to the codec: one buffer.
			received := mem.BufferSlice{mem.SliceBuffer(data.Materialize())}
			data.Free()
			var decoded cpluginv1.SourceRunResponse // one per stream, as the transports keep it
			measure(b, func() {
				if err := wireCodec.Unmarshal(received, &decoded); err != nil {
					b.Fatal(err)
				}
				sinkRecord = decoded.Record
			})
		})
	}
}

// BenchmarkValidation encodes a record as BenchmarkConversion does, with
// (on) and without (off) converting it to the generated message and
// checking that against the contract's protovalidate rules (package
// contract) first. The transports do not do this: they check the rules in
// Go, at a cost included in the stream benchmarks.
func BenchmarkValidation(b *testing.B) {
	for _, tc := range benchRecords() {
		b.Run(tc.name+"/off", func(b *testing.B) {
			var m toproto.RecordMessage
			measure(b, func() { encodeRecord(b, &m, tc.record, false) })
		})
		b.Run(tc.name+"/on", func(b *testing.B) {
			if err := contract.Validate(&connectorv1.Source_Run_Response{}); err == nil {
				b.Fatal("the contract accepts a record-less Source.Run.Response: the validation benchmark would measure nothing")
			}
			var m toproto.RecordMessage
			measure(b, func() { encodeRecord(b, &m, tc.record, true) })
		})
	}
}

// sinkRecord keeps the compiler from dropping a conversion nobody reads.
var sinkRecord cpluginv1.Record

// measure runs op b.N times and reports the metrics of package benchmarks.
func measure(b *testing.B, op func()) {
	var before, after runtime.MemStats
	var cpuBefore, cpuAfter syscall.Rusage
	runtime.ReadMemStats(&before)
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpuBefore)
	b.ResetTimer()
	for range b.N {
		op()
	}
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &cpuAfter)
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	elapsed := b.Elapsed()
	if elapsed <= 0 {
		return
	}
	b.ReportMetric(n/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/n, "B/record")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
	cpu := cpuAfter.Utime.Nano() + cpuAfter.Stime.Nano() - cpuBefore.Utime.Nano() - cpuBefore.Stime.Nano()
	b.ReportMetric(float64(cpu)/n, "cpu-ns/record")
}
