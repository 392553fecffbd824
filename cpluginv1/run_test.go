package cpluginv1_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
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
	testwait.Receive(ctx, t, ch, what)
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
	wait(ctx, t, cpluginv1.RunEnded(run), "Done after Wait")
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
	wait(ctx, t, cpluginv1.RunEnded(run), "Run to return")
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
	wait(ctx, t, cpluginv1.RunEnded(run), "Run to return")
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

// checkContractError checks that err is a *cpluginv1.ContractError with
// message want that wraps sentinel.
func checkContractError(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	var contractErr *cpluginv1.ContractError
	if !errors.As(err, &contractErr) {
		t.Fatalf("%s = %v (%T), want a *cpluginv1.ContractError %q", what, err, err, want)
	}
	if err.Error() != want {
		t.Errorf("%s: message\n%q, want\n%q", what, err.Error(), want)
	}
	if !errors.Is(err, sentinel) {
		t.Errorf("%s = %v: errors.Is(err, %v) = false", what, err, sentinel)
	}
	for _, other := range []error{cpluginv1.ErrInvalidArgument, cpluginv1.ErrFailedPrecondition} {
		if !errors.Is(sentinel, other) && errors.Is(err, other) {
			t.Errorf("%s = %v: errors.Is(err, %v) = true, want only %v", what, err, other, sentinel)
		}
	}
}

// sendingSource is a source connector that sends records and then waits
// until its Run context ends, reporting on connectorErr what its Run saw:
// the context's error.
func sendingSource(connectorErr chan<- error, records ...cpluginv1.Record) runSource {
	return runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
		for _, r := range records {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: r}); err != nil {
				connectorErr <- err
				return err
			}
		}
		<-ctx.Done()
		connectorErr <- ctx.Err()
		return ctx.Err()
	}}
}

// recvPositions receives n records and checks that they are records
// first, first+1, ... in order.
func recvPositions(t *testing.T, run *cpluginv1.SourceRun, first, n int) {
	t.Helper()
	var got []string
	for i := first; i < first+n; i++ {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv after %d records (%q): %v", len(got), got, err)
		}
		got = append(got, string(resp.Record.Position))
		if want := position(i); !bytes.Equal(resp.Record.Position, want) {
			t.Fatalf("Recv returned records %q, want %q next", got, want)
		}
	}
}

// checkSourceEnded checks that the stream ended with the contract error
// want: Recv and Wait return it, Send no longer sends, and the connector's
// Run context was cancelled.
func checkSourceEnded(ctx context.Context, t *testing.T, run *cpluginv1.SourceRun, connectorErr <-chan error, want string, sentinel error) {
	t.Helper()
	_, err := run.Recv()
	checkContractError(t, "Recv", err, want, sentinel)
	_, err = run.Recv()
	checkContractError(t, "Recv again", err, want, sentinel)
	if err := testwait.Receive(ctx, t, connectorErr, "the connector's Run to see the end of the stream"); !errors.Is(err, context.Canceled) {
		t.Errorf("the connector's Run saw %v, want context.Canceled", err)
	}
	checkContractError(t, "Wait", testwait.Run(ctx, t, run), want, sentinel)
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(1)}); !errors.Is(err, io.EOF) {
		t.Errorf("Send after the stream ended = %v, want io.EOF", err)
	}
}

func TestSourceRunRejectsRecordWithoutPosition(t *testing.T) {
	ctx := testContext(t)
	connectorErr := make(chan error, 1)
	run := cpluginv1.RunSource(ctx, sendingSource(connectorErr, record(1), cpluginv1.Record{Operation: cpluginv1.OperationCreate}, record(3)))
	recvPositions(t, run, 1, 1)
	checkSourceEnded(ctx, t, run, connectorErr,
		"record 2 from the source: position is empty; every record needs one, as acks name records by their position",
		cpluginv1.ErrInvalidArgument)
}

func TestSourceRunRejectsRecordWithUndefinedOperation(t *testing.T) {
	for _, op := range []cpluginv1.Operation{0, 5, -1} {
		t.Run(op.String(), func(t *testing.T) {
			ctx := testContext(t)
			connectorErr := make(chan error, 1)
			bad := record(2)
			bad.Operation = op
			run := cpluginv1.RunSource(ctx, sendingSource(connectorErr, record(1), bad))
			recvPositions(t, run, 1, 1)
			checkSourceEnded(ctx, t, run, connectorErr,
				fmt.Sprintf(`record 2 from the source (position "pos-2"): operation is %d, want create (1), update (2), delete (3) or snapshot (4)`, op),
				cpluginv1.ErrInvalidArgument)
		})
	}
}

// The host's end rejects a bad record even from a connector that ignores
// its context: Recv does not wait for the connector's Run to return.
func TestSourceRunRejectsRecordWhenRunIgnoresContext(t *testing.T) {
	ctx := testContext(t)
	release := make(chan struct{})
	run := cpluginv1.RunSource(ctx, runSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		_ = stream.Send(cpluginv1.SourceRunResponse{Record: cpluginv1.Record{Position: position(1)}})
		<-release
		return nil
	}})
	_, err := run.Recv()
	checkContractError(t, "Recv", err, `record 1 from the source (position "pos-1"): operation is 0, want create (1), update (2), delete (3) or snapshot (4)`, cpluginv1.ErrInvalidArgument)
	close(release)
	checkContractError(t, "Wait", testwait.Run(ctx, t, run), err.Error(), cpluginv1.ErrInvalidArgument)
}

// ackingSource is a source connector that sends n records and then reports
// every ack it receives on acks, until the host closes its side.
func ackingSource(n int, acks chan<- []byte) runSource {
	return runSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		for i := 1; i <= n; i++ {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
				return err
			}
		}
		for {
			ack, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				close(acks)
				return nil
			}
			if err != nil {
				return err
			}
			acks <- ack.AckPosition
		}
	}}
}

const (
	wantPos1 = `: the oldest record not acked yet is record 1 (position "pos-1")`
	wantPos2 = `: the oldest record not acked yet is record 2 (position "pos-2")`
)

func TestSourceRunRejectsAckOutOfOrder(t *testing.T) {
	testSourceRunRejectsAck(t, 0, position(2), cpluginv1.ErrFailedPrecondition,
		`ack for position "pos-2" is out of order (it names record 2)`+wantPos1+"; acks follow the order of the records")
}

func TestSourceRunRejectsAckNeverSent(t *testing.T) {
	testSourceRunRejectsAck(t, 1, []byte("never"), cpluginv1.ErrFailedPrecondition,
		`ack for position "never" names no record the host received from the source`+wantPos2)
}

// The host has not received record 3 yet, although the connector sent it.
func TestSourceRunRejectsAckForRecordNotReceived(t *testing.T) {
	testSourceRunRejectsAck(t, 0, position(3), cpluginv1.ErrFailedPrecondition,
		`ack for position "pos-3" names no record the host received from the source`+wantPos1)
}

func TestSourceRunRejectsDuplicateAck(t *testing.T) {
	testSourceRunRejectsAck(t, 1, position(1), cpluginv1.ErrFailedPrecondition,
		`ack for position "pos-1" repeats the ack of record 1`+wantPos2)
}

func TestSourceRunRejectsDuplicateAckWhenAllAcked(t *testing.T) {
	testSourceRunRejectsAck(t, 2, position(2), cpluginv1.ErrFailedPrecondition,
		`ack for position "pos-2" repeats the ack of record 2: every record is acked already`)
}

func TestSourceRunRejectsEmptyAck(t *testing.T) {
	testSourceRunRejectsAck(t, 0, nil, cpluginv1.ErrInvalidArgument,
		"ack_position is empty; an ack names the record it acknowledges by the record's position")
}

// A position that is not printable text is shown in hexadecimal.
func TestSourceRunRejectsAckNeverSentBinary(t *testing.T) {
	testSourceRunRejectsAck(t, 0, []byte{0, 0xff}, cpluginv1.ErrFailedPrecondition,
		`ack for position 0x00ff names no record the host received from the source`+wantPos1)
}

// testSourceRunRejectsAck: the connector sends 3 records, the host receives
// 2 and sends the first acked acks in order, then ack, which must be
// refused with the message want; nothing reaches the connector, and the
// stream stays open for the right acks.
func testSourceRunRejectsAck(t *testing.T, acked int, ack []byte, sentinel error, want string) {
	t.Helper()
	ctx := testContext(t)
	acks := make(chan []byte, 10)
	run := cpluginv1.RunSource(ctx, ackingSource(3, acks))
	recvPositions(t, run, 1, 2)
	for i := 1; i <= acked; i++ {
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(i)}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	checkContractError(t, "Send of the bad ack", run.Send(cpluginv1.SourceRunRequest{AckPosition: ack}), want, sentinel)

	recvPositions(t, run, 3, 1)
	for i := acked + 1; i <= 3; i++ {
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(i)}); err != nil {
			t.Fatalf("Send ack %d after the bad ack: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
	var got []string
	for ack := range acks {
		got = append(got, string(ack))
	}
	if want := []string{"pos-1", "pos-2", "pos-3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the connector got acks %q, want %q: the bad ack must not be sent", got, want)
	}
}

// stoppableSource is a source connector whose records come from records
// and whose Stop answers with the position from stop.
type stoppableSource struct {
	runSource
	stop func() []byte
}

func (s stoppableSource) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{LastPosition: s.stop()}, nil
}

// TestSourceRunAcceptsRecordsUpToStopPosition is the normal end of a run:
// the records up to the position Stop returned arrive, whether before or
// after Stop returned, and nothing is rejected.
func TestSourceRunAcceptsRecordsUpToStopPosition(t *testing.T) {
	ctx := testContext(t)
	more := make(chan struct{})
	src := stoppableSource{
		runSource: runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
			for i := 1; i <= 4; i++ {
				if i == 3 {
					<-more // records 3 and 4 come after Stop returned
				}
				if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
					return err
				}
			}
			for {
				if _, err := stream.Recv(); err != nil {
					return nil
				}
			}
		}},
		stop: func() []byte { return position(4) },
	}
	run := cpluginv1.RunSource(ctx, src)
	recvPositions(t, run, 1, 2)
	stop, err := run.Stop(ctx)
	if err != nil || string(stop.LastPosition) != "pos-4" {
		t.Fatalf("Stop = %q, %v, want \"pos-4\"", stop.LastPosition, err)
	}
	close(more)
	recvPositions(t, run, 3, 2)
	for i := 1; i <= 4; i++ {
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position(i)}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
}

// TestSourceRunRejectsRecordAfterStopPosition covers the three orders in
// which a record after the Stop position can reach the host: after Stop
// returned (with the Stop position received before or after Stop
// returned), or before Stop returned. The error is the same.
func TestSourceRunRejectsRecordAfterStopPosition(t *testing.T) {
	const want = `record 3 from the source (position "pos-3") came after record 2 (position "pos-2"), the last position Stop returned; a source sends nothing after that record`
	for _, tt := range []struct {
		name          string
		beforeStop    int // records the host receives before it calls Stop
		recordsBefore int // records the connector sends before Stop returns
	}{
		{"StopPositionAfterStop", 1, 1},
		{"StopPositionBeforeStop", 2, 2},
		{"ExtraRecordBeforeStop", 3, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t)
			connectorErr := make(chan error, 1)
			more := make(chan struct{})
			src := stoppableSource{
				runSource: runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
					for i := 1; i <= 3; i++ {
						if i == tt.recordsBefore+1 {
							<-more
						}
						if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(i)}); err != nil {
							connectorErr <- err
							return err
						}
					}
					<-ctx.Done()
					connectorErr <- ctx.Err()
					return ctx.Err()
				}},
				stop: func() []byte { return position(2) },
			}
			run := cpluginv1.RunSource(ctx, src)
			recvPositions(t, run, 1, tt.beforeStop)
			if _, err := run.Stop(ctx); err != nil {
				t.Fatalf("Stop: %v", err)
			}
			close(more)
			recvPositions(t, run, tt.beforeStop+1, 2-min(tt.beforeStop, 2))
			checkSourceEnded(ctx, t, run, connectorErr, want, cpluginv1.ErrFailedPrecondition)
		})
	}
}

func TestSourceRunRejectsRecordAfterEmptyStopPosition(t *testing.T) {
	t.Run("RecordAfterStop", func(t *testing.T) {
		ctx := testContext(t)
		connectorErr := make(chan error, 1)
		more := make(chan struct{})
		src := stoppableSource{
			runSource: runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
				<-more
				if err := stream.Send(cpluginv1.SourceRunResponse{Record: record(1)}); err != nil {
					connectorErr <- err
					return err
				}
				<-ctx.Done()
				connectorErr <- ctx.Err()
				return ctx.Err()
			}},
			stop: func() []byte { return nil },
		}
		run := cpluginv1.RunSource(ctx, src)
		if _, err := run.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		close(more)
		checkSourceEnded(ctx, t, run, connectorErr,
			`record 1 from the source (position "pos-1") came although Stop returned an empty last position, which says that the source has sent no record`,
			cpluginv1.ErrFailedPrecondition)
	})
	t.Run("RecordsBeforeStop", func(t *testing.T) {
		ctx := testContext(t)
		connectorErr := make(chan error, 1)
		run := cpluginv1.RunSource(ctx, stoppableSource{
			runSource: sendingSource(connectorErr, record(1), record(2)),
			stop:      func() []byte { return nil },
		})
		recvPositions(t, run, 1, 2)
		if _, err := run.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		checkSourceEnded(ctx, t, run, connectorErr,
			`record 2 from the source (position "pos-2") came although Stop returned an empty last position, which says that the source has sent no record`,
			cpluginv1.ErrFailedPrecondition)
	})
}

func TestSourceRunStopReturnsConnectorError(t *testing.T) {
	ctx := testContext(t)
	run := cpluginv1.RunSource(ctx, runSource{run: func(context.Context, cpluginv1.SourceRunStream) error { return nil }})
	// UnimplementedSourcePlugin's Stop fails with ErrUnimplemented.
	if _, err := run.Stop(ctx); !errors.Is(err, cpluginv1.ErrUnimplemented) {
		t.Fatalf("Stop = %v, want the connector's ErrUnimplemented", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Wait = %v, want nil: a failed Stop does not end the stream", err)
	}
}

// ackingDestination is a destination connector that answers every record
// with the ack ackFor gives, and reports on connectorErr what ended its
// Run.
func ackingDestination(connectorErr chan<- error, ackFor func(n int, rec cpluginv1.Record) []cpluginv1.DestinationRunResponse) runDestination {
	return runDestination{run: func(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
		for n := 1; ; n++ {
			req, err := stream.Recv()
			if err != nil {
				connectorErr <- err
				return err
			}
			for _, ack := range ackFor(n, req.Record) {
				if err := stream.Send(ack); err != nil {
					connectorErr <- err
					return err
				}
			}
		}
	}}
}

func TestDestinationRunRejectsRecordWithoutPosition(t *testing.T) {
	testDestinationRunRejectsRecord(t, cpluginv1.Record{Operation: cpluginv1.OperationUpdate},
		"record 2 to the destination: position is empty; every record needs one, as acks name records by their position")
}

func TestDestinationRunRejectsRecordWithUndefinedOperation(t *testing.T) {
	testDestinationRunRejectsRecord(t, cpluginv1.Record{Position: []byte{0x01, 0x02}, Operation: 9},
		"record 2 to the destination (position 0x0102): operation is 9, want create (1), update (2), delete (3) or snapshot (4)")
}

// testDestinationRunRejectsRecord: the host's Send refuses bad, which is
// not sent, and the stream goes on.
func testDestinationRunRejectsRecord(t *testing.T, bad cpluginv1.Record, want string) {
	t.Helper()
	ctx := testContext(t)
	connectorErr := make(chan error, 1)
	run := cpluginv1.RunDestination(ctx, ackingDestination(connectorErr, func(_ int, rec cpluginv1.Record) []cpluginv1.DestinationRunResponse {
		return []cpluginv1.DestinationRunResponse{{AckPosition: rec.Position}}
	}))
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(1)}); err != nil {
		t.Fatalf("Send record 1: %v", err)
	}
	checkContractError(t, "Send of the bad record", run.Send(cpluginv1.DestinationRunRequest{Record: bad}), want, cpluginv1.ErrInvalidArgument)
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(2)}); err != nil {
		t.Fatalf("Send record 2 after the bad one: %v", err)
	}
	for i := 1; i <= 2; i++ {
		ack, err := run.Recv()
		if err != nil || string(ack.AckPosition) != string(position(i)) {
			t.Fatalf("Recv ack %d = %q, %v, want %q: the bad record must not reach the connector", i, ack.AckPosition, err, position(i))
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := testwait.Receive(ctx, t, connectorErr, "the connector's Run to end"); !errors.Is(err, io.EOF) {
		t.Fatalf("connector's Recv after CloseSend = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); !errors.Is(err, io.EOF) {
		t.Fatalf("Wait = %v, want the connector's io.EOF", err)
	}
}

func destinationAck(p string) cpluginv1.DestinationRunResponse {
	return cpluginv1.DestinationRunResponse{AckPosition: []byte(p)}
}

func TestDestinationRunRejectsAckOutOfOrder(t *testing.T) {
	testDestinationRunRejectsAck(t, map[int][]cpluginv1.DestinationRunResponse{1: nil, 2: {destinationAck("pos-2"), destinationAck("pos-1")}}, 0,
		cpluginv1.ErrFailedPrecondition,
		`ack 1 from the destination, for position "pos-2", is out of order (it names record 2)`+wantPos1+"; acks follow the order of the records")
}

func TestDestinationRunRejectsAckNeverSent(t *testing.T) {
	testDestinationRunRejectsAck(t, map[int][]cpluginv1.DestinationRunResponse{2: {destinationAck("pos-9")}}, 1,
		cpluginv1.ErrFailedPrecondition,
		`ack 2 from the destination, for position "pos-9", names no record the host sent`+wantPos2)
}

func TestDestinationRunRejectsDuplicateAck(t *testing.T) {
	testDestinationRunRejectsAck(t, map[int][]cpluginv1.DestinationRunResponse{2: {destinationAck("pos-1")}}, 1,
		cpluginv1.ErrFailedPrecondition,
		`ack 2 from the destination, for position "pos-1", repeats the ack of record 1`+wantPos2)
}

// An ack more than there were records: a duplicate of the last one.
func TestDestinationRunRejectsExtraAck(t *testing.T) {
	testDestinationRunRejectsAck(t, map[int][]cpluginv1.DestinationRunResponse{2: {destinationAck("pos-2"), destinationAck("pos-2")}}, 2,
		cpluginv1.ErrFailedPrecondition,
		`ack 3 from the destination, for position "pos-2", repeats the ack of record 2: every record is acked already`)
}

func TestDestinationRunRejectsEmptyAck(t *testing.T) {
	testDestinationRunRejectsAck(t, map[int][]cpluginv1.DestinationRunResponse{2: {{Error: "no position"}}}, 1,
		cpluginv1.ErrInvalidArgument,
		`ack 2 from the destination: ack_position is empty; an ack names the record it acknowledges by the record's position`+wantPos2)
}

// testDestinationRunRejectsAck: the host sends 2 records; the connector
// answers record n with acks[n] (default: its own ack). After good acks
// in order, Recv refuses the next one with the message want; the stream
// ends, and the connector's Run context is cancelled.
func testDestinationRunRejectsAck(t *testing.T, acks map[int][]cpluginv1.DestinationRunResponse, good int, sentinel error, want string) {
	t.Helper()
	ctx := testContext(t)
	connectorErr := make(chan error, 1)
	run := cpluginv1.RunDestination(ctx, ackingDestination(connectorErr, func(n int, rec cpluginv1.Record) []cpluginv1.DestinationRunResponse {
		if acks, ok := acks[n]; ok {
			return acks
		}
		return []cpluginv1.DestinationRunResponse{{AckPosition: rec.Position}}
	}))
	for i := 1; i <= 2; i++ {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
			t.Fatalf("Send record %d: %v", i, err)
		}
	}
	for i := 1; i <= good; i++ {
		if ack, err := run.Recv(); err != nil || string(ack.AckPosition) != string(position(i)) {
			t.Fatalf("Recv ack %d = %q, %v, want %q", i, ack.AckPosition, err, position(i))
		}
	}
	_, err := run.Recv()
	checkContractError(t, "Recv of the bad ack", err, want, sentinel)
	_, err = run.Recv()
	checkContractError(t, "Recv again", err, want, sentinel)
	if err := testwait.Receive(ctx, t, connectorErr, "the connector's Run to see the end of the stream"); !errors.Is(err, context.Canceled) {
		t.Errorf("the connector's Run saw %v, want context.Canceled", err)
	}
	checkContractError(t, "Wait", testwait.Run(ctx, t, run), want, sentinel)
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(3)}); !errors.Is(err, io.EOF) {
		t.Errorf("Send after the stream ended = %v, want io.EOF", err)
	}
}

// BenchmarkSourceRunRecordAndAck is the host's hot path on a source Run
// stream with the contract checks: a record received and acked in order.
func BenchmarkSourceRunRecordAndAck(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := record(1)
	run := cpluginv1.RunSource(ctx, runSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
		go func() {
			for {
				if _, err := stream.Recv(); err != nil {
					return
				}
			}
		}()
		for {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
				return nil
			}
		}
	}})
	b.ReportAllocs()
	for b.Loop() {
		resp, err := run.Recv()
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			b.Fatal(err)
		}
	}
	cancel()
	<-cpluginv1.RunEnded(run)
}
