// Package wire is the gRPC codec of the standalone transports (packages
// client and server) for the Run streams, which carry every record.
//
// It encodes the four Run messages straight from the Go types, with package
// toproto's encoders: the acks from *cpluginv1.SourceRunRequest and
// *cpluginv1.DestinationRunResponse, the records from a
// *toproto.RecordMessage (which checks and converts a record first, so that
// a record that cannot be sent fails before gRPC sees it): no reflection,
// one buffer. It decodes them straight into the cpluginv1
// types with package fromproto's Decode functions, when the receiver asks
// for those: RecvMsg with a *cpluginv1.SourceRunRequest,
// *cpluginv1.SourceRunResponse, *cpluginv1.DestinationRunRequest or
// *cpluginv1.DestinationRunResponse. The result holds one private copy of
// the received bytes, which its byte slices and strings share (see
// fromproto). Protocol v2's Run messages, which carry batches, are encoded
// from and decoded into the batch types of v2.go (records from a
// *toproto.RecordBatchMessage), each element with v1's encoders and
// decoders. Every other message goes through gRPC's standard protobuf
// codec. The bytes on the wire are protobuf either way; only the cost of
// producing and reading them changes.
//
// The codec is set per connection and per call (grpc.ForceServerCodecV2 in
// the server, grpc.ForceCodecV2 on the client's Run streams), never
// registered globally, so that other gRPC clients and servers in the same
// process keep gRPC's own codec.
package wire

import (
	"bytes"
	"fmt"
	"math/bits"
	"sync"

	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the codec that standard is: initialised before this package
	"google.golang.org/grpc/mem"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// Name is the codec's name, and so the content subtype of the calls that
// use it: the content type stays application/grpc+proto, which every gRPC
// implementation accepts as protobuf.
const Name = "proto"

// Codec is the transports' gRPC codec. The zero value is ready to use.
type Codec struct {
	// Observe, if not nil, is called with every message Unmarshal
	// receives, as it arrived, before it is decoded; it must not keep or
	// modify data. `cplugin check` sets it, with a call option of its own
	// placed after the client's (the last codec option of a call wins), to
	// validate a connector's Run messages as they crossed the wire.
	Observe func(data mem.BufferSlice)
}

// standard is gRPC's protobuf codec, for every message but the Run
// streams'.
var standard = encoding.GetCodecV2(Name)

// Name returns "proto".
func (Codec) Name() string { return Name }

// Marshal encodes v: a Run message from the Go types, or any other message
// (the generated ones included) through the standard codec. The bytes go into a buffer from marshalPool, to which gRPC returns
// it once they are written.
func (Codec) Marshal(v any) (mem.BufferSlice, error) {
	switch v := v.(type) {
	case *cpluginv1.SourceRunRequest:
		buf := marshalPool.Get(toproto.SizeSourceRunRequest(*v))
		*buf = toproto.AppendSourceRunRequest((*buf)[:0], *v)
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	case *cpluginv1.DestinationRunResponse:
		buf := marshalPool.Get(toproto.SizeDestinationRunResponse(*v))
		*buf = toproto.AppendDestinationRunResponse((*buf)[:0], *v)
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	case *AckPositionBatch:
		buf := marshalPool.Get(toproto.SizeAckPositions(v.Positions))
		*buf = toproto.AppendAckPositions((*buf)[:0], v.Positions)
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	case *AckBatch:
		buf := marshalPool.Get(toproto.SizeDestinationAcks(v.Acks))
		*buf = toproto.AppendDestinationAcks((*buf)[:0], v.Acks)
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	case *toproto.RecordBatchMessage:
		buf := marshalPool.Get(v.Size())
		b, err := v.Append((*buf)[:0])
		if err != nil {
			marshalPool.Put(buf)
			return nil, fmt.Errorf("marshal records: %w", err)
		}
		*buf = b
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	case *toproto.RecordMessage:
		buf := marshalPool.Get(v.Size())
		b, err := v.Append((*buf)[:0])
		if err != nil {
			marshalPool.Put(buf)
			return nil, fmt.Errorf("marshal record: %w", err)
		}
		*buf = b
		return mem.BufferSlice{mem.NewBuffer(buf, marshalPool)}, nil
	}
	return standard.Marshal(v)
}

// Unmarshal decodes data into v, replacing what v held.
func (c Codec) Unmarshal(data mem.BufferSlice, v any) error {
	if c.Observe != nil {
		c.Observe(data)
	}
	var err error
	switch v := v.(type) {
	case *cpluginv1.SourceRunRequest:
		*v, err = fromproto.DecodeSourceRunRequest(materialize(data))
	case *cpluginv1.SourceRunResponse:
		*v, err = fromproto.DecodeSourceRunResponse(materialize(data))
	case *cpluginv1.DestinationRunRequest:
		*v, err = fromproto.DecodeDestinationRunRequest(materialize(data))
	case *cpluginv1.DestinationRunResponse:
		*v, err = fromproto.DecodeDestinationRunResponse(materialize(data))
	case *RecordBatch:
		v.Records, err = fromproto.DecodeRecordBatch(materialize(data), clearSlice(v.Records))
	case *AckPositionBatch:
		v.Positions, err = fromproto.DecodeAckPositionBatch(materialize(data), clearSlice(v.Positions))
	case *AckBatch:
		v.Acks, err = fromproto.DecodeAckBatch(materialize(data), clearSlice(v.Acks))
	default:
		return standard.Unmarshal(data, v)
	}
	return err
}

// clearSlice empties s for reuse, dropping its references to what the
// previous message held.
func clearSlice[T any](s []T) []T {
	clear(s)
	return s[:0]
}

// materialize returns a copy of data in one new slice, which the decoded
// value may share. It copies without clearing the new memory first
// (bytes.Clone and bytes.Join allocate without zeroing what they then
// overwrite): a protocol v2 batch of a hundred 1 KiB records arrives in
// several buffers, and data.Materialize would clear its 100 KiB before
// copying into it.
func materialize(data mem.BufferSlice) []byte {
	switch len(data) {
	case 0:
		return nil
	case 1:
		return bytes.Clone(data[0].ReadOnlyData())
	}
	var parts [16][]byte // gRPC's buffers are 16 KiB or larger: 256 KiB or more on the stack
	chunks := parts[:0]
	for _, buf := range data {
		chunks = append(chunks, buf.ReadOnlyData())
	}
	return bytes.Join(chunks, nil)
}

// marshalPool holds the buffers Marshal encodes messages into, by size
// class: powers of two from 2 KiB to 4 MiB (the default message size
// limit, so that a protocol v2 batch of records reuses a buffer too);
// larger messages get a buffer of their own. The pools are sync.Pools: the
// garbage collector empties them, so an idle stream holds no buffers. Unlike gRPC's default pool it does not clear a buffer it
// hands out (which for a 1 KiB record meant clearing 4 KiB per message):
// Marshal overwrites every byte it sends. Small messages (acks) take a
// 2 KiB buffer too, because gRPC returns a buffer to its pool, and pools
// the buffer's bookkeeping, only above 1 KiB of capacity; a smaller one
// would be garbage after every message.
var marshalPool = newSizeClassPool(11, 22)

// sizeClassPool is a mem.BufferPool of buffers whose capacities are powers
// of two from 1<<minShift to 1<<maxShift.
type sizeClassPool struct {
	minShift, maxShift int
	classes            []sync.Pool
}

func newSizeClassPool(minShift, maxShift int) *sizeClassPool {
	return &sizeClassPool{minShift: minShift, maxShift: maxShift, classes: make([]sync.Pool, maxShift-minShift+1)}
}

// class returns the index of the smallest class that holds n bytes, or -1.
func (p *sizeClassPool) class(n int) int {
	shift := max(bits.Len(uint(n-1)), p.minShift)
	if n <= 0 {
		shift = p.minShift
	}
	if shift > p.maxShift {
		return -1
	}
	return shift - p.minShift
}

// Get returns a buffer of length n whose content is undefined.
func (p *sizeClassPool) Get(n int) *[]byte {
	c := p.class(n)
	if c < 0 {
		b := make([]byte, n)
		return &b
	}
	if b, ok := p.classes[c].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<(c+p.minShift))
	return &b
}

// Put returns a buffer that Get returned.
func (p *sizeClassPool) Put(b *[]byte) {
	c := cap(*b)
	if c == 0 || c&(c-1) != 0 {
		return // not one of the pool's
	}
	if class := p.class(c); class >= 0 {
		p.classes[class].Put(b)
	}
}
