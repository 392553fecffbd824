package benchplugin

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// The bare gRPC baseline: one bidirectional stream per direction that
// carries pre-marshaled protocol messages as opaque bytes, records one way
// and acks back, with no conversion and no protobuf decoding. It measures
// what the transport itself costs: HTTP/2 framing, flow control and the
// socket.

// Method names of the baseline service.
const (
	BaselineService           = "benchmarks.Baseline"
	BaselineSourceMethod      = "/" + BaselineService + "/Source"
	BaselineDestinationMethod = "/" + BaselineService + "/Destination"
)

// Metadata keys of a baseline call.
const (
	mdRecords = "bench-records"
	mdStats   = "bench-stats"
)

// BaselineServiceDesc describes the baseline service: two bidirectional
// streams. Source: the server sends the records and receives the acks.
// Destination: the client sends the records and the server acks them.
var BaselineServiceDesc = grpc.ServiceDesc{
	ServiceName: BaselineService,
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "Source", Handler: baselineSource, ServerStreams: true, ClientStreams: true},
		{StreamName: "Destination", Handler: baselineDestination, ServerStreams: true, ClientStreams: true},
	},
}

// RawCodec passes messages of type *[]byte through unchanged: Marshal
// sends the slice as it is, Unmarshal copies the received bytes into the
// slice, reusing its capacity. It is named "proto" because the bytes are
// protobuf messages; the content type on the wire is the usual one.
type RawCodec struct{}

// Marshal returns the bytes *v points to.
func (RawCodec) Marshal(v any) (mem.BufferSlice, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: marshal %T, want *[]byte", v)
	}
	return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
}

// Unmarshal copies data into *v.
func (RawCodec) Unmarshal(data mem.BufferSlice, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: unmarshal into %T, want *[]byte", v)
	}
	out := (*b)[:0]
	for _, buf := range data {
		out = append(out, buf.ReadOnlyData()...)
	}
	*b = out
	return nil
}

// Name returns "proto".
func (RawCodec) Name() string { return "proto" }

// BaselineMetadata is the metadata a client sends with a baseline call:
// how many records to move and where the server writes its allocation
// counters (empty: nowhere).
func BaselineMetadata(records int, statsPath string) metadata.MD {
	return metadata.Pairs(mdRecords, strconv.Itoa(records), mdStats, statsPath)
}

func baselineCall(stream grpc.ServerStream) (records int, statsPath string, err error) {
	md, _ := metadata.FromIncomingContext(stream.Context())
	if v := md.Get(mdRecords); len(v) == 1 {
		records, err = strconv.Atoi(v[0])
	}
	if err != nil || len(md.Get(mdRecords)) != 1 {
		return 0, "", fmt.Errorf("baseline call without a valid %s header", mdRecords)
	}
	if v := md.Get(mdStats); len(v) == 1 {
		statsPath = v[0]
	}
	return records, statsPath, nil
}

// MustMarshal marshals m with the standard protobuf codec, for messages
// built by this package.
func MustMarshal(m proto.Message) []byte {
	b, err := proto.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("marshal %T: %v", m, err))
	}
	return b
}

// baselineSource sends the record message records times from one goroutine
// and receives the acks in the handler's, as the source connector does.
func baselineSource(_ any, stream grpc.ServerStream) error {
	records, statsPath, err := baselineCall(stream)
	if err != nil {
		return err
	}
	before := ReadUsage()
	record := MustMarshal(SourceRecordMessage(0))
	sent := make(chan error, 1)
	go func() {
		for range records {
			if err := stream.SendMsg(&record); err != nil {
				sent <- err
				return
			}
		}
		sent <- nil
	}()
	var ack []byte
	acks := 0
	for {
		if err := stream.RecvMsg(&ack); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		acks++
	}
	if err := <-sent; err != nil {
		return err
	}
	if acks != records {
		return fmt.Errorf("the client closed the stream after %d acks, want %d", acks, records)
	}
	return writeStats(statsPath, before)
}

// baselineDestination acks every record it receives.
func baselineDestination(_ any, stream grpc.ServerStream) error {
	records, statsPath, err := baselineCall(stream)
	if err != nil {
		return err
	}
	before := ReadUsage()
	ack := MustMarshal(DestinationAckMessage(0))
	var record []byte
	received := 0
	for {
		if err := stream.RecvMsg(&record); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		if err := stream.SendMsg(&ack); err != nil {
			return err
		}
		received++
	}
	if received != records {
		return fmt.Errorf("the client closed the stream after %d records, want %d", received, records)
	}
	return writeStats(statsPath, before)
}
