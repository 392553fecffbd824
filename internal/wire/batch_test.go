package wire_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// batchRecord is record n of a batch: 1 KiB of raw payload, a raw key and
// two metadata entries, as a connector typically sends.
func batchRecord(n int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  []byte("position-" + strconv.Itoa(n)),
		Operation: cpluginv1.OperationCreate,
		Metadata:  map[string]string{cpluginv1.MetadataCollection: "bench", cpluginv1.MetadataReadAt: "1700000000000000000"},
		Key:       cpluginv1.RawData("key-" + strconv.Itoa(n)),
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(make([]byte, 1024))},
	}
}

func batchOf(n int) []cpluginv1.Record {
	out := make([]cpluginv1.Record, n)
	for i := range out {
		out[i] = batchRecord(i + 1)
	}
	return out
}

// TestRecordBatchRoundTrip encodes batches of records as protocol v2
// messages and decodes them again: protobuf reads the same records, and so
// does the codec.
func TestRecordBatchRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 100} {
		records := batchOf(n)
		var msg toproto.RecordBatchMessage
		if err := msg.Set(records); err != nil {
			t.Fatal(err)
		}
		b := encode(t, &msg)
		var viaProto connectorv2.Source_Run_Response
		if err := proto.Unmarshal(b, &viaProto); err != nil || len(viaProto.GetRecords()) != n {
			t.Fatalf("batch of %d: protobuf reads %d records, %v", n, len(viaProto.GetRecords()), err)
		}
		var got wire.RecordBatch
		if err := (wire.Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(b)}, &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(records, got.Records); diff != "" {
			t.Errorf("batch of %d differs after the round trip (-sent +received):\n%s", n, diff)
		}
	}
}

// TestRecordBatchNamesTheRecordThatCannotBeEncoded: a batch with a record
// the wire cannot carry fails Set naming that record.
func TestRecordBatchNamesTheRecordThatCannotBeEncoded(t *testing.T) {
	t.Parallel()
	records := batchOf(3)
	records[1].Metadata = map[string]string{"bad": "\xff"}
	var msg toproto.RecordBatchMessage
	err := msg.Set(records)
	if err == nil || !strings.Contains(err.Error(), "record 2 of 3 in the batch") {
		t.Fatalf("Set: %v, want an error naming record 2 of 3", err)
	}
}

// TestBatchAllocations holds the codec to protocol v2's allocation bound:
// encoding or decoding a batch of n records allocates at most a constant
// number of times per batch plus n times what protocol v1 allocates for one
// record.
func TestBatchAllocations(t *testing.T) {
	codec := wire.Codec{}
	one := batchRecord(1)

	// Protocol v1, one record per message.
	var single toproto.RecordMessage
	encodeV1 := testing.AllocsPerRun(200, func() {
		if err := single.Set(one); err != nil {
			t.Fatal(err)
		}
		data, err := codec.Marshal(&single)
		if err != nil {
			t.Fatal(err)
		}
		data.Free()
	})
	v1Message := encode(t, &single)
	var v1Into cpluginv1.SourceRunResponse
	decodeV1 := testing.AllocsPerRun(200, func() {
		if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(v1Message)}, &v1Into); err != nil {
			t.Fatal(err)
		}
	})

	const perBatch = 2 // the allowance per batch: one buffer, one slice
	for _, n := range []int{10, 100} {
		records := batchOf(n)
		var batch toproto.RecordBatchMessage
		encodeV2 := testing.AllocsPerRun(50, func() {
			if err := batch.Set(records); err != nil {
				t.Fatal(err)
			}
			data, err := codec.Marshal(&batch)
			if err != nil {
				t.Fatal(err)
			}
			data.Free()
		})
		if err := batch.Set(records); err != nil {
			t.Fatal(err)
		}
		message := encode(t, &batch)
		var into wire.RecordBatch
		decodeV2 := testing.AllocsPerRun(50, func() {
			if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(message)}, &into); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("batch of %d: encode %.0f allocations (v1: %.0f per record), decode %.0f (v1: %.0f per record)", n, encodeV2, encodeV1, decodeV2, decodeV1)
		if limit := perBatch + float64(n)*encodeV1; encodeV2 > limit {
			t.Errorf("encoding a batch of %d allocates %.0f times, more than %.0f (%d per batch + %d x %.0f per record)", n, encodeV2, limit, perBatch, n, encodeV1)
		}
		if limit := perBatch + float64(n)*decodeV1; decodeV2 > limit {
			t.Errorf("decoding a batch of %d allocates %.0f times, more than %.0f (%d per batch + %d x %.0f per record)", n, decodeV2, limit, perBatch, n, decodeV1)
		}
	}
}

// TestObserveSeesWhatArrived: a codec with Observe hands it every message
// as it arrived, before decoding it into the Go types.
func TestObserveSeesWhatArrived(t *testing.T) {
	t.Parallel()
	var msg toproto.RecordBatchMessage
	if err := msg.Set(batchOf(2)); err != nil {
		t.Fatal(err)
	}
	sent := encode(t, &msg)
	var seen []byte
	codec := wire.Codec{Observe: func(data mem.BufferSlice) { seen = data.Materialize() }}
	var into wire.RecordBatch
	if err := codec.Unmarshal(mem.BufferSlice{mem.SliceBuffer(sent)}, &into); err != nil {
		t.Fatal(err)
	}
	if string(seen) != string(sent) || len(into.Records) != 2 {
		t.Errorf("observed %d bytes (want the %d sent) and decoded %d records (want 2)", len(seen), len(sent), len(into.Records))
	}
}
