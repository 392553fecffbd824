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

// BenchmarkDestination moves b.N raw 1 KiB records from the host to a
// destination connector, which acks each one, and ends when the host has
// received the last ack. The host sends from one goroutine and receives
// the acks in another. The modes are those of BenchmarkSource: in the
// batched modes (baseline-grpc-batch-N, standalone-v2-batch-N and
// builtin-v2-batch-N) the host sends batches of N records, the last maybe
// shorter, and the connector answers each with one batch of N acks; in
// standalone-v2-batch-N and builtin-v2-batch-N the connector is written
// against protocol v2's Go API and the host drives it with
// cpluginv2.RunDestination.
func BenchmarkDestination(b *testing.B) {
	b.Run("baseline-channel", benchmarkDestinationChannel)
	b.Run("builtin", func(b *testing.B) {
		benchmarkDestinationHost(b, builtin.NewDestination(&benchplugin.Destination{}), "")
	})
	b.Run("baseline-grpc", benchmarkDestinationGRPC)
	b.Run("standalone", func(b *testing.B) {
		c := startConnector(b, client.ProtocolVersion1)
		benchmarkDestinationHost(b, c.Destination(), statsFile(b))
	})
	b.Run("standalone-v2", func(b *testing.B) {
		c := startConnector(b, client.ProtocolVersion2)
		benchmarkDestinationHost(b, c.Destination(), statsFile(b))
	})
	for _, batch := range batchSizes {
		b.Run(fmt.Sprintf("baseline-grpc-batch-%d", batch), func(b *testing.B) {
			benchmarkDestinationGRPCBatch(b, batch)
		})
		b.Run(fmt.Sprintf("standalone-v2-batch-%d", batch), func(b *testing.B) {
			c := startConnector(b, client.ProtocolVersion2, benchplugin.ArgV2)
			benchmarkDestinationHostV2(b, c.DestinationV2(), batch, statsFile(b))
		})
		b.Run(fmt.Sprintf("builtin-v2-batch-%d", batch), func(b *testing.B) {
			benchmarkDestinationHostV2(b, builtin.NewDestinationV2(&benchplugin.DestinationV2{}), batch, "")
		})
	}
}

func benchmarkDestinationChannel(b *testing.B) {
	records := make(chan cpluginv1.DestinationRunRequest, 128)
	acks := make(chan cpluginv1.DestinationRunResponse, 128)
	m := startMeter(b)
	// The host's sending goroutine.
	go func() {
		for i := range b.N {
			records <- cpluginv1.DestinationRunRequest{Record: benchplugin.RawRecord(i)}
		}
		close(records)
	}()
	// The connector.
	go func() {
		for req := range records {
			rec := req.Record.Clone()
			acks <- cpluginv1.DestinationRunResponse{AckPosition: bytes.Clone(rec.Position)}
		}
		close(acks)
	}()
	// The host's receiving goroutine.
	n := 0
	for range acks {
		n++
	}
	if n != b.N {
		b.Fatalf("%d acks arrived, want %d", n, b.N)
	}
	m.stop(benchplugin.Usage{})
}

// benchmarkDestinationHost runs the host's side of BenchmarkDestination
// against destination, a benchmark destination behind a transport.
func benchmarkDestinationHost(b *testing.B, destination cpluginv1.DestinationPlugin, statsPath string) {
	ctx := context.Background()
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: connectorConfig(b, statsPath)}); err != nil {
		b.Fatalf("configure: %v", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		b.Fatalf("start: %v", err)
	}
	m := startMeter(b)
	run := cpluginv1.RunDestination(ctx, destination)
	sent := make(chan error, 1)
	go func() {
		for i := range b.N {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: benchplugin.RawRecord(i)}); err != nil {
				sent <- err
				return
			}
		}
		sent <- run.CloseSend()
	}()
	for i := range b.N {
		ack, err := run.Recv()
		if err != nil {
			b.Fatalf("receive ack %d: %v", i, err)
		}
		if ack.Error != "" {
			b.Fatalf("record %d was not written: %s", i, ack.Error)
		}
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	if err := <-sent; err != nil {
		b.Fatalf("send records: %v", err)
	}
	m.stop(readStats(b, statsPath))
	if _, err := destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		b.Fatalf("teardown: %v", err)
	}
}

// benchmarkDestinationHostV2 runs the host's side of BenchmarkDestination
// through protocol v2's Go API against destination, a benchmark
// DestinationV2 behind a transport: one goroutine sends the records in
// batches of batch records (the last maybe fewer), the other checks that
// each batch of acks acks one batch of records without an error (the Run
// itself checks the acks' positions and order).
func benchmarkDestinationHostV2(b *testing.B, destination cpluginv2.DestinationPlugin, batch int, statsPath string) {
	ctx := context.Background()
	if _, err := destination.Configure(ctx, cpluginv2.DestinationConfigureRequest{Config: batchConfig(b, batch, statsPath)}); err != nil {
		b.Fatalf("configure: %v", err)
	}
	if _, err := destination.Open(ctx, cpluginv2.DestinationOpenRequest{}); err != nil {
		b.Fatalf("open: %v", err)
	}
	records := make([]cpluginv2.Record, 0, batch) // Send keeps no batch's slice: one serves every batch
	m := startMeter(b)
	run := cpluginv2.RunDestination(ctx, destination)
	sent := make(chan error, 1)
	go func() {
		for first := 0; first < b.N; first += batch {
			records = benchplugin.AppendRawRecords(records[:0], first, min(batch, b.N-first))
			if err := run.Send(cpluginv2.DestinationRunRequest{Records: records}); err != nil {
				sent <- fmt.Errorf("the batch of record %d: %w", first, err)
				return
			}
		}
		sent <- run.CloseSend()
	}()
	for acked := 0; acked < b.N; {
		resp, err := run.Recv()
		if err != nil {
			b.Fatalf("receive the acks of record %d on: %v", acked, err)
		}
		n := len(resp.Acks)
		if want := min(batch, b.N-acked); n != want {
			b.Fatalf("a batch of %d acks from record %d on, want %d", n, acked, want)
		}
		for j, ack := range resp.Acks {
			if ack.Error != "" {
				b.Fatalf("record %d was not written: %s", acked+j, ack.Error)
			}
		}
		acked += n
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	if err := <-sent; err != nil {
		b.Fatalf("send records: %v", err)
	}
	m.stop(readStats(b, statsPath))
	if _, err := destination.Teardown(ctx, cpluginv2.DestinationTeardownRequest{}); err != nil {
		b.Fatalf("teardown: %v", err)
	}
}

func benchmarkDestinationGRPC(b *testing.B) {
	conn := startBaseline(b)
	statsPath := statsFile(b)
	ctx := metadata.NewOutgoingContext(context.Background(), benchplugin.BaselineMetadata(b.N, statsPath))
	record := benchplugin.MustMarshal(benchplugin.DestinationRecordMessage(0))
	var ack []byte
	m := startMeter(b)
	stream, err := conn.NewStream(ctx, &benchplugin.BaselineServiceDesc.Streams[1], benchplugin.BaselineDestinationMethod)
	if err != nil {
		b.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		for range b.N {
			if err := stream.SendMsg(&record); err != nil {
				sent <- err
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	for i := range b.N {
		if err := stream.RecvMsg(&ack); err != nil {
			b.Fatalf("receive ack %d: %v", i, err)
		}
	}
	if err := stream.RecvMsg(&ack); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	if err := <-sent; err != nil {
		b.Fatalf("send records: %v", err)
	}
	m.stop(readStats(b, statsPath))
}

// benchmarkDestinationGRPCBatch runs the host's side of the batched bare
// gRPC baseline: one goroutine sends the records in messages of batch
// records each (the last maybe shorter), copies of one marshaled before
// the timer starts in which only the positions change (see
// benchplugin.BatchMessages); the other checks, reading the framing of
// each ack message only, that every record is acked once, in order and
// without an error.
func benchmarkDestinationGRPCBatch(b *testing.B, batch int) {
	conn := startBaseline(b)
	statsPath := statsFile(b)
	ctx := metadata.NewOutgoingContext(context.Background(), benchplugin.BaselineBatchMetadata(b.N, batch, statsPath))
	records, err := benchplugin.NewBatchMessages(benchplugin.DestinationBatchMessage(0, batch))
	if err != nil {
		b.Fatal(err)
	}
	var acks []byte
	m := startMeter(b)
	stream, err := conn.NewStream(ctx, &benchplugin.BaselineServiceDesc.Streams[3], benchplugin.BaselineDestinationBatchMethod)
	if err != nil {
		b.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		for first := 0; first < b.N; first += batch {
			msg, err := records.Next(stream.Context(), first, min(batch, b.N-first))
			if err == nil {
				err = stream.SendMsg(msg)
			}
			if err != nil {
				sent <- fmt.Errorf("the batch of record %d: %w", first, err)
				return
			}
		}
		sent <- stream.CloseSend()
	}()
	for acked := 0; acked < b.N; {
		if err := stream.RecvMsg(&acks); err != nil {
			b.Fatalf("receive the acks of record %d on: %v", acked, err)
		}
		n, err := benchplugin.CheckAcks(acks, acked)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 || n > b.N-acked {
			b.Fatalf("a message of %d acks from record %d on, want 1 to %d", n, acked, b.N-acked)
		}
		acked += n
	}
	if err := stream.RecvMsg(&acks); !errors.Is(err, io.EOF) {
		b.Fatalf("the stream ended with %v, want io.EOF", err)
	}
	if err := <-sent; err != nil {
		b.Fatalf("send records: %v", err)
	}
	m.stop(readStats(b, statsPath))
}
