package cpluginv1

import (
	"context"
	"errors"
	"io"
	"testing"
)

// TestQueueOrder pushes and pops in patterns that drain the queue, keep it
// long enough to be compacted, and refill it: items come out in order.
func TestQueueOrder(t *testing.T) {
	q := newQueue[int]()
	ctx := context.Background()
	next, popped := 0, 0
	pop := func(n int) {
		t.Helper()
		for range n {
			v, err := q.pop(ctx)
			if err != nil || v != popped {
				t.Fatalf("pop = %d, %v; want %d", v, err, popped)
			}
			popped++
		}
	}
	push := func(n int) {
		t.Helper()
		for range n {
			if err := q.push(next); err != nil {
				t.Fatal(err)
			}
			next++
		}
	}
	push(3)
	pop(3) // drained
	push(5000)
	pop(3000) // compacted on the way
	push(10)
	pop(2010) // drained again
	if len(q.items) != 0 || q.head != 0 {
		t.Errorf("a drained queue holds %d items from %d", len(q.items), q.head)
	}
	push(2)
	q.close()
	pop(2)
	if _, err := q.pop(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("pop on a closed, empty queue: %v, want io.EOF", err)
	}
	if err := q.push(1); err == nil {
		t.Error("push on a closed queue succeeded")
	}
}
