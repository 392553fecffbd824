package toproto_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// TestAppendAcks: the Append functions write what proto.Marshal writes for
// the converters' messages, and the Size functions its length.
func TestAppendAcks(t *testing.T) {
	check := func(t *testing.T, got []byte, size int, msg proto.Message) {
		t.Helper()
		want, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("encoded %x, proto.Marshal %x", got, want)
		}
		if size != len(want) {
			t.Errorf("size %d, want %d", size, len(want))
		}
	}
	for _, pos := range [][]byte{nil, {}, []byte("p"), bytes.Repeat([]byte("x"), 300)} {
		ack := cpluginv1.SourceRunRequest{AckPosition: pos}
		prefix := []byte("prefix")
		got := toproto.AppendSourceRunRequest(bytes.Clone(prefix), ack)
		if !bytes.HasPrefix(got, prefix) {
			t.Fatalf("AppendSourceRunRequest overwrote the bytes before it: %q", got)
		}
		check(t, got[len(prefix):], toproto.SizeSourceRunRequest(ack), toproto.SourceRunRequest(ack))
		for _, text := range []string{"", "not written", "bad \xff utf-8"} {
			ack := cpluginv1.DestinationRunResponse{AckPosition: pos, Error: text}
			check(t, toproto.AppendDestinationRunResponse(nil, ack), toproto.SizeDestinationRunResponse(ack), toproto.DestinationRunResponse(ack))
		}
	}
}

// customData satisfies cpluginv1.Data without being one of its two kinds.
type customData struct{ cpluginv1.RawData }

// TestRecordMessage: RecordMessage encodes what proto.Marshal encodes for
// the message SourceRunResponse returns, and fails where it fails, with the
// same error.
func TestRecordMessage(t *testing.T) {
	records := map[string]cpluginv1.Record{
		"zero":       {},
		"raw":        rawBenchRecord(),
		"structured": structuredBenchRecord(),
		"empty data": {Position: []byte("p"), Key: cpluginv1.RawData(nil), Payload: cpluginv1.Change{Before: cpluginv1.StructuredData(nil), After: cpluginv1.RawData{}}},
		"operation":  {Position: []byte("p"), Operation: -7, Metadata: map[string]string{"": "", "k": strings.Repeat("v", 200)}},
		"large":      {Position: []byte("p"), Payload: cpluginv1.Change{After: cpluginv1.RawData(bytes.Repeat([]byte("x"), 100000))}},
		// Failures.
		"metadata not UTF-8":   {Metadata: map[string]string{"a": "\xff"}},
		"unsupported value":    {Key: cpluginv1.StructuredData{"t": struct{}{}}},
		"unsupported after":    {Payload: cpluginv1.Change{After: cpluginv1.StructuredData{"n": math.NaN()}}},
		"data of another type": {Payload: cpluginv1.Change{Before: customData{}}},
	}
	var m toproto.RecordMessage // reused, as the transports reuse it
	for name, rec := range records {
		t.Run(name, func(t *testing.T) {
			want, wantErr := toproto.SourceRunResponse(cpluginv1.SourceRunResponse{Record: rec})
			err := m.Set(rec)
			if wantErr != nil || err != nil {
				if err == nil || wantErr == nil || err.Error() != wantErr.Error() {
					t.Fatalf("Set: %v, want the error %v", err, wantErr)
				}
				return
			}
			size := m.Size()
			b, err := m.Append([]byte("prefix"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("prefix")) || len(b) != len("prefix")+size {
				t.Fatalf("Append wrote %d bytes after the prefix, Size said %d", len(b)-len("prefix"), size)
			}
			wantBytes, err := proto.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if len(wantBytes) != size {
				t.Errorf("Size %d, proto.Marshal wrote %d bytes", size, len(wantBytes))
			}
			for _, got := range []proto.Message{&connectorv1.Source_Run_Response{}, &connectorv1.Destination_Run_Request{}} {
				if err := proto.Unmarshal(b[len("prefix"):], got); err != nil {
					t.Fatalf("%T: %v", got, err)
				}
				if !proto.Equal(got.(interface{ GetRecord() *opencdcv1.Record }).GetRecord(), want.GetRecord()) {
					t.Errorf("%T decodes to %v, want %v", got, got, want)
				}
			}
			if len(rec.Metadata) <= 1 && !bytes.Equal(b[len("prefix"):], wantBytes) {
				// With at most one metadata entry the order is fixed: the
				// bytes are proto.Marshal's.
				t.Errorf("encoded %x, proto.Marshal %x", b[len("prefix"):], wantBytes)
			}
		})
	}
}
