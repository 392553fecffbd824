package runpipe_test

import (
	"context"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/connectorkit/conduit-connector-protocol/internal/runpipe"
)

// A side that sends while the other does not receive fills the buffer and
// then waits: what the pipe holds for the other side never grows beyond the
// buffer. (The ack queue this pipe replaced grew without end.) synctest.Wait
// returns once every goroutine of the test is blocked, so the counts are
// exact, not a matter of timing.
func TestBuffersAreBounded(t *testing.T) {
	t.Parallel()
	const outSize, inSize, extra = 4, 8, 5
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p := runpipe.New[int, int](ctx, outSize, inSize)

		// The connector sends (records of a source, acks of a destination)
		// while the host does not receive.
		var sentOut atomic.Int64
		go func() {
			for i := range outSize + extra {
				if p.ConnectorSend(i) != nil {
					return
				}
				sentOut.Add(1)
			}
		}()
		// The host sends (acks to a source, records to a destination) while
		// the connector does not receive.
		var sentIn atomic.Int64
		go func() {
			for i := range inSize + extra {
				if p.Send(i) != nil {
					return
				}
				sentIn.Add(1)
			}
		}()
		synctest.Wait()
		if got := sentOut.Load(); got != outSize {
			t.Errorf("the connector sent %d values nobody received, want it blocked after %d (the buffer)", got, outSize)
		}
		if got := sentIn.Load(); got != inSize {
			t.Errorf("the host sent %d values nobody received, want it blocked after %d (the buffer)", got, inSize)
		}

		// Receiving one value makes room for one more, in order.
		if v, err := p.Recv(); err != nil || v != 0 {
			t.Fatalf("host Recv = %d, %v; want 0", v, err)
		}
		if v, err := p.ConnectorRecv(); err != nil || v != 0 {
			t.Fatalf("connector Recv = %d, %v; want 0", v, err)
		}
		synctest.Wait()
		if got := sentOut.Load(); got != outSize+1 {
			t.Errorf("after one receive the connector had sent %d, want %d", got, outSize+1)
		}
		if got := sentIn.Load(); got != inSize+1 {
			t.Errorf("after one receive the host had sent %d, want %d", got, inSize+1)
		}

		// Ending the Run releases both senders.
		cancel()
		p.Finish(nil)
		synctest.Wait()
	})
}

// After Run returned, the host still receives what the connector sent
// before, then io.EOF (Run returned nil) or Run's error.
func TestValuesSentBeforeFinishAreDelivered(t *testing.T) {
	t.Parallel()
	p := runpipe.New[int, int](context.Background(), 4, 4)
	for i := range 3 {
		if err := p.ConnectorSend(i); err != nil {
			t.Fatal(err)
		}
	}
	p.Finish(nil)
	for i := range 3 {
		if v, err := p.Recv(); err != nil || v != i {
			t.Fatalf("Recv %d = %d, %v", i, v, err)
		}
	}
	if _, err := p.Recv(); err == nil || err.Error() != "EOF" {
		t.Fatalf("Recv after the last value = %v, want io.EOF", err)
	}
	if err := p.ConnectorSend(9); err == nil {
		t.Fatal("ConnectorSend after Finish succeeded, want ErrRunEnded")
	}
}
