package hostile_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
	"github.com/connectorkit/conduit-connector-protocol/reliability/hostile/internal/raw"
)

// recordSize is the size of the hostile record message: just under the
// default limit of 4 MiB.
const recordSize = 4*mib - 1024

// The memory bounds of a received record of recordSize bytes made of empty
// metadata entries (2 bytes each, 2 million of them): what receiving it
// allocates (gRPC's buffers, the decoder's copy of the message, the
// record) and what the received record holds (the copy of the message it
// shares). Before the fix the decoder made a metadata map with room for an
// entry per 2 bytes: about 168 MiB allocated and 80 MiB held for this
// record.
const (
	maxAllocatedForRecord = 6 * recordSize // 24 MiB
	maxHeldForRecord      = 2 * recordSize // 8 MiB
)

// TestHostileRecordMemoryOnHost: a source sends a record of 4 MiB whose
// metadata is 2 million empty entries. The host's Recv allocates at most
// 6 times the message and the record holds at most twice its size (the
// message's own bytes, which the record shares, and a one-entry map).
func TestHostileRecordMemoryOnHost(t *testing.T) {
	ctx := testContext(t)
	c := startHostile(ctx, t, client.Config{}, "HOSTILE=metadata-record")
	run := cpluginv1.RunSource(ctx, c.Source())

	before := heapAfterGC()
	var rec cpluginv1.SourceRunResponse
	var err error
	allocated := allocatedDuring(func() { rec, err = run.Recv() })
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	held := int64(heapAfterGC()) - int64(before)
	t.Logf("record of %d bytes with %d metadata entries: Recv allocated %.1f MiB, the record holds %.1f MiB",
		recordSize, len(rec.Record.Metadata), float64(allocated)/mib, float64(held)/mib)
	runtime.KeepAlive(rec)
	checkRecordMemory(t, allocated, held)

	_ = run.CloseSend()
	c.closeAndCheck(t)
}

// TestHostileRecordMemoryOnConnector: a host that is not ours sends a
// connector built with cpluginv1/server (served in the test's process, so
// that runtime.MemStats measures it) a record of 4 MiB whose metadata is 2
// million empty entries. Receiving it costs the connector the same as the
// host: the two sides share the decoder.
func TestHostileRecordMemoryOnConnector(t *testing.T) {
	ctx := testContext(t)
	received := make(chan cpluginv1.Record, 1)
	srv, err := server.NewGRPCServer(server.Connector{Destination: &recordingDestination{received: received}})
	if err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(shortTempDir(t), "s")
	listener, err := net.Listen("unix", socket)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	defer func() {
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("serve the connector: %v", err)
		}
	}()

	conn, err := grpc.NewClient("unix:"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(raw.Codec{})))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	stream, err := conn.NewStream(runCtx, &grpc.StreamDesc{ClientStreams: true, ServerStreams: true}, "/connector.v1.DestinationPlugin/Run")
	if err != nil {
		t.Fatal(err)
	}
	msg := raw.MetadataRecordMessage(recordSize)

	before := heapAfterGC()
	var rec cpluginv1.Record
	allocated := allocatedDuring(func() {
		if err = stream.SendMsg(&msg); err == nil {
			rec = testwait.Receive(ctx, t, received, "the record at the connector")
		}
	})
	if err != nil {
		t.Fatalf("send the record: %v", err)
	}
	// The sender's copy of the message, live in before, is not the
	// connector's memory: drop it and count it back.
	sent := int64(cap(msg))
	msg = nil
	held := int64(heapAfterGC()) - int64(before) + sent
	t.Logf("record of %d bytes with %d metadata entries: receiving it allocated %.1f MiB (sending included), the record holds %.1f MiB",
		recordSize, len(rec.Metadata), float64(allocated)/mib, float64(held)/mib)
	runtime.KeepAlive(rec)
	// The sender's side of gRPC allocates in this process too: allow for
	// one more copy of the message.
	checkRecordMemory(t, allocated-recordSize, held)
}

func checkRecordMemory(t *testing.T, allocated uint64, held int64) {
	t.Helper()
	if allocated > maxAllocatedForRecord {
		t.Errorf("receiving the record allocated %d bytes (%.1f MiB), want at most %d (%.0f times the message)",
			allocated, float64(allocated)/mib, maxAllocatedForRecord, float64(maxAllocatedForRecord)/recordSize)
	}
	if held > maxHeldForRecord {
		t.Errorf("the record holds %d bytes (%.1f MiB), want at most %d (%.0f times the message)",
			held, float64(held)/mib, maxHeldForRecord, float64(maxHeldForRecord)/recordSize)
	}
}

// recordingDestination hands the first record it receives to received and
// keeps its stream open until the host ends it.
type recordingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	received chan<- cpluginv1.Record
}

func (d *recordingDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	req, err := stream.Recv()
	if err != nil {
		return err
	}
	d.received <- req.Record
	<-ctx.Done()
	if errors.Is(ctx.Err(), context.Canceled) {
		return nil
	}
	return ctx.Err()
}

// floodSize is how much the flooding connector writes without a newline.
const floodSize = 96 * mib

// maxHeldAfterFlood is the most the host's heap may grow while a connector
// writes floodSize bytes of stdout without a newline: the host logs at
// most 64 KiB of a line and drops the rest (before the fix it held all of
// it, and more, as the buffer doubled: 2.5 GiB for 600 MiB).
const maxHeldAfterFlood = 16 * mib

// TestHostileStdioFlood: a connector writes 96 MiB to go-plugin's stdio
// stream without a newline. The host's heap grows by at most 16 MiB, with a
// logger (which gets the first 64 KiB, marked as cut) and without one.
func TestHostileStdioFlood(t *testing.T) {
	for _, withLogger := range []bool{true, false} {
		name := "without a logger"
		if withLogger {
			name = "with a logger"
		}
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			recorder := &logRecorder{keep: 64}
			cfg := client.Config{}
			if withLogger {
				cfg.Logger = slog.New(recorder)
			}
			before := heapAfterGC()
			c := startHostile(ctx, t, cfg, "HOSTILE=stdio-flood", "HOSTILE_SIZE="+strconv.Itoa(floodSize))
			// The connector answers Specify once it has sent the flood, which
			// gRPC's flow control lets it do only as fast as the host reads.
			if _, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{}); err != nil {
				t.Fatalf("Specify: %v", err)
			}
			grown := int64(heapAfterGC()) - int64(before)
			t.Logf("the connector wrote %d MiB of stdout without a newline; the host's heap grew by %.1f MiB", floodSize/mib, float64(grown)/mib)
			if grown > maxHeldAfterFlood {
				t.Errorf("the host's heap grew by %d bytes (%.1f MiB), want at most %d", grown, float64(grown)/mib, maxHeldAfterFlood)
			}
			if withLogger {
				m, ok := recorder.find("stdout", "xxxx", "[line cut at 65536 bytes]")
				if !ok {
					t.Errorf("no stdout line of x's marked as cut was logged")
				} else if m.size > 64<<10+64 {
					t.Errorf("the logged line has %d bytes, want at most 64 KiB and the marker", m.size)
				}
			}
			c.closeAndCheck(t)
		})
	}
}

// TestHostileLongStdoutLine: a connector writes a line of 1 MiB to its real
// stdout during Specify, as connectors in other languages log. The host
// reads it at once (go-plugin's reader stopped at 64 KiB, and the connector
// then blocked in its write for good), logs its first 64 KiB marked as cut,
// and Specify returns.
func TestHostileLongStdoutLine(t *testing.T) {
	ctx := testContext(t)
	recorder := &logRecorder{keep: 64}
	c := startHostile(ctx, t, client.Config{Logger: slog.New(recorder)}, "HOSTILE=stdout-long-line", "HOSTILE_SIZE="+strconv.Itoa(mib))

	const deadline = 5 * time.Second
	callCtx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	began := time.Now()
	_, err := c.Specifier().Specify(callCtx, cpluginv1.SpecifierSpecifyRequest{})
	took := time.Since(began)
	if err != nil {
		t.Fatalf("Specify of a connector that printed a line of 1 MiB: %v after %v, want an answer", err, took)
	}
	t.Logf("Specify returned after %v", took)
	if m, ok := recorder.find("stdout", "yyyy", "[line cut at 65536 bytes]"); !ok {
		t.Errorf("no stdout line of y's marked as cut was logged")
	} else if m.size > 64<<10+64 {
		t.Errorf("the logged line has %d bytes, want at most 64 KiB and the marker", m.size)
	}
	c.closeAndCheck(t)
}

// floodWindow is how long TestHostileAckFlood gives the connector to send
// its acks while the host does not receive: a host that takes them anyway
// (the ack queue this repository had) takes all 500,000 in well under a
// second; a host that reads the stream only when it calls Recv takes none,
// and the connector waits on gRPC's flow control.
const floodWindow = 3 * time.Second

// TestHostileAckFlood: a destination sends half a million acks while the
// host does not call Recv. The host must not take them: no queue between
// the gRPC stream and the host's Recv (gRPC's flow control stops the
// connector), so its memory does not grow with them. Before, a goroutine
// pumped every ack into an unbounded queue (about 74 bytes each).
func TestHostileAckFlood(t *testing.T) {
	ctx := testContext(t)
	done := filepath.Join(t.TempDir(), "done")
	c := startHostile(ctx, t, client.Config{}, "HOSTILE=ack-flood", "HOSTILE_DONEFILE="+done)
	before := heapAfterGC()
	run := cpluginv1.RunDestination(ctx, c.Destination())
	deadline := time.Now().Add(floodWindow)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(done); err == nil {
			t.Fatalf("the connector sent all its acks while the host did not receive: the host took them into memory")
		}
		time.Sleep(50 * time.Millisecond) // a poll of the file the connector writes, within the window
	}
	grown := int64(heapAfterGC()) - int64(before)
	t.Logf("host heap after %v of an ack flood the host did not receive: %+.1f MiB", floodWindow, float64(grown)/mib)
	if grown > 8*mib {
		t.Errorf("the host's heap grew by %.1f MiB while a connector flooded it with acks it did not receive, want at most 8 MiB", float64(grown)/mib)
	}
	// The host never received: that is the test. Ending the stream and
	// the connector releases the acks gRPC held back.
	_ = run.CloseSend()
	c.closeAndCheck(t)
}
