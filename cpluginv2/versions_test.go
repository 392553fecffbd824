package cpluginv2_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
	"github.com/connectorkit/conduit-connector-protocol/internal/inprocess"
)

// testTimeout bounds every test here.
const testTimeout = 10 * time.Second

// transport hands a host a connector's v2 source and destination, the way
// one of the modes does. batched says whether the batches a connector
// sends reach the host as sent (protocol v2 and built-in) or one record
// per message (protocol v1).
type transport struct {
	name    string
	batched bool
	start   func(t *testing.T, c server.Connector) (cpluginv2.SourcePlugin, cpluginv2.DestinationPlugin)
}

// transports are the modes every test runs in: built-in, and over gRPC in
// this process with the host speaking protocol v1 or v2 to a server that
// serves both.
var transports = []transport{
	{name: "builtin", batched: true, start: func(_ *testing.T, c server.Connector) (cpluginv2.SourcePlugin, cpluginv2.DestinationPlugin) {
		return builtin.NewSourceV2(c.SourceV2), builtin.NewDestinationV2(c.DestinationV2)
	}},
	{name: "grpc-v1", batched: false, start: func(t *testing.T, c server.Connector) (cpluginv2.SourcePlugin, cpluginv2.DestinationPlugin) {
		cl := client.NewFromConn(inprocess.Serve(t, c))
		return cl.SourceV2(), cl.DestinationV2()
	}},
	{name: "grpc-v2", batched: true, start: func(t *testing.T, c server.Connector) (cpluginv2.SourcePlugin, cpluginv2.DestinationPlugin) {
		cl := client.NewFromConnV2(inprocess.Serve(t, c))
		return cl.SourceV2(), cl.DestinationV2()
	}},
}

func forEachTransport(t *testing.T, test func(t *testing.T, tr transport)) {
	t.Helper()
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			t.Parallel()
			test(t, tr)
		})
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// rec returns a record at position "p<n>".
func rec(n int) cpluginv2.Record {
	return cpluginv2.Record{
		Position:  []byte("p" + strconv.Itoa(n)),
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData("record " + strconv.Itoa(n))},
	}
}

// batchSource is a v2 source whose Run sends the given batches, then
// receives acks until the host closes the stream, and reports the acks on
// acked.
type batchSource struct {
	cpluginv2.UnimplementedSourcePlugin
	batches [][]cpluginv2.Record
	acked   chan [][]byte
	// fail, if set, is what Run returns once the batches are sent.
	fail error
	// panicWith, if set, makes Run panic with it once the batches are sent.
	panicWith any
}

func (s *batchSource) Run(_ context.Context, stream cpluginv2.SourceRunStream) error {
	for _, b := range s.batches {
		if err := stream.Send(cpluginv2.SourceRunResponse{Records: b}); err != nil {
			return err
		}
	}
	if s.panicWith != nil {
		panic(s.panicWith)
	}
	if s.fail != nil {
		return s.fail
	}
	var acked [][]byte
	defer func() { s.acked <- acked }()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, p := range req.AckPositions {
			acked = append(acked, slices.Clone(p))
		}
	}
}

func (s *batchSource) Stop(context.Context, cpluginv2.SourceStopRequest) (cpluginv2.SourceStopResponse, error) {
	last := s.batches[len(s.batches)-1]
	return cpluginv2.SourceStopResponse{LastPosition: last[len(last)-1].Position}, nil
}

// batchDestination is a v2 destination whose Run acks every batch it
// receives with one Send, through ack (which may reorder or drop acks), and
// reports the records it received on received.
type batchDestination struct {
	cpluginv2.UnimplementedDestinationPlugin
	ack      func(records []cpluginv2.Record) []cpluginv2.DestinationAck
	received chan []cpluginv2.Record
}

func (d *batchDestination) Run(_ context.Context, stream cpluginv2.DestinationRunStream) error {
	var received []cpluginv2.Record
	defer func() { d.received <- received }()
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		received = append(received, req.Records...)
		if err := stream.Send(cpluginv2.DestinationRunResponse{Acks: d.ack(req.Records)}); err != nil {
			return err
		}
	}
}

// ackAll acks every record in order.
func ackAll(records []cpluginv2.Record) []cpluginv2.DestinationAck {
	acks := make([]cpluginv2.DestinationAck, len(records))
	for i, r := range records {
		acks[i] = cpluginv2.DestinationAck{AckPosition: r.Position}
	}
	return acks
}

func positionsOf(records []cpluginv2.Record) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = string(r.Position)
	}
	return out
}

// TestSourceBatches sends batches of 3, 1 and 4 records and acks each
// batch the host receives with one Send: every record arrives once, in
// order, in the connector's batches where the wire carries batches and one
// by one on protocol v1, and the connector gets every ack.
func TestSourceBatches(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		batches := [][]cpluginv2.Record{{rec(1), rec(2), rec(3)}, {rec(4)}, {rec(5), rec(6), rec(7), rec(8)}}
		src := &batchSource{batches: batches, acked: make(chan [][]byte, 1)}
		source, _ := tr.start(t, server.Connector{SourceV2: src})
		run := cpluginv2.RunSource(ctx, source)
		var sizes []int
		var got []cpluginv2.Record
		for len(got) < 8 {
			resp, err := run.Recv()
			if err != nil {
				t.Fatalf("Recv after %d records: %v", len(got), err)
			}
			sizes = append(sizes, len(resp.Records))
			got = append(got, resp.Records...)
			positions := make([][]byte, len(resp.Records))
			for i, r := range resp.Records {
				positions[i] = r.Position
			}
			if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: positions}); err != nil {
				t.Fatalf("Send acks: %v", err)
			}
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := run.Wait(); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		want := []string{"p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8"}
		if p := positionsOf(got); !slices.Equal(p, want) {
			t.Fatalf("records %v, want %v", p, want)
		}
		wantSizes := []int{3, 1, 4}
		if !tr.batched {
			wantSizes = []int{1, 1, 1, 1, 1, 1, 1, 1}
		}
		if !slices.Equal(sizes, wantSizes) {
			t.Errorf("batch sizes %v, want %v", sizes, wantSizes)
		}
		for i, r := range got {
			if want := "record " + strconv.Itoa(i+1); string(r.Payload.After.(cpluginv1.RawData)) != want {
				t.Errorf("record %d payload %q, want %q", i+1, r.Payload.After, want)
			}
		}
		acked := <-src.acked
		if len(acked) != 8 || string(acked[7]) != "p8" {
			t.Errorf("the connector got acks %q, want p1..p8", acked)
		}
	})
}

// TestSourceBatchWithBadRecord sends a batch whose third record has no
// position: the host gets the two before it, then a ContractError naming
// record 3 that ends the stream.
func TestSourceBatchWithBadRecord(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		bad := rec(3)
		bad.Position = nil
		src := &batchSource{batches: [][]cpluginv2.Record{{rec(1), rec(2), bad, rec(4)}}, acked: make(chan [][]byte, 1)}
		source, _ := tr.start(t, server.Connector{SourceV2: src})
		run := cpluginv2.RunSource(ctx, source)
		var got []cpluginv2.Record
		var err error
		for {
			var resp cpluginv2.SourceRunResponse
			if resp, err = run.Recv(); err != nil {
				break
			}
			got = append(got, resp.Records...)
		}
		if p := positionsOf(got); !slices.Equal(p, []string{"p1", "p2"}) {
			t.Errorf("records before the error %v, want [p1 p2]", p)
		}
		var contract *cpluginv2.ContractError
		if !errors.As(err, &contract) || !errors.Is(err, cpluginv1.ErrInvalidArgument) {
			t.Fatalf("Recv: %v, want a ContractError wrapping ErrInvalidArgument", err)
		}
		if want := "record 3 from the source"; !strings.Contains(err.Error(), want) {
			t.Errorf("Recv: %q, want it to name %q", err, want)
		}
		if err := run.Wait(); !errors.As(err, &contract) {
			t.Errorf("Wait: %v, want the ContractError", err)
		}
	})
}

// TestSourceAckBatchWithBadAck acks a batch of three with the second ack
// out of order: the first ack is sent, Send refuses the second with a
// ContractError, and the stream stays open for the right acks.
func TestSourceAckBatchWithBadAck(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		src := &batchSource{batches: [][]cpluginv2.Record{{rec(1), rec(2), rec(3)}}, acked: make(chan [][]byte, 1)}
		source, _ := tr.start(t, server.Connector{SourceV2: src})
		run := cpluginv2.RunSource(ctx, source)
		var got []cpluginv2.Record
		for len(got) < 3 {
			resp, err := run.Recv()
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, resp.Records...)
		}
		err := run.Send(cpluginv2.SourceRunRequest{AckPositions: [][]byte{[]byte("p1"), []byte("p3"), []byte("p2")}})
		if !errors.Is(err, cpluginv1.ErrFailedPrecondition) {
			t.Fatalf("Send: %v, want an error wrapping ErrFailedPrecondition", err)
		}
		if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: [][]byte{[]byte("p2"), []byte("p3")}}); err != nil {
			t.Fatalf("Send of the right acks after the refusal: %v", err)
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := run.Wait(); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if acked := <-src.acked; len(acked) != 3 || string(acked[0]) != "p1" || string(acked[2]) != "p3" {
			t.Errorf("the connector got acks %q, want p1 p2 p3", acked)
		}
	})
}

// TestSourceRunErrorsKeepTheirIdentity ends a v2 source's Run with an error
// wrapping ErrInvalidArgument, and with a panic: the host's Wait gets the
// sentinel, and "panic: ..." for the panic, in every mode.
func TestSourceRunErrorsKeepTheirIdentity(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		src := &batchSource{batches: [][]cpluginv2.Record{{rec(1)}}, fail: fmt.Errorf("bad table: %w", cpluginv1.ErrInvalidArgument)}
		source, _ := tr.start(t, server.Connector{SourceV2: src})
		run := cpluginv2.RunSource(ctx, source)
		if err := run.Wait(); !errors.Is(err, cpluginv1.ErrInvalidArgument) || !strings.Contains(err.Error(), "bad table") {
			t.Errorf("Wait: %v, want the connector's error wrapping ErrInvalidArgument", err)
		}

		panicky := &batchSource{batches: [][]cpluginv2.Record{{rec(1)}}, panicWith: "boom"}
		source, _ = tr.start(t, server.Connector{SourceV2: panicky})
		run = cpluginv2.RunSource(ctx, source)
		if err := run.Wait(); err == nil || !strings.Contains(err.Error(), "panic: boom") {
			t.Errorf("Wait after a panic: %v, want an error saying \"panic: boom\"", err)
		}
	})
}

// TestDestinationBatches sends batches of 2 and 3 records to a v2
// destination that acks each batch it receives in one Send: every ack
// arrives, in order, and the connector gets every record.
func TestDestinationBatches(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		dst := &batchDestination{ack: ackAll, received: make(chan []cpluginv2.Record, 1)}
		_, destination := tr.start(t, server.Connector{DestinationV2: dst})
		run := cpluginv2.RunDestination(ctx, destination)
		for _, b := range [][]cpluginv2.Record{{rec(1), rec(2)}, {rec(3), rec(4), rec(5)}} {
			if err := run.Send(cpluginv2.DestinationRunRequest{Records: b}); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		var acks []string
		for len(acks) < 5 {
			resp, err := run.Recv()
			if err != nil {
				t.Fatalf("Recv after %d acks: %v", len(acks), err)
			}
			for _, a := range resp.Acks {
				acks = append(acks, string(a.AckPosition))
			}
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := run.Wait(); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if want := []string{"p1", "p2", "p3", "p4", "p5"}; !slices.Equal(acks, want) {
			t.Errorf("acks %v, want %v", acks, want)
		}
		if got := positionsOf(<-dst.received); !slices.Equal(got, []string{"p1", "p2", "p3", "p4", "p5"}) {
			t.Errorf("the connector received %v", got)
		}
	})
}

// TestDestinationBatchWithBadRecord sends a batch whose second record has
// an undefined operation: the first is sent, Send refuses the second with a
// ContractError naming record 2, and the stream stays open.
func TestDestinationBatchWithBadRecord(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		dst := &batchDestination{ack: ackAll, received: make(chan []cpluginv2.Record, 1)}
		_, destination := tr.start(t, server.Connector{DestinationV2: dst})
		run := cpluginv2.RunDestination(ctx, destination)
		bad := rec(2)
		bad.Operation = 42
		err := run.Send(cpluginv2.DestinationRunRequest{Records: []cpluginv2.Record{rec(1), bad, rec(3)}})
		if !errors.Is(err, cpluginv1.ErrInvalidArgument) || !strings.Contains(err.Error(), "record 2 to the destination") {
			t.Fatalf("Send: %v, want a ContractError naming record 2", err)
		}
		fixed := rec(2)
		if err := run.Send(cpluginv2.DestinationRunRequest{Records: []cpluginv2.Record{fixed}}); err != nil {
			t.Fatalf("Send after the refusal: %v", err)
		}
		var acks []string
		for len(acks) < 2 {
			resp, err := run.Recv()
			if err != nil {
				t.Fatalf("Recv: %v", err)
			}
			for _, a := range resp.Acks {
				acks = append(acks, string(a.AckPosition))
			}
		}
		if err := run.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if err := run.Wait(); err != nil {
			t.Fatalf("Wait: %v", err)
		}
		if !slices.Equal(acks, []string{"p1", "p2"}) {
			t.Errorf("acks %v, want [p1 p2]", acks)
		}
	})
}

// TestDestinationAckBatchOutOfOrder has the destination ack a batch of
// three in the order 1, 3, 2: the host gets the first ack, then a
// ContractError naming ack 2 that ends the stream.
func TestDestinationAckBatchOutOfOrder(t *testing.T) {
	t.Parallel()
	forEachTransport(t, func(t *testing.T, tr transport) {
		ctx := testContext(t)
		swap := func(records []cpluginv2.Record) []cpluginv2.DestinationAck {
			acks := ackAll(records)
			if len(acks) == 3 {
				acks[1], acks[2] = acks[2], acks[1]
			}
			return acks
		}
		dst := &batchDestination{ack: swap, received: make(chan []cpluginv2.Record, 1)}
		_, destination := tr.start(t, server.Connector{DestinationV2: dst})
		run := cpluginv2.RunDestination(ctx, destination)
		if err := run.Send(cpluginv2.DestinationRunRequest{Records: []cpluginv2.Record{rec(1), rec(2), rec(3)}}); err != nil {
			t.Fatal(err)
		}
		if !tr.batched {
			// On protocol v1 the connector receives one record per message
			// and acks each alone: nothing to swap.
			t.Skip("a v1 stream carries one record per message")
		}
		var acks []string
		var err error
		for {
			var resp cpluginv2.DestinationRunResponse
			if resp, err = run.Recv(); err != nil {
				break
			}
			for _, a := range resp.Acks {
				acks = append(acks, string(a.AckPosition))
			}
		}
		if !slices.Equal(acks, []string{"p1"}) {
			t.Errorf("acks before the error %v, want [p1]", acks)
		}
		if !errors.Is(err, cpluginv1.ErrFailedPrecondition) || !strings.Contains(err.Error(), "ack 2 from the destination") {
			t.Fatalf("Recv: %v, want a ContractError naming ack 2", err)
		}
	})
}
