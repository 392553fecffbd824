package benchmarks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/grpc/metadata"

	"github.com/connectorkit/conduit-connector-protocol/benchmarks/internal/benchplugin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// BenchmarkSource moves b.N raw 1 KiB records from a source connector to
// the host, which acks each one, and ends when the connector has received
// the last ack:
//
//   - baseline-channel: a bare Go channel each way, with the copies the
//     built-in transport makes (the in-process limit);
//   - builtin: the connector wrapped by builtin.NewSource;
//   - baseline-grpc: a bare gRPC stream between two processes over a unix
//     socket, carrying the same messages pre-marshaled (the transport
//     limit);
//   - standalone: the connector in its own process, started with
//     client.New and served with server.Serve, over protocol v1;
//   - standalone-v2: the same over protocol v2 (one record per message);
//   - baseline-grpc-batch-N: the bare gRPC stream carrying protocol v2's
//     messages pre-marshaled, N records in each and one ack message per
//     batch back (the transport limit of batching by N);
//   - standalone-v2-batch-N: a connector written against protocol v2's Go
//     API (package cpluginv2) in its own process, over protocol v2, sending
//     N records per batch; the host drives it with cpluginv2.RunSource and
//     answers each batch with one batch of acks;
//   - builtin-v2-batch-N: the same connector wrapped by
//     builtin.NewSourceV2.
//
// In the batched modes b.N counts records, not batches, as in every other
// mode.
func BenchmarkSource(b *testing.B) {
	b.Run("baseline-channel", benchmarkSourceChannel)
	b.Run("builtin", func(b *testing.B) {
		benchmarkSourceHost(b, builtin.NewSource(&benchplugin.Source{}), "")
	})
	b.Run("baseline-grpc", benchmarkSourceGRPC)
	b.Run("standalone", func(b *testing.B) {
		c := startConnector(b, client.ProtocolVersion1)
		benchmarkSourceHost(b, c.Source(), statsFile(b))
	})
	b.Run("standalone-v2", func(b *testing.B) {
		c := startConnector(b, client.ProtocolVersion2)
		benchmarkSourceHost(b, c.Source(), statsFile(b))
	})
	for _, batch := range batchSizes {
		b.Run(fmt.Sprintf("baseline-grpc-batch-%d", batch), func(b *testing.B) {
			benchmarkSourceGRPCBatch(b, batch)
		})
		b.Run(fmt.Sprintf("standalone-v2-batch-%d", batch), func(b *testing.B) {
			c := startConnector(b, client.ProtocolVersion2, benchplugin.ArgV2)
			benchmarkSourceHostV2(b, c.SourceV2(), batch, statsFile(b))
		})
		b.Run(fmt.Sprintf("builtin-v2-batch-%d", batch), func(b *testing.B) {
			benchmarkSourceHostV2(b, builtin.NewSourceV2(&benchplugin.SourceV2{}), batch, "")
		})
	}
}

// batchSizes are the batch sizes of the batched modes of BenchmarkSource
// and BenchmarkDestination.
var batchSizes = []int{1, 10, 100, 1000}

// sink keeps the compiler from dropping a copy nobody reads.
var sink []byte

func benchmarkSourceChannel(b *testing.B) {
	records := make(chan cpluginv1.SourceRunResponse, 128)
	acks := make(chan cpluginv1.SourceRunRequest, 128)
	acked := make(chan int, 1)
	m := startMeter(b)
	// The connector: one goroutine sends, another receives the acks.
	go func() {
		for i := range b.N {
			records <- cpluginv1.SourceRunResponse{Record: benchplugin.RawRecord(i).Clone()}
		}
	}()
	go func() {
		n := 0
		for ack := range acks {
			sink = bytes.Clone(ack.AckPosition)
			n++
		}
		acked <- n
	}()
	// The host.
	for range b.N {
		rec := <-records
		acks <- cpluginv1.SourceRunRequest{AckPosition: rec.Record.Position}
	}
	close(acks)
	if n := <-acked; n != b.N {
		b.Fatalf("%d acks arrived, want %d", n, b.N)
	}
	m.stop(benchplugin.Usage{})
}

// benchmarkSourceHost runs the host's side of BenchmarkSource against
// source, a benchmark source behind a transport.
func benchmarkSourceHost(b *testing.B, source cpluginv1.SourcePlugin, statsPath string) {
	ctx := context.Background()
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: connectorConfig(b, statsPath)}); err != nil {
		b.Fatalf("configure: %v", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		b.Fatalf("start: %v", err)
	}
	m := startMeter(b)
	run := cpluginv1.RunSource(ctx, source)
	for i := range b.N {
		rec, err := run.Recv()
		if err != nil {
			b.Fatalf("receive record %d: %v", i, err)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: rec.Record.Position}); err != nil {
			b.Fatalf("send ack %d: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		b.Fatal(err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	m.stop(readStats(b, statsPath))
	if _, err := source.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		b.Fatalf("teardown: %v", err)
	}
}

// benchmarkSourceHostV2 runs the host's side of BenchmarkSource through
// protocol v2's Go API against source, a benchmark SourceV2 behind a
// transport that sends batches of batch records: it checks that every
// batch holds batch records (the last maybe fewer) and answers it with one
// batch of acks, the records' positions.
func benchmarkSourceHostV2(b *testing.B, source cpluginv2.SourcePlugin, batch int, statsPath string) {
	ctx := context.Background()
	if _, err := source.Configure(ctx, cpluginv2.SourceConfigureRequest{Config: batchConfig(b, batch, statsPath)}); err != nil {
		b.Fatalf("configure: %v", err)
	}
	if _, err := source.Open(ctx, cpluginv2.SourceOpenRequest{}); err != nil {
		b.Fatalf("open: %v", err)
	}
	acks := make([][]byte, 0, batch)
	m := startMeter(b)
	run := cpluginv2.RunSource(ctx, source)
	for received := 0; received < b.N; {
		resp, err := run.Recv()
		if err != nil {
			b.Fatalf("receive the batch of record %d: %v", received, err)
		}
		n := len(resp.Records)
		if want := min(batch, b.N-received); n != want {
			b.Fatalf("a batch of %d records from record %d on, want %d", n, received, want)
		}
		acks = acks[:0]
		for _, rec := range resp.Records {
			acks = append(acks, rec.Position)
		}
		if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: acks}); err != nil {
			b.Fatalf("send the acks of record %d on: %v", received, err)
		}
		received += n
	}
	if err := run.CloseSend(); err != nil {
		b.Fatal(err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	m.stop(readStats(b, statsPath))
	if _, err := source.Teardown(ctx, cpluginv2.SourceTeardownRequest{}); err != nil {
		b.Fatalf("teardown: %v", err)
	}
}

func benchmarkSourceGRPC(b *testing.B) {
	conn := startBaseline(b)
	statsPath := statsFile(b)
	ctx := metadata.NewOutgoingContext(context.Background(), benchplugin.BaselineMetadata(b.N, statsPath))
	ack := benchplugin.MustMarshal(benchplugin.SourceAckMessage(0))
	var record []byte
	m := startMeter(b)
	stream, err := conn.NewStream(ctx, &benchplugin.BaselineServiceDesc.Streams[0], benchplugin.BaselineSourceMethod)
	if err != nil {
		b.Fatal(err)
	}
	for i := range b.N {
		if err := stream.RecvMsg(&record); err != nil {
			b.Fatalf("receive record %d: %v", i, err)
		}
		if err := stream.SendMsg(&ack); err != nil {
			b.Fatalf("send ack %d: %v", i, err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		b.Fatal(err)
	}
	if err := stream.RecvMsg(&record); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	m.stop(readStats(b, statsPath))
}

// benchmarkSourceGRPCBatch runs the host's side of the batched bare gRPC
// baseline: per message of up to batch records, it counts the records
// (reading the message's framing only) and sends one message acking them.
// The ack messages are copies of one marshaled before the timer starts, in
// which only the positions change (see benchplugin.BatchMessages); the
// server checks that every position comes back once and in order.
func benchmarkSourceGRPCBatch(b *testing.B, batch int) {
	conn := startBaseline(b)
	statsPath := statsFile(b)
	ctx := metadata.NewOutgoingContext(context.Background(), benchplugin.BaselineBatchMetadata(b.N, batch, statsPath))
	acks, err := benchplugin.NewBatchMessages(benchplugin.SourceBatchAckMessage(0, batch))
	if err != nil {
		b.Fatal(err)
	}
	var records []byte
	m := startMeter(b)
	stream, err := conn.NewStream(ctx, &benchplugin.BaselineServiceDesc.Streams[2], benchplugin.BaselineSourceBatchMethod)
	if err != nil {
		b.Fatal(err)
	}
	for received := 0; received < b.N; {
		if err := stream.RecvMsg(&records); err != nil {
			b.Fatalf("receive the batch of record %d: %v", received, err)
		}
		n, err := benchplugin.CountBatch(records)
		if err != nil || n == 0 || n > b.N-received {
			b.Fatalf("the batch of record %d holds %d records (%v), want 1 to %d", received, n, err, b.N-received)
		}
		ack, err := acks.Next(stream.Context(), received, n)
		if err == nil {
			err = stream.SendMsg(ack)
		}
		if err != nil {
			b.Fatalf("send the acks of record %d on: %v", received, err)
		}
		received += n
	}
	if err := stream.CloseSend(); err != nil {
		b.Fatal(err)
	}
	if err := stream.RecvMsg(&records); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	m.stop(readStats(b, statsPath))
}
