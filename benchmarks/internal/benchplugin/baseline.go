package benchplugin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// The bare gRPC baseline: one bidirectional stream per direction that
// carries pre-marshaled protocol messages as opaque bytes, records one way
// and acks back, with no conversion and no protobuf decoding. It measures
// what the transport itself costs: HTTP/2 framing, flow control and the
// socket.
//
// The batched baseline does the same with protocol v2's Run messages, each
// of which carries a batch of records or of acks (see SourceBatch and
// DestinationBatch below).

// Method names of the baseline service.
const (
	BaselineService           = "benchmarks.Baseline"
	BaselineSourceMethod      = "/" + BaselineService + "/Source"
	BaselineDestinationMethod = "/" + BaselineService + "/Destination"
	// BaselineSourceBatchMethod is the batched source stream,
	// BaselineServiceDesc.Streams[2].
	BaselineSourceBatchMethod = "/" + BaselineService + "/SourceBatch"
	// BaselineDestinationBatchMethod is the batched destination stream,
	// BaselineServiceDesc.Streams[3].
	BaselineDestinationBatchMethod = "/" + BaselineService + "/DestinationBatch"
)

// Metadata keys of a baseline call.
const (
	mdRecords = "bench-records"
	mdStats   = "bench-stats"
	mdBatch   = "bench-batch"
)

// BaselineServiceDesc describes the baseline service: four bidirectional
// streams. Source: the server sends the records and receives the acks.
// Destination: the client sends the records and the server acks them.
// SourceBatch and DestinationBatch: the same with protocol v2's messages,
// a batch of records or acks in each.
var BaselineServiceDesc = grpc.ServiceDesc{
	ServiceName: BaselineService,
	HandlerType: (*any)(nil),
	Streams: []grpc.StreamDesc{
		{StreamName: "Source", Handler: baselineSource, ServerStreams: true, ClientStreams: true},
		{StreamName: "Destination", Handler: baselineDestination, ServerStreams: true, ClientStreams: true},
		{StreamName: "SourceBatch", Handler: baselineSourceBatch, ServerStreams: true, ClientStreams: true},
		{StreamName: "DestinationBatch", Handler: baselineDestinationBatch, ServerStreams: true, ClientStreams: true},
	},
}

// RawCodec passes messages of type *[]byte through unchanged: Marshal
// sends the slice as it is, Unmarshal copies the received bytes into the
// slice, reusing its capacity. Marshal also takes a mem.Buffer, which it
// hands to gRPC with its reference (see BatchMessages). It is named
// "proto" because the bytes are protobuf messages; the content type on the
// wire is the usual one.
type RawCodec struct{}

// Marshal returns the bytes *v points to, or v if it is a mem.Buffer.
func (RawCodec) Marshal(v any) (mem.BufferSlice, error) {
	switch b := v.(type) {
	case *[]byte:
		return mem.BufferSlice{mem.SliceBuffer(*b)}, nil
	case mem.Buffer:
		return mem.BufferSlice{b}, nil
	default:
		return nil, fmt.Errorf("raw codec: marshal %T, want *[]byte or mem.Buffer", v)
	}
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

// The batched baseline, for protocol v2, where one Run message carries a
// batch of records one way and a batch of acks the other. Each side sends
// copies of a message marshaled once (see BatchMessages) and reads of what
// it receives only the framing it needs: the host of the source counts the
// records in each message, the server of the source checks that every
// position comes back once and in order, the server of the destination
// copies the positions of the records it receives into its ack message,
// and the host of the destination checks that every record is acked once,
// in order and without an error.
//
// What the benchmark's timer covers: it runs from before the call to after
// the stream's end, as for the unbatched baseline. Each side prepares its
// buffers, a copy of a message of a full batch each, before that: the host
// before it starts the timer, the server when the call arrives (it learns
// the batch size with the call), so within the timer once per call, as the
// unbatched baseline marshals its record message, but before it reads its
// usage counters, so that the buffers' memory is not counted per record.
// Per batch, the timer covers copying PositionLen bytes per record into a
// buffer, gRPC's framing, flow control and the socket, and on the
// receiving side the walk over the message's framing; no protobuf
// marshaling and no decoding into messages.

// BaselineBatchMetadata is the metadata a client sends with a batched
// baseline call: that of BaselineMetadata, and the batch size, the most
// records (or acks) one message carries.
func BaselineBatchMetadata(records, batch int, statsPath string) metadata.MD {
	md := BaselineMetadata(records, statsPath)
	md.Set(mdBatch, strconv.Itoa(batch))
	return md
}

// baselineBatchCall reads the metadata of a batched baseline call.
func baselineBatchCall(stream grpc.ServerStream) (records, batch int, statsPath string, err error) {
	records, statsPath, err = baselineCall(stream)
	if err != nil {
		return 0, 0, "", err
	}
	md, _ := metadata.FromIncomingContext(stream.Context())
	if v := md.Get(mdBatch); len(v) == 1 {
		batch, err = strconv.Atoi(v[0])
	}
	if err != nil || len(md.Get(mdBatch)) != 1 || batch < 1 {
		return 0, 0, "", fmt.Errorf("batched baseline call without a valid %s header", mdBatch)
	}
	return records, batch, statsPath, nil
}

// rawRecordsProto returns RawRecordProto(first) to RawRecordProto(first+n-1).
func rawRecordsProto(first, n int) []*opencdcv1.Record {
	records := make([]*opencdcv1.Record, n)
	for j := range records {
		records[j] = RawRecordProto(first + j)
	}
	return records
}

// SourceBatchMessage is the v2 Source.Run.Response carrying
// RawRecordProto(first) to RawRecordProto(first+n-1).
func SourceBatchMessage(first, n int) *connectorv2.Source_Run_Response {
	return &connectorv2.Source_Run_Response{Records: rawRecordsProto(first, n)}
}

// SourceBatchAckMessage is the v2 Source.Run.Request acking records first
// to first+n-1.
func SourceBatchAckMessage(first, n int) *connectorv2.Source_Run_Request {
	positions := make([][]byte, n)
	for j := range positions {
		positions[j] = AppendPosition(nil, first+j)
	}
	return &connectorv2.Source_Run_Request{AckPositions: positions}
}

// DestinationBatchMessage is the v2 Destination.Run.Request carrying
// RawRecordProto(first) to RawRecordProto(first+n-1).
func DestinationBatchMessage(first, n int) *connectorv2.Destination_Run_Request {
	return &connectorv2.Destination_Run_Request{Records: rawRecordsProto(first, n)}
}

// DestinationBatchAckMessage is the v2 Destination.Run.Response acking
// records first to first+n-1, without an error.
func DestinationBatchAckMessage(first, n int) *connectorv2.Destination_Run_Response {
	acks := make([]*connectorv2.Destination_Run_Response_Ack, n)
	for j := range acks {
		acks[j] = &connectorv2.Destination_Run_Response_Ack{Position: AppendPosition(nil, first+j)}
	}
	return &connectorv2.Destination_Run_Response{Acks: acks}
}

// A BatchMessages has buffers for about batchInFlightBytes of messages,
// well above gRPC's write quota of a stream (64 KiB), the most it holds
// unwritten, so that a sender waits for the connection rather than for a
// free buffer; but for no more than maxBatchBuffers messages, as every
// buffer takes more than a KiB (see NewBatchMessages) and small messages
// (acks) leave gRPC's hands quickly.
const (
	batchInFlightBytes = 256 << 10
	maxBatchBuffers    = 1024
)

// BatchMessages makes the messages one side of the batched baseline sends,
// without marshaling them: copies of a template, a message of a full batch
// marshaled once, whose items (the records, acks or positions in its
// repeated field 1) differ from those of any other batch only in their
// positions, all PositionLen bytes long. Next overwrites the positions in
// a free copy and returns the message as a mem.Buffer for RawCodec; gRPC
// gives the copy back when it has written it to the connection, which may
// be after SendMsg returned, so a copy is never changed in flight. Its
// methods are for one goroutine.
type BatchMessages struct {
	ends      []int // ends[j]: length of the message of the first j+1 items
	positions []int // positions[j]: offset of item j's position
	pool      batchPool
}

// NewBatchMessages prepares messages like template, which holds a full
// batch: its repeated field 1 holds items of which item j has the position
// AppendPosition(nil, j), either as the item itself (a bytes field, such
// as ack_positions) or as the item's field 1, named position (a message
// field, such as records or acks).
func NewBatchMessages(template proto.Message) (*BatchMessages, error) {
	fd := template.ProtoReflect().Descriptor().Fields().ByNumber(1)
	if fd == nil || !fd.IsList() {
		return nil, fmt.Errorf("%T has no repeated field 1", template)
	}
	nested := fd.Kind() == protoreflect.MessageKind
	if nested {
		if pf := fd.Message().Fields().ByNumber(1); pf == nil || pf.Name() != "position" || pf.Kind() != protoreflect.BytesKind {
			return nil, fmt.Errorf("the items of %T have no position in field 1", template)
		}
	} else if fd.Kind() != protoreflect.BytesKind {
		return nil, fmt.Errorf("the items of %T are neither messages nor positions", template)
	}
	msg := MustMarshal(template)
	m := &BatchMessages{}
	_, err := forEachItem(msg, func(j, offset int, item []byte) error {
		pos, at := item, 0
		if nested {
			var err error
			if pos, at, err = positionIn(item); err != nil {
				return fmt.Errorf("item %d of the template: %w", j, err)
			}
		}
		if want := AppendPosition(nil, j); !bytes.Equal(pos, want) {
			return fmt.Errorf("item %d of the template has the position %q, want %q", j, pos, want)
		}
		m.positions = append(m.positions, offset+at)
		m.ends = append(m.ends, offset+len(item))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(m.positions) == 0 {
		return nil, errors.New("the template holds no items")
	}
	// A buffer whose capacity is below gRPC's pooling threshold would not
	// come back: mem.NewBuffer wraps it as a SliceBuffer, which it never
	// returns to a pool.
	capacity := len(msg)
	for mem.IsBelowBufferPoolingThreshold(capacity) {
		capacity *= 2
	}
	count := min(maxBatchBuffers, max(4, 2+batchInFlightBytes/len(msg)))
	m.pool = batchPool{free: make(chan *[]byte, count), full: len(msg)}
	for range count {
		b := make([]byte, len(msg), capacity)
		copy(b, msg)
		m.pool.free <- &b
	}
	return m, nil
}

// Batch returns the number of items of a full batch.
func (m *BatchMessages) Batch() int { return len(m.positions) }

// Next returns the message of the n items (1 <= n <= Batch()) of records
// first to first+n-1. It waits for a free buffer until ctx is done.
func (m *BatchMessages) Next(ctx context.Context, first, n int) (mem.Buffer, error) {
	if n < 1 || n > len(m.positions) {
		return nil, fmt.Errorf("a batch of %d items, want 1 to %d", n, len(m.positions))
	}
	b, err := m.get(ctx)
	if err != nil {
		return nil, err
	}
	for j, at := range m.positions[:n] {
		AppendPosition((*b)[at:at], first+j) // in place: the position has its fixed length
	}
	return m.wrap(b, n), nil
}

// echo returns the message acking the records of req, a Destination.Run
// request, with their positions, and how many records req holds. It waits
// for a free buffer until ctx is done.
func (m *BatchMessages) echo(ctx context.Context, req []byte) (mem.Buffer, int, error) {
	b, err := m.get(ctx)
	if err != nil {
		return nil, 0, err
	}
	n, err := forEachItem(req, func(j, _ int, record []byte) error {
		if j >= len(m.positions) {
			return fmt.Errorf("a batch of more than %d records", len(m.positions))
		}
		pos, _, err := positionIn(record)
		if err != nil {
			return fmt.Errorf("record %d of the batch: %w", j, err)
		}
		if len(pos) != PositionLen {
			return fmt.Errorf("record %d of the batch has a position of %d bytes, want %d", j, len(pos), PositionLen)
		}
		copy((*b)[m.positions[j]:], pos)
		return nil
	})
	if err == nil && n == 0 {
		err = errors.New("a batch of no records")
	}
	if err != nil {
		m.pool.Put(b)
		return nil, 0, err
	}
	return m.wrap(b, n), n, nil
}

// get returns a free buffer, waiting until ctx is done.
func (m *BatchMessages) get(ctx context.Context) (*[]byte, error) {
	select {
	case b := <-m.pool.free:
		return b, nil
	default:
	}
	select {
	case b := <-m.pool.free:
		return b, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a free message buffer: %w", ctx.Err())
	}
}

// wrap returns buffer b, cut to the message of its first n items, as a
// mem.Buffer that goes back to the pool once freed.
func (m *BatchMessages) wrap(b *[]byte, n int) mem.Buffer {
	*b = (*b)[:m.ends[n-1]]
	return mem.NewBuffer(b, &m.pool)
}

// batchPool holds the free buffers of a BatchMessages, all of the length
// of a full batch's message. gRPC puts a buffer back once it no longer
// needs it; Get, which gRPC does not call for buffers made with
// mem.NewBuffer, allocates.
type batchPool struct {
	free chan *[]byte
	full int
}

// Get returns a new buffer of the given length.
func (p *batchPool) Get(length int) *[]byte {
	b := make([]byte, length)
	return &b
}

// Put makes b, one of the pool's buffers, free again.
func (p *batchPool) Put(b *[]byte) {
	*b = (*b)[:p.full]
	select {
	case p.free <- b:
	default: // not one of the pool's: the channel has room for all of them
	}
}

// forEachItem calls fn, if not nil, for each item of msg, a message whose
// only field is a repeated field 1 of a length-delimited type, with the
// item's index, the offset of its content in msg and its content, and
// returns the number of items.
func forEachItem(msg []byte, fn func(j, offset int, item []byte) error) (int, error) {
	j := 0
	for off := 0; off < len(msg); j++ {
		num, typ, n := protowire.ConsumeTag(msg[off:])
		if n < 0 {
			return j, fmt.Errorf("item %d: %w", j, protowire.ParseError(n))
		}
		if num != 1 || typ != protowire.BytesType {
			return j, fmt.Errorf("item %d: field %d of wire type %d, want field 1, length-delimited", j, num, typ)
		}
		item, k := protowire.ConsumeBytes(msg[off+n:])
		if k < 0 {
			return j, fmt.Errorf("item %d: %w", j, protowire.ParseError(k))
		}
		if fn != nil {
			if err := fn(j, off+n+k-len(item), item); err != nil {
				return j, err
			}
		}
		off += n + k
	}
	return j, nil
}

// positionIn returns field 1 of item, a record or an ack, where both keep
// their position, and its offset in item.
func positionIn(item []byte) (pos []byte, offset int, err error) {
	for off := 0; off < len(item); {
		num, typ, n := protowire.ConsumeTag(item[off:])
		if n < 0 {
			return nil, 0, protowire.ParseError(n)
		}
		if num == 1 && typ == protowire.BytesType {
			v, k := protowire.ConsumeBytes(item[off+n:])
			if k < 0 {
				return nil, 0, protowire.ParseError(k)
			}
			return v, off + n + k - len(v), nil
		}
		k := protowire.ConsumeFieldValue(num, typ, item[off+n:])
		if k < 0 {
			return nil, 0, protowire.ParseError(k)
		}
		off += n + k
	}
	return nil, 0, errors.New("no position")
}

// CountBatch returns how many items msg, a message of the batched
// baseline, holds (the records of a Source.Run.Response, say), reading
// only its framing.
func CountBatch(msg []byte) (int, error) {
	return forEachItem(msg, nil)
}

// CheckAcks checks that msg, a v2 Destination.Run.Response, acks records
// first, first+1, ... in order and without an error, and returns how many.
func CheckAcks(msg []byte, first int) (int, error) {
	var want [PositionLen]byte
	return forEachItem(msg, func(j, _ int, ack []byte) error {
		var pos, text []byte
		for off := 0; off < len(ack); {
			num, typ, n := protowire.ConsumeTag(ack[off:])
			if n < 0 {
				return fmt.Errorf("ack %d: %w", first+j, protowire.ParseError(n))
			}
			k := protowire.ConsumeFieldValue(num, typ, ack[off+n:])
			if k < 0 {
				return fmt.Errorf("ack %d: %w", first+j, protowire.ParseError(k))
			}
			if typ == protowire.BytesType && (num == 1 || num == 2) {
				v, _ := protowire.ConsumeBytes(ack[off+n:])
				if num == 1 {
					pos = v
				} else {
					text = v
				}
			}
			off += n + k
		}
		if len(text) > 0 {
			return fmt.Errorf("record %d was not written: %s", first+j, text)
		}
		if !bytes.Equal(pos, AppendPosition(want[:0], first+j)) {
			return fmt.Errorf("ack %d is of position %q, want %q", first+j, pos, AppendPosition(nil, first+j))
		}
		return nil
	})
}

// checkAckPositions checks that msg, a v2 Source.Run.Request, acks records
// first, first+1, ... in order, and returns how many.
func checkAckPositions(msg []byte, first int) (int, error) {
	var want [PositionLen]byte
	return forEachItem(msg, func(j, _ int, pos []byte) error {
		if !bytes.Equal(pos, AppendPosition(want[:0], first+j)) {
			return fmt.Errorf("ack %d is of position %q, want %q", first+j, pos, AppendPosition(nil, first+j))
		}
		return nil
	})
}

// baselineSourceBatch sends the records in messages of a batch each from
// one goroutine, the last maybe shorter, and receives the acks in the
// handler's: one message per batch, which must ack that batch's records.
func baselineSourceBatch(_ any, stream grpc.ServerStream) error {
	records, batch, statsPath, err := baselineBatchCall(stream)
	if err != nil {
		return err
	}
	msgs, err := NewBatchMessages(SourceBatchMessage(0, batch))
	if err != nil {
		return err
	}
	before := ReadUsage()
	ctx := stream.Context()
	sent := make(chan error, 1)
	go func() {
		for first := 0; first < records; first += batch {
			msg, err := msgs.Next(ctx, first, min(batch, records-first))
			if err == nil {
				err = stream.SendMsg(msg)
			}
			if err != nil {
				sent <- fmt.Errorf("send the batch of record %d: %w", first, err)
				return
			}
		}
		sent <- nil
	}()
	var ack []byte
	acked := 0
	for {
		if err := stream.RecvMsg(&ack); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		n, err := checkAckPositions(ack, acked)
		if err != nil {
			return err
		}
		if want := min(batch, records-acked); n != want {
			return fmt.Errorf("an ack message for %d records from record %d on, want %d: one per batch", n, acked, want)
		}
		acked += n
	}
	if err := <-sent; err != nil {
		return err
	}
	if acked != records {
		return fmt.Errorf("the client closed the stream after %d acks, want %d", acked, records)
	}
	return writeStats(statsPath, before)
}

// baselineDestinationBatch answers every message of records with one
// message acking them all, with their positions.
func baselineDestinationBatch(_ any, stream grpc.ServerStream) error {
	records, batch, statsPath, err := baselineBatchCall(stream)
	if err != nil {
		return err
	}
	acks, err := NewBatchMessages(DestinationBatchAckMessage(0, batch))
	if err != nil {
		return err
	}
	before := ReadUsage()
	ctx := stream.Context()
	var req []byte
	received := 0
	for {
		if err := stream.RecvMsg(&req); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		msg, n, err := acks.echo(ctx, req)
		if err != nil {
			return fmt.Errorf("the batch of record %d: %w", received, err)
		}
		if err := stream.SendMsg(msg); err != nil {
			return err
		}
		received += n
	}
	if received != records {
		return fmt.Errorf("the client closed the stream after %d records, want %d", received, records)
	}
	return writeStats(statsPath, before)
}
