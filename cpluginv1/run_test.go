package cpluginv1_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/testwait"
)

// testTimeout bounds every test here, so that a bug shows up as a failure
// with a message instead of a hung test binary.
const testTimeout = 10 * time.Second

// runSource is a SourcePlugin whose Run is the given function.
type runSource struct {
	cpluginv1.UnimplementedSourcePlugin
	run func(context.Context, cpluginv1.SourceRunStream) error
}

func (s runSource) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return s.run(ctx, stream)
}

// runDestination is a DestinationPlugin whose Run is the given function.
type runDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	run func(context.Context, cpluginv1.DestinationRunStream) error
}

func (d runDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.run(ctx, stream)
}

// testContext bounds every wait of a test by testTimeout; see testwait.Context.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, testTimeout)
}

func position(i int) []byte { return fmt.Appendf(nil, "pos-%d", i) }

func record(i int) cpluginv1.Record {
	return cpluginv1.Record{Position: position(i), Operation: cpluginv1.OperationCreate}
}

// wait waits for ch to be closed, or fails the test when ctx ends first.
func wait(ctx context.Context, t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("%s: %v", what, ctx.Err())
	}
}

func TestRunSourceRecordsAcksAndEndOfStream(t *testing.T) {
	ctx := testContext(t)
	const n = 300 // more than the stream's buffer, so Send has to wait for Recv
	connectorAcks := make(chan []byte, n)
	run := cpluginv1.RunSource(ctx, runSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		sendErr := make(chan error, 1)
		go func() {
			for i := range n {
				if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
					sendErr <- err
					return
				}
			}
			sendErr <- nil
		}()
		for {
			ack, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break // the host closed its side
			}
			if err != nil {
				return fmt.Errorf("recv: %w", err)
			}
			connectorAcks <- ack.AckPosition
		}
		return <-sendErr
	}})

	for i := range n {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		if got, want := string(resp.Record.Position), string(position(i)); got != want {
			t.Fatalf("record %d has position %q, want %q (records must keep their order)", i, got, want)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the connector's Run returned nil = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
	wait(ctx, t, run.Done(), "Done after Wait")
	close(connectorAcks)
	i := 0
	for ack := range connectorAcks {
		if got, want := string(ack), string(position(i)); got != want {
			t.Fatalf("connector got ack %d for %q, want %q (acks must keep their order)", i, got, want)
		}
		i++
	}
	if i != n {
		t.Fatalf("connector got %d acks, want %d", i, n)
	}
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(0)}); !errors.Is(err, io.EOF) {
		t.Errorf("Send after the end of the stream = %v, want io.EOF", err)
	}
}

func TestRunSourceDeliversRecordsSentBeforeRunFailed(t *testing.T) {
	ctx := testContext(t)
	runErr := errors.New("source broke")
	run := cpluginv1.RunSource(ctx, runSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		for i := range 3 {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
				return err
			}
		}
		return runErr
	}})
	wait(ctx, t, run.Done(), "Run to return")
	for i := range 3 {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv %d after Run returned: %v; records sent before must still arrive", i, err)
		}
		if got, want := string(resp.Record.Position), string(position(i)); got != want {
			t.Fatalf("record %d has position %q, want %q", i, got, want)
		}
	}
	if _, err := run.Recv(); !errors.Is(err, runErr) {
		t.Fatalf("Recv after the last record = %v, want Run's error %v", err, runErr)
	}
	if err := testwait.Run(ctx, t, run); !errors.Is(err, runErr) {
		t.Fatalf("Wait = %v, want %v", err, runErr)
	}
}

func TestRunSourceCancel(t *testing.T) {
	testCtx := testContext(t)
	ctx, cancel := context.WithCancel(testCtx)
	defer cancel()
	connectorErr := make(chan error, 1)
	run := cpluginv1.RunSource(ctx, runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
		_, err := stream.Recv() // no ack ever comes: only the cancellation ends this
		connectorErr <- err
		return ctx.Err()
	}})
	cancel()
	if _, err := run.Recv(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recv after cancel = %v, want context.Canceled", err)
	}
	if err := testwait.Receive(testCtx, t, connectorErr, "the connector's Recv to fail"); !errors.Is(err, context.Canceled) {
		t.Fatalf("connector's Recv after cancel = %v, want context.Canceled", err)
	}
}

// The host's end does not depend on the connector honouring its context:
// cancelling ends the host's Recv at once, in both directions.
func TestRunCancelEndsRecvWhenRunIgnoresContext(t *testing.T) {
	testCtx := testContext(t)
	ctx, cancel := context.WithCancel(testCtx)
	release := make(chan struct{})
	src := cpluginv1.RunSource(ctx, runSource{run: func(context.Context, cpluginv1.SourceRunStream) error {
		<-release
		return nil
	}})
	dst := cpluginv1.RunDestination(ctx, runDestination{run: func(context.Context, cpluginv1.DestinationRunStream) error {
		<-release
		return nil
	}})
	defer func() {
		close(release)
		_ = testwait.Run(testCtx, t, src)
		_ = testwait.Run(testCtx, t, dst)
	}()
	cancel()
	if _, err := src.Recv(); !errors.Is(err, context.Canceled) {
		t.Errorf("source Recv after cancel = %v, want context.Canceled", err)
	}
	if _, err := dst.Recv(); !errors.Is(err, context.Canceled) {
		t.Errorf("destination Recv after cancel = %v, want context.Canceled", err)
	}
}

func TestRunSourceSendAfterCloseSend(t *testing.T) {
	ctx := testContext(t)
	release := make(chan struct{})
	run := cpluginv1.RunSource(ctx, runSource{run: func(context.Context, cpluginv1.SourceRunStream) error {
		<-release
		return nil
	}})
	defer func() {
		close(release)
		_ = testwait.Run(ctx, t, run)
	}()
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("second CloseSend = %v, want nil (closing twice is harmless)", err)
	}
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(1)}); !errors.Is(err, cpluginv1.ErrSendClosed) {
		t.Fatalf("Send after CloseSend = %v, want the error of a send after CloseSend", err)
	}
}

// A goroutine that the connector (or a transport) left waiting on the
// stream must not wait forever once Run has returned, even though the host
// neither closes its side nor cancels.
func TestRunSourceStreamEndsWithRun(t *testing.T) {
	ctx := testContext(t)
	leftRecv := make(chan error, 1)
	leftSend := make(chan error, 1)
	running := make(chan struct{})
	run := cpluginv1.RunSource(ctx, runSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		go func() {
			_, err := stream.Recv()
			leftRecv <- err
		}()
		go func() {
			// Fill the stream's buffer: the host never receives.
			for i := 0; ; i++ {
				if i == 1 {
					close(running)
				}
				if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
					leftSend <- err
					return
				}
			}
		}()
		<-running
		return nil
	}})
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	for what, ch := range map[string]chan error{"Recv": leftRecv, "Send": leftSend} {
		select {
		case err := <-ch:
			if !errors.Is(err, cpluginv1.ErrRunEnded) {
				t.Errorf("connector's %s after Run returned = %v, want the error saying Run returned", what, err)
			}
		case <-ctx.Done():
			t.Fatalf("connector's %s still blocked after Run returned", what)
		}
	}
}

func TestRunDestinationRecordsAcksAndEndOfStream(t *testing.T) {
	ctx := testContext(t)
	const n = 300 // more than the stream's buffer
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		for {
			req, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("recv: %w", err)
			}
			ack := cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}
			if string(req.Record.Position) == string(position(7)) {
				ack.Error = "record 7 is not welcome"
			}
			if err := stream.Send(ack); err != nil {
				return fmt.Errorf("send: %w", err)
			}
		}
	}})

	sendErr := make(chan error, 1)
	go func() {
		for i := range n {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
				sendErr <- fmt.Errorf("Send %d: %w", i, err)
				return
			}
		}
		sendErr <- run.CloseSend()
	}()
	for i := range n {
		ack, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv ack %d: %v", i, err)
		}
		if got, want := string(ack.AckPosition), string(position(i)); got != want {
			t.Fatalf("ack %d is for %q, want %q", i, got, want)
		}
		if wantNack := i == 7; (ack.Error != "") != wantNack {
			t.Fatalf("ack %d has Error %q; want a negative ack only for record 7", i, ack.Error)
		}
	}
	if err := testwait.Receive(ctx, t, sendErr, "the sending goroutine"); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the connector's Run returned nil = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(n)}); err == nil {
		t.Error("Send after CloseSend = nil, want an error")
	}
}

func TestRunDestinationSendAfterRunReturned(t *testing.T) {
	ctx := testContext(t)
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(context.Context, cpluginv1.DestinationRunStream) error {
		return nil
	}})
	wait(ctx, t, run.Done(), "Run to return")
	// The buffer has room: Send must still report the end of the stream
	// rather than queue a record that nobody will receive.
	for i := range 10 {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); !errors.Is(err, io.EOF) {
			t.Fatalf("Send %d after Run returned = %v, want io.EOF", i, err)
		}
	}
}

func TestRunDestinationRunError(t *testing.T) {
	ctx := testContext(t)
	runErr := fmt.Errorf("write: %w", cpluginv1.ErrInvalidArgument)
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		req, err := stream.Recv()
		if err != nil {
			return err
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
		return runErr
	}})
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(1)}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ack, err := run.Recv()
	if err != nil {
		t.Fatalf("Recv: %v; the ack sent before Run failed must arrive", err)
	}
	if string(ack.AckPosition) != string(position(1)) {
		t.Fatalf("ack for %q, want %q", ack.AckPosition, position(1))
	}
	if _, err := run.Recv(); !errors.Is(err, runErr) {
		t.Fatalf("Recv after the last ack = %v, want Run's error", err)
	}
}

func TestRunDestinationCancel(t *testing.T) {
	testCtx := testContext(t)
	ctx, cancel := context.WithCancel(testCtx)
	defer cancel()
	connectorErr := make(chan error, 1)
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
		_, err := stream.Recv() // no record ever comes: only the cancellation ends this
		connectorErr <- err
		return ctx.Err()
	}})
	cancel()
	if _, err := run.Recv(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recv after cancel = %v, want context.Canceled", err)
	}
	if err := testwait.Receive(testCtx, t, connectorErr, "the connector's Recv to fail"); !errors.Is(err, context.Canceled) {
		t.Fatalf("connector's Recv after cancel = %v, want context.Canceled", err)
	}
	if err := testwait.Run(testCtx, t, run); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %v, want context.Canceled", err)
	}
}

func TestRunDestinationCloseSendDeliversBufferedRecords(t *testing.T) {
	ctx := testContext(t)
	release := make(chan struct{})
	received := make(chan int, 1)
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		<-release // the host sends and closes before the connector reads
		n := 0
		for {
			_, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				received <- n
				return nil
			}
			if err != nil {
				return err
			}
			n++
		}
	}})
	for i := range 5 {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	close(release)
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if n := testwait.Receive(ctx, t, received, "the connector's count"); n != 5 {
		t.Fatalf("connector received %d records before io.EOF, want the 5 sent before CloseSend", n)
	}
}

// As TestRunSourceStreamEndsWithRun, for the destination's connector end.
func TestRunDestinationStreamEndsWithRun(t *testing.T) {
	ctx := testContext(t)
	leftRecv := make(chan error, 1)
	leftSend := make(chan error, 1)
	returned := make(chan struct{})
	run := cpluginv1.RunDestination(ctx, runDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		go func() {
			_, err := stream.Recv()
			leftRecv <- err
		}()
		go func() {
			// An ack sent late, by a goroutine the connector forgot.
			<-returned
			leftSend <- stream.Send(cpluginv1.DestinationRunResponse{AckPosition: position(1)})
		}()
		return nil
	}})
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v", err)
	}
	close(returned)
	for what, ch := range map[string]chan error{"Recv": leftRecv, "Send": leftSend} {
		select {
		case err := <-ch:
			if !errors.Is(err, cpluginv1.ErrRunEnded) {
				t.Errorf("connector's %s after Run returned = %v, want the error saying Run returned", what, err)
			}
		case <-ctx.Done():
			t.Fatalf("connector's %s still blocked after Run returned", what)
		}
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("host Recv after Run returned nil = %v, want io.EOF (the late ack is not delivered)", err)
	}
}
