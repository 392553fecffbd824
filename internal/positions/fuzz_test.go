package positions_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/internal/positions"
)

// model is the obviously right, slow Tracker the fuzz target compares with:
// it keeps every position sent.
type model struct {
	sent  [][]byte
	acked int
}

func (m *model) ack(p []byte) positions.Result {
	if m.acked < len(m.sent) && bytes.Equal(m.sent[m.acked], p) {
		m.acked++
		return positions.Result{Verdict: positions.Expected, Record: m.acked}
	}
	for i := m.acked + 1; i < len(m.sent); i++ {
		if bytes.Equal(m.sent[i], p) {
			return positions.Result{Verdict: positions.OutOfOrder, Record: i + 1}
		}
	}
	for i := m.acked - 1; i >= 0 && i >= m.acked-positions.History; i-- {
		if bytes.Equal(m.sent[i], p) {
			return positions.Result{Verdict: positions.Duplicate, Record: i + 1}
		}
	}
	return positions.Result{Verdict: positions.Unknown}
}

// FuzzTracker runs a sequence of sends and acks, decoded from the input,
// against a Tracker and the model, and checks that they agree on every
// ack's classification and on what they report in between. Positions come
// from a small alphabet so that duplicates and repeats are common; a run of
// in-order acks exercises the compaction of the window.
//
// Each input byte is one step: the top two bits choose the operation, the
// rest a position (or how many steps a burst has).
func FuzzTracker(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x01, 0x02, 0x41, 0x42, 0x41, 0x43})       // send 1, 2; ack 1, 2; ack 1 again; ack 3
	f.Add([]byte{0x01, 0x02, 0x03, 0x42, 0x41, 0x43, 0x80}) // out of order, then the expected one
	f.Add([]byte{0xff, 0xff, 0xc0, 0x01, 0x41})             // bursts that push and ack in order
	f.Add([]byte{0x00, 0x40, 0x40})                         // an empty position

	f.Fuzz(func(t *testing.T, steps []byte) {
		var (
			tr positions.Tracker
			m  model
		)
		position := func(b byte) []byte {
			if b&0x3f == 0 {
				return []byte{}
			}
			return []byte{'p', b & 0x0f, b & 0x30}
		}
		check := func(step int) {
			if tr.Sent() != len(m.sent) || tr.Acked() != m.acked {
				t.Fatalf("step %d: Sent, Acked = %d, %d, want %d, %d", step, tr.Sent(), tr.Acked(), len(m.sent), m.acked)
			}
			oldest, ok := tr.Oldest()
			if wantOK := m.acked < len(m.sent); ok != wantOK || ok && !bytes.Equal(oldest, m.sent[m.acked]) {
				t.Fatalf("step %d: Oldest = %q, %v, want the position of record %d", step, oldest, ok, m.acked+1)
			}
			if n := len(m.sent); n > 0 {
				if p, ok := tr.Position(n); !ok || !bytes.Equal(p, m.sent[n-1]) {
					t.Fatalf("step %d: Position(%d) = %q, %v, want %q", step, n, p, ok, m.sent[n-1])
				}
			}
		}
		for i, s := range steps {
			switch s >> 6 {
			case 0: // send
				p := position(s)
				tr.Push(p)
				m.sent = append(m.sent, p)
			case 1: // ack
				p := position(s)
				if got, want := tr.Ack(p), m.ack(p); got != want {
					t.Fatalf("step %d: Ack(%q) = %+v, want %+v", i, p, got, want)
				}
			case 2: // ack what the oldest record not acked yet would be: in order, or a duplicate
				var p []byte
				if m.acked < len(m.sent) {
					p = m.sent[m.acked]
				} else if m.acked > 0 {
					p = m.sent[m.acked-1]
				}
				if got, want := tr.Ack(p), m.ack(p); got != want {
					t.Fatalf("step %d: Ack(%q) = %+v, want %+v", i, p, got, want)
				}
			case 3: // a burst of in-order sends and acks, past the history
				for k := range int(s&0x3f)*24 + 1 {
					p := []byte{'b', byte(k), byte(k >> 8)}
					tr.Push(p)
					m.sent = append(m.sent, p)
					if got, want := tr.Ack(m.sent[m.acked]), m.ack(m.sent[m.acked]); got != want {
						t.Fatalf("step %d, burst %d: Ack = %+v, want %+v", i, k, got, want)
					}
				}
			}
			check(i)
		}
	})
}

// FuzzFormat: any position (the bytes come from the connector) formats
// without panic into valid UTF-8 of bounded length, and printable text
// short enough to be shown whole reads back as the position.
func FuzzFormat(f *testing.F) {
	f.Add([]byte("pos-1"))
	f.Add([]byte{0, 0xff})
	f.Add([]byte(`{"table":"users","lsn":"0/16B3748"}`))
	f.Add([]byte("ünïcödé ✓\n"))
	f.Add(bytes.Repeat([]byte("é"), 40))
	f.Fuzz(func(t *testing.T, position []byte) {
		got := positions.Format(position)
		if !utf8.ValidString(got) {
			t.Fatalf("Format(%q) = %q, which is not valid UTF-8", position, got)
		}
		// A quoted rune is at most 10 bytes (\U0010ffff); plus quotes and the
		// length note.
		if len(got) > 10*64+40 {
			t.Fatalf("Format(%q) is %d bytes long", position, len(got))
		}
		if strings.HasPrefix(got, `"`) && !strings.Contains(got, "...") {
			back, err := strconv.Unquote(got)
			if err != nil || back != string(position) {
				t.Fatalf("Format(%q) = %s, which reads back as %q (%v)", position, got, back, err)
			}
		}
	})
}
