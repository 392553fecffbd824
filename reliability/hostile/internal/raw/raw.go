// Package raw is what the hostile peers of package reliability/hostile
// speak: a gRPC codec that sends and receives each message as the bytes it
// is, and helpers that encode protobuf by hand, so that a peer can send
// exactly the bytes a test wants, whatever protobuf would make of them.
package raw

import (
	"fmt"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
)

// Codec is a gRPC codec whose messages are *[]byte: Marshal sends the
// bytes as they are, Unmarshal receives them. Its name is "proto", so that
// peers take the bytes for protobuf.
type Codec struct{}

// Name returns "proto".
func (Codec) Name() string { return "proto" }

// Marshal returns the bytes *v.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot send a %T", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
}

// Unmarshal stores a copy of the received bytes in *v.
func (Codec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot receive into a %T", v)
	}
	*b = data.Materialize()
	return nil
}

// Field appends a length-delimited field to b.
func Field(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

// MetadataRecordMessage encodes a Source.Run.Response or a
// Destination.Run.Request (both hold the record in field 1) of about size
// bytes: a record with a position and an operation whose metadata is
// nothing but empty entries, two bytes each, which add nothing to the
// record: the message of the memory amplification found in the hostile
// peer review.
func MetadataRecordMessage(size int) []byte {
	record := Field(nil, 1, []byte("pos-1"))                                                 // position
	record = protowire.AppendVarint(protowire.AppendTag(record, 2, protowire.VarintType), 1) // operation: create
	for len(record) < size-16 {
		record = append(record, 0x1a, 0x00) // metadata (field 3): an empty entry
	}
	return Field(nil, 1, record)
}
