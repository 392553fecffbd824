package positions_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
)

func TestTrackerClassifiesAcks(t *testing.T) {
	var tr positions.Tracker
	for _, p := range []string{"a", "b", "c", "d"} {
		tr.Push([]byte(p))
	}
	steps := []struct {
		ack  string
		want positions.Result
	}{
		{"a", positions.Result{Verdict: positions.Expected, Record: 1}},
		{"c", positions.Result{Verdict: positions.OutOfOrder, Record: 3}},
		{"a", positions.Result{Verdict: positions.Duplicate, Record: 1}},
		{"x", positions.Result{Verdict: positions.Unknown}},
		{"", positions.Result{Verdict: positions.Unknown}},
		{"b", positions.Result{Verdict: positions.Expected, Record: 2}},
		{"c", positions.Result{Verdict: positions.Expected, Record: 3}},
		{"b", positions.Result{Verdict: positions.Duplicate, Record: 2}},
		{"d", positions.Result{Verdict: positions.Expected, Record: 4}},
		{"d", positions.Result{Verdict: positions.Duplicate, Record: 4}},
		{"e", positions.Result{Verdict: positions.Unknown}},
	}
	for i, s := range steps {
		if got := tr.Ack([]byte(s.ack)); got != s.want {
			t.Fatalf("step %d: Ack(%q) = %+v, want %+v", i+1, s.ack, got, s.want)
		}
	}
	if tr.Sent() != 4 || tr.Acked() != 4 {
		t.Fatalf("Sent, Acked = %d, %d, want 4, 4", tr.Sent(), tr.Acked())
	}
	if p, ok := tr.Oldest(); ok {
		t.Fatalf("Oldest = %q with every record acked, want none", p)
	}
}

// TestTrackerForgetsOldAcks: a duplicate of an ack more than History acks
// ago is no longer recognised, and numbering and lookups keep working
// across the compaction of the window.
func TestTrackerForgetsOldAcks(t *testing.T) {
	var tr positions.Tracker
	const n = 5 * positions.History
	pos := func(i int) []byte { return fmt.Appendf(nil, "p%d", i) }
	for i := 1; i <= n; i++ {
		tr.Push(pos(i))
		if i > 3 { // keep three records in flight
			if got := tr.Ack(pos(i - 3)); got.Verdict != positions.Expected || got.Record != i-3 {
				t.Fatalf("Ack(%q) = %+v, want expected record %d", pos(i-3), got, i-3)
			}
		}
	}
	acked := n - 3
	if got := tr.Ack(pos(acked - positions.History + 1)); got.Verdict != positions.Duplicate || got.Record != acked-positions.History+1 {
		t.Fatalf("Ack of the oldest remembered position = %+v, want a duplicate of record %d", got, acked-positions.History+1)
	}
	if got := tr.Ack(pos(acked - positions.History)); got.Verdict != positions.Unknown {
		t.Fatalf("Ack of a position acked more than History acks ago = %+v, want unknown", got)
	}
	if got := tr.Ack(pos(n)); got.Verdict != positions.OutOfOrder || got.Record != n {
		t.Fatalf("Ack of the newest record = %+v, want out of order, record %d", got, n)
	}
	if p, ok := tr.Oldest(); !ok || !bytes.Equal(p, pos(acked+1)) {
		t.Fatalf("Oldest = %q, %v, want %q", p, ok, pos(acked+1))
	}
	if p, ok := tr.Position(n); !ok || !bytes.Equal(p, pos(n)) {
		t.Fatalf("Position(%d) = %q, %v, want %q", n, p, ok, pos(n))
	}
	if p, ok := tr.Position(1); ok {
		t.Fatalf("Position(1) = %q, long after it left the window, want none", p)
	}
	if got, ok := tr.Find(pos(n - 1)); !ok || got != n-1 {
		t.Fatalf("Find(%q) = %d, %v, want %d", pos(n-1), got, ok, n-1)
	}
}

func TestTrackerKeepsACopy(t *testing.T) {
	var tr positions.Tracker
	p := []byte("abc")
	tr.Push(p)
	p[0] = 'X'
	if got := tr.Ack([]byte("abc")); got.Verdict != positions.Expected {
		t.Fatalf("Ack after the caller changed its slice = %+v, want expected: Push must copy", got)
	}
}

func TestFormat(t *testing.T) {
	long := strings.Repeat("a", 100)
	tests := []struct {
		in   []byte
		want string
	}{
		{nil, `""`},
		{[]byte("pos-1"), `"pos-1"`},
		{[]byte(`{"id":5}`), `"{\"id\":5}"`},
		{[]byte("line\nbreak"), `"line\nbreak"`},
		{[]byte("ünïcödé ✓"), `"ünïcödé ✓"`},
		{[]byte{0, 1, 0xff}, "0x0001ff"},
		{[]byte("bad\xffutf8"), "0x626164ff75746638"},
		{[]byte(long), `"` + long[:64] + `"... (100 bytes)`},
		{bytes.Repeat([]byte{0xab}, 40), "0x" + strings.Repeat("ab", 32) + "... (40 bytes)"},
		// Truncation does not split a character.
		{[]byte(strings.Repeat("a", 63) + "é" + "rest"), `"` + strings.Repeat("a", 63) + `"... (69 bytes)`},
	}
	for _, tt := range tests {
		if got := positions.Format(tt.in); got != tt.want {
			t.Errorf("Format(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// BenchmarkTrackerInOrder is the hot path: a record sent, then acked in
// order, with a few in flight. It must not allocate once warm.
func BenchmarkTrackerInOrder(b *testing.B) {
	var tr positions.Tracker
	const inFlight = 128
	ps := make([][]byte, inFlight)
	for i := range ps {
		ps[i] = fmt.Appendf(nil, `{"table":"users","lsn":%d}`, 1000000+i)
	}
	for i := range inFlight {
		tr.Push(ps[i])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tr.Push(ps[i%inFlight])
		if r := tr.Ack(ps[i%inFlight]); r.Verdict != positions.Expected {
			b.Fatalf("Ack = %+v", r)
		}
	}
}

func TestTrackerInOrderDoesNotAllocate(t *testing.T) {
	var tr positions.Tracker
	p := []byte(`{"table":"users","lsn":1000000}`)
	for range 10 * positions.History { // warm up: the buffers reach their working size
		tr.Push(p)
		tr.Ack(p)
	}
	if allocs := testing.AllocsPerRun(10*positions.History, func() {
		tr.Push(p)
		tr.Ack(p)
	}); allocs != 0 {
		t.Fatalf("a record sent and acked in order allocates %v times, want 0", allocs)
	}
}
