// Package wire is the gRPC codec of the standalone transports (packages
// client and server) for the Run streams, which carry every record.
//
// It encodes the four Run messages with the methods protoc-gen-go-vtproto
// generates next to the bindings (SizeVT, MarshalToSizedBufferVT): no
// reflection, one buffer. It decodes them straight into the cpluginv1
// types with package fromproto's Decode functions, when the receiver asks
// for those: RecvMsg with a *cpluginv1.SourceRunRequest,
// *cpluginv1.SourceRunResponse, *cpluginv1.DestinationRunRequest or
// *cpluginv1.DestinationRunResponse. The result holds one private copy of
// the received bytes, which its byte slices and strings share (see
// fromproto). Every other message goes through gRPC's standard protobuf
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

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/fromproto"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
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
	default:
		return standard.Unmarshal(data, v)
	}
	return err
}

// materialize returns a copy of data in one new slice, which the decoded
// value may share. For the usual single buffer it copies without clearing
// the new memory first.
func materialize(data mem.BufferSlice) []byte {
	if len(data) == 1 {
		return bytes.Clone(data[0].ReadOnlyData())
	}
	return data.Materialize()
}
