package fromproto_test

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
)

// recordOverhead is what a Decode function allocates whatever the message:
// the Data values boxed in interfaces and the bookkeeping of the test.
const recordOverhead = 4 << 10

// allocBound is the most a Decode function may allocate for a message of
// size bytes (see the memory budget in wirebudget.go).
func allocBound(size int) uint64 {
	return uint64(fromproto.MaxAllocPerByte*size + fromproto.AllocSlack + recordOverhead)
}

// allocated returns how many bytes f allocated, measured with
// runtime.MemStats (TotalAlloc counts what is freed again, too, so it
// bounds the peak as well as what the result holds).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// checkWireMemory decodes b with every Decode function and fails the test
// if one allocates more than allocBound, or fails for its budget although
// it stayed below it. It returns the errors of the Decode functions.
func checkWireMemory(t *testing.T, b []byte) []error {
	t.Helper()
	var errs []error
	for _, d := range wireDecoders() {
		var err error
		n := allocated(func() { _, err = d.decode(b) })
		if bound := allocBound(len(b)); n > bound {
			t.Errorf("%s: decoding %d bytes allocated %d bytes, more than the bound of %d (%.1f per byte)",
				d.name, len(b), n, bound, float64(n)/float64(max(len(b), 1)))
		}
		errs = append(errs, err)
	}
	return errs
}

// repeat returns unit repeated to about size bytes.
func repeat(unit []byte, size int) []byte {
	return bytes.Repeat(unit, max(size/len(unit), 1))
}

// recordWithKey encodes a Source.Run.Response whose record's key is the
// structured data {"k": value}, value an encoded google.protobuf.Value.
func recordWithKey(value []byte) []byte {
	entry := field(field(nil, 1, []byte("k")), 2, value)
	return field(nil, 1, field(nil, 4, field(nil, 2, field(nil, 1, entry))))
}

// listOf encodes a Value holding a list of the encoded Values elems.
func listOf(elems []byte) []byte { return field(nil, 6, elems) }

// elem encodes one element of a ListValue.
func elem(value []byte) []byte { return field(nil, 1, value) }

// distinctKeys returns map entries (field num) of distinct keys of three
// bytes, about size bytes of them.
func distinctKeys(num protowire.Number, size int) []byte {
	var out []byte
	for i := 0; len(out) < size; i++ {
		key := strconv.AppendInt(nil, int64(100+i%900), 10) // three bytes ...
		key = append(key, byte('a'+i/900%26), byte('a'+i/900/26%26))
		out = field(out, num, field(nil, 1, key))
	}
	return out
}

// memoryShapes are messages of about size bytes that cost the most memory
// per byte a peer can send, each with whether the decoders accept it.
func memoryShapes(size int) []struct {
	name   string
	b      []byte
	accept bool
} {
	number := protowire.AppendFixed64(tag(nil, 2, protowire.Fixed64Type), 0x4000000000000001)
	null := protowire.AppendVarint(tag(nil, 1, protowire.VarintType), 0)
	oneNullEntry := field(field(nil, 1, []byte("a")), 2, null) // {"a": null}
	// Lists nested as deep as protobuf allows.
	var deep []byte
	for range protowire.DefaultRecursionLimit/2 - 10 {
		deep = listOf(elem(deep))
	}
	return []struct {
		name   string
		b      []byte
		accept bool
	}{
		// The metadata of the issue: 2-byte fields that add nothing.
		{"metadata fields of the wrong wire type", field(nil, 1, repeat(protowire.AppendVarint(tag(nil, 3, protowire.VarintType), 0), size)), true},
		{"empty metadata entries", field(nil, 1, repeat(field(nil, 3, nil), size)), true},
		{"metadata entries with one key", field(nil, 1, repeat(field(nil, 3, field(nil, 1, []byte("A"))), size)), true},
		{"metadata entries with distinct keys", field(nil, 1, distinctKeys(3, size)), true},
		{"structured data with distinct keys", field(nil, 1, field(nil, 4, field(nil, 2, distinctKeys(1, size)))), true},
		{"a list of empty values", recordWithKey(listOf(repeat(elem(nil), size))), true},
		{"a list of empty lists", recordWithKey(listOf(repeat(elem(listOf(nil)), size))), true},
		{"a list of lists of one element", recordWithKey(listOf(repeat(elem(listOf(elem(nil))), size))), true},
		{"a list of empty objects", recordWithKey(listOf(repeat(elem(field(nil, 5, nil)), size))), true},
		{`a list of {"a": null}`, recordWithKey(listOf(repeat(elem(field(nil, 5, field(nil, 1, oneNullEntry))), size))), true},
		{"a list of numbers", recordWithKey(listOf(repeat(elem(number), size))), true},
		{"a list of one-byte strings", recordWithKey(listOf(repeat(elem(field(nil, 3, []byte("x"))), size))), true},
		{"lists nested to protobuf's limit", recordWithKey(deep), true},
		// 336 bytes of Go map per 6 bytes on the wire: over the budget.
		{"a list of objects of one empty entry", recordWithKey(listOf(repeat(elem(field(nil, 5, field(nil, 1, nil))), size))), false},
	}
}

// TestWireDecodeMemoryIsBounded: for the messages that cost the most memory
// per byte, every Decode function (the host's for records from a source,
// the connector's for records to a destination, the acks') allocates at
// most MaxAllocPerByte bytes per byte plus AllocSlack, and refuses only
// the contrived message that would need more.
func TestWireDecodeMemoryIsBounded(t *testing.T) {
	const size = 1 << 20
	for _, shape := range memoryShapes(size) {
		t.Run(shape.name, func(t *testing.T) {
			errs := checkWireMemory(t, shape.b)
			// The record decoders decide; the acks' ignore the record.
			for _, err := range []error{errs[1], errs[2]} {
				switch {
				case shape.accept && err != nil:
					t.Errorf("Decode: %v, want the record", err)
				case !shape.accept && !errors.Is(err, cpluginv1.ErrMessageTooLarge):
					t.Errorf("Decode: %v, want an error wrapping ErrMessageTooLarge", err)
				}
			}
		})
	}
}

// FuzzWireDecodersMemory holds every Decode function to the memory bound,
// for any input a peer might send.
func FuzzWireDecodersMemory(f *testing.F) {
	for _, b := range wireSeeds(f) {
		f.Add(b)
	}
	for _, shape := range memoryShapes(4 << 10) {
		f.Add(shape.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkWireMemory(t, b)
	})
}
