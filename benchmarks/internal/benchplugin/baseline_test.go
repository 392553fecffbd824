package benchplugin

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// TestBatchMessages checks that the messages BatchMessages makes are those
// the message builders make, for a full and a short batch of each of the
// four kinds, and that a buffer comes back to the pool once freed.
func TestBatchMessages(t *testing.T) {
	const batch = 3
	for _, tc := range []struct {
		name string
		make func(first, n int) proto.Message
		into func() proto.Message
	}{
		{"source records", func(f, n int) proto.Message { return SourceBatchMessage(f, n) }, func() proto.Message { return &connectorv2.Source_Run_Response{} }},
		{"source acks", func(f, n int) proto.Message { return SourceBatchAckMessage(f, n) }, func() proto.Message { return &connectorv2.Source_Run_Request{} }},
		{"destination records", func(f, n int) proto.Message { return DestinationBatchMessage(f, n) }, func() proto.Message { return &connectorv2.Destination_Run_Request{} }},
		{"destination acks", func(f, n int) proto.Message { return DestinationBatchAckMessage(f, n) }, func() proto.Message { return &connectorv2.Destination_Run_Response{} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewBatchMessages(tc.make(0, batch))
			if err != nil {
				t.Fatal(err)
			}
			if m.Batch() != batch {
				t.Errorf("Batch() = %d, want %d", m.Batch(), batch)
			}
			free := len(m.pool.free)
			for _, c := range []struct{ first, n int }{{999, batch}, {41, 2}, {0, 1}} {
				buf, err := m.Next(context.Background(), c.first, c.n)
				if err != nil {
					t.Fatal(err)
				}
				got := tc.into()
				if err := proto.Unmarshal(buf.ReadOnlyData(), got); err != nil {
					t.Fatal(err)
				}
				if want := tc.make(c.first, c.n); !proto.Equal(got, want) {
					t.Errorf("Next(%d, %d) = %v, want %v", c.first, c.n, got, want)
				}
				if n, err := CountBatch(buf.ReadOnlyData()); n != c.n || err != nil {
					t.Errorf("CountBatch = %d, %v, want %d", n, err, c.n)
				}
				if len(m.pool.free) != free-1 {
					t.Errorf("%d free buffers while one is in use, want %d", len(m.pool.free), free-1)
				}
				buf.Free()
				if len(m.pool.free) != free {
					t.Errorf("%d free buffers after Free, want %d", len(m.pool.free), free)
				}
			}
			for _, n := range []int{0, batch + 1} {
				if _, err := m.Next(context.Background(), 0, n); err == nil {
					t.Errorf("Next of %d items: no error", n)
				}
			}
		})
	}
	if _, err := NewBatchMessages(SourceRecordMessage(0)); err == nil {
		t.Error("NewBatchMessages of a v1 message: no error")
	}
	if _, err := NewBatchMessages(SourceBatchMessage(1, 2)); err == nil {
		t.Error("NewBatchMessages of a batch not starting at record 0: no error")
	}
	if _, err := NewBatchMessages(SourceBatchMessage(0, 0)); err == nil {
		t.Error("NewBatchMessages of an empty batch: no error")
	}
}

// TestBatchMessagesWait checks that Next waits for a free buffer until
// its context is done.
func TestBatchMessagesWait(t *testing.T) {
	m, err := NewBatchMessages(SourceBatchAckMessage(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	var held []mem.Buffer
	for len(m.pool.free) > 0 {
		buf, err := m.Next(context.Background(), len(held), 1)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, buf)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Next(ctx, 0, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Next without a free buffer = %v, want context.Canceled", err)
	}
	held[0].Free()
	if _, err := m.Next(ctx, 0, 1); err != nil {
		t.Errorf("Next with a free buffer: %v", err)
	}
}

func TestBatchChecks(t *testing.T) {
	acks := MustMarshal(SourceBatchAckMessage(5, 3))
	if n, err := checkAckPositions(acks, 5); n != 3 || err != nil {
		t.Errorf("checkAckPositions = %d, %v, want 3, nil", n, err)
	}
	if _, err := checkAckPositions(acks, 6); err == nil {
		t.Error("checkAckPositions of acks out of order: no error")
	}

	dacks := MustMarshal(DestinationBatchAckMessage(5, 3))
	if n, err := CheckAcks(dacks, 5); n != 3 || err != nil {
		t.Errorf("CheckAcks = %d, %v, want 3, nil", n, err)
	}
	if _, err := CheckAcks(dacks, 4); err == nil {
		t.Error("CheckAcks of acks out of order: no error")
	}
	failed := DestinationBatchAckMessage(5, 2)
	failed.Acks[1].Error = "disk full"
	if _, err := CheckAcks(MustMarshal(failed), 5); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("CheckAcks of a failed ack = %v, want the ack's error", err)
	}

	m, err := NewBatchMessages(DestinationBatchAckMessage(0, 4))
	if err != nil {
		t.Fatal(err)
	}
	buf, n, err := m.echo(context.Background(), MustMarshal(DestinationBatchMessage(7, 3)))
	if err != nil || n != 3 {
		t.Fatalf("echo = %d, %v, want 3, nil", n, err)
	}
	var got connectorv2.Destination_Run_Response
	if err := proto.Unmarshal(buf.ReadOnlyData(), &got); err != nil {
		t.Fatal(err)
	}
	if want := DestinationBatchAckMessage(7, 3); !proto.Equal(&got, want) {
		t.Errorf("echo = %v, want %v", &got, want)
	}
	buf.Free()
	free := len(m.pool.free)
	for name, req := range map[string][]byte{
		"too many records": MustMarshal(DestinationBatchMessage(0, 5)),
		"no records":       nil,
		"not a batch":      MustMarshal(SourceRecordMessage(0))[:10],
	} {
		if _, _, err := m.echo(context.Background(), req); err == nil {
			t.Errorf("echo of %s: no error", name)
		}
		if len(m.pool.free) != free {
			t.Errorf("echo of %s kept a buffer", name)
		}
	}
	if _, err := CountBatch([]byte{0x10, 0x01}); err == nil {
		t.Error("CountBatch of a varint field: no error")
	}
}

// TestBaselineBatch runs both batched baseline streams in process, with a
// last batch shorter than the others, as the benchmarks' host does.
func TestBaselineBatch(t *testing.T) {
	const records, batch = 25, 10
	listener, err := net.Listen("unix", filepath.Join(t.TempDir(), "grpc.sock"))
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer(grpc.ForceServerCodecV2(RawCodec{}))
	s.RegisterService(&BaselineServiceDesc, nil)
	go func() { _ = s.Serve(listener) }()
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient("unix://"+listener.Addr().String(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(RawCodec{})),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	statsPath := filepath.Join(t.TempDir(), "allocs.json")
	ctx := metadata.NewOutgoingContext(context.Background(), BaselineBatchMetadata(records, batch, statsPath))

	t.Run("source", func(t *testing.T) {
		acks, err := NewBatchMessages(SourceBatchAckMessage(0, batch))
		if err != nil {
			t.Fatal(err)
		}
		stream, err := conn.NewStream(ctx, &BaselineServiceDesc.Streams[2], BaselineSourceBatchMethod)
		if err != nil {
			t.Fatal(err)
		}
		var msg []byte
		var sizes []int
		for received := 0; received < records; {
			if err := stream.RecvMsg(&msg); err != nil {
				t.Fatal(err)
			}
			var got connectorv2.Source_Run_Response
			if err := proto.Unmarshal(msg, &got); err != nil {
				t.Fatal(err)
			}
			n := len(got.GetRecords())
			if want := SourceBatchMessage(received, n); !proto.Equal(&got, want) {
				t.Fatalf("batch of record %d: not the raw records", received)
			}
			ack, err := acks.Next(stream.Context(), received, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := stream.SendMsg(ack); err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, n)
			received += n
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := stream.RecvMsg(&msg); !errors.Is(err, io.EOF) {
			t.Fatalf("the stream ended with %v, want io.EOF", err)
		}
		if len(sizes) != 3 || sizes[0] != 10 || sizes[1] != 10 || sizes[2] != 5 {
			t.Errorf("batches of %v records, want [10 10 5]", sizes)
		}
		if _, err := ReadUsageFile(statsPath); err != nil {
			t.Errorf("the server wrote no usage: %v", err)
		}
	})

	t.Run("source acks out of order", func(t *testing.T) {
		stream, err := conn.NewStream(ctx, &BaselineServiceDesc.Streams[2], BaselineSourceBatchMethod)
		if err != nil {
			t.Fatal(err)
		}
		var msg []byte
		if err := stream.RecvMsg(&msg); err != nil {
			t.Fatal(err)
		}
		ack := MustMarshal(SourceBatchAckMessage(1, batch))
		if err := stream.SendMsg(&ack); err != nil {
			t.Fatal(err)
		}
		for err == nil {
			err = stream.RecvMsg(&msg)
		}
		if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), "position") {
			t.Errorf("the stream ended with %v, want an error about the position", err)
		}
	})

	t.Run("destination", func(t *testing.T) {
		msgs, err := NewBatchMessages(DestinationBatchMessage(0, batch))
		if err != nil {
			t.Fatal(err)
		}
		stream, err := conn.NewStream(ctx, &BaselineServiceDesc.Streams[3], BaselineDestinationBatchMethod)
		if err != nil {
			t.Fatal(err)
		}
		var ack []byte
		for first := 0; first < records; first += batch {
			n := min(batch, records-first)
			msg, err := msgs.Next(stream.Context(), first, n)
			if err != nil {
				t.Fatal(err)
			}
			if err := stream.SendMsg(msg); err != nil {
				t.Fatal(err)
			}
			if err := stream.RecvMsg(&ack); err != nil {
				t.Fatal(err)
			}
			var got connectorv2.Destination_Run_Response
			if err := proto.Unmarshal(ack, &got); err != nil {
				t.Fatal(err)
			}
			if want := DestinationBatchAckMessage(first, n); !proto.Equal(&got, want) {
				t.Fatalf("acks of record %d on: %v, want %v", first, &got, want)
			}
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := stream.RecvMsg(&ack); !errors.Is(err, io.EOF) {
			t.Fatalf("the stream ended with %v, want io.EOF", err)
		}
	})

	t.Run("no batch size", func(t *testing.T) {
		ctx := metadata.NewOutgoingContext(context.Background(), BaselineMetadata(records, ""))
		stream, err := conn.NewStream(ctx, &BaselineServiceDesc.Streams[3], BaselineDestinationBatchMethod)
		if err != nil {
			t.Fatal(err)
		}
		var ack []byte
		if err := stream.RecvMsg(&ack); err == nil || !strings.Contains(err.Error(), mdBatch) {
			t.Errorf("a call without a batch size ended with %v, want an error naming %s", err, mdBatch)
		}
	})
}
