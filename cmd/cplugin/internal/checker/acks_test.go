package checker

import (
	"strings"
	"testing"
)

// TestAckVerdict is the test of the checker's one verdict on acks: a broken
// comparison (an order check disabled, a duplicate taken for the expected
// ack) fails it, whatever the host's end of the stream would have said.
func TestAckVerdict(t *testing.T) {
	t.Parallel()
	p := func(positions ...string) [][]byte {
		out := make([][]byte, len(positions))
		for i, s := range positions {
			out[i] = []byte(s)
		}
		return out
	}
	sent := p("a", "b", "c", "d")
	tests := []struct {
		name   string
		acks   [][]byte
		index  int    // of the first ack at fault; -1 for none
		reason string // a piece of the reason
		empty  bool
	}{
		{"in order", p("a", "b", "c", "d"), -1, "", false},
		{"in order, some missing at the end", p("a", "b"), -1, "", false},
		{"none", nil, -1, "", false},
		{"swapped", p("b", "a", "c", "d"), 0, `ack 1 names position "b", of record 2, but the oldest record not acked yet is record 1 (position "a"): acks follow the order of the records`, false},
		{"skips one", p("a", "c"), 1, `ack 2 names position "c", of record 3, but the oldest record not acked yet is record 2 (position "b")`, false},
		{"duplicate", p("a", "b", "b"), 2, `ack 3 names position "b", of record 2, which was acked already: one ack per record; the oldest record not acked yet is record 3 (position "c")`, false},
		{"duplicate of the first", p("a", "a"), 1, `of record 1, which was acked already`, false},
		{"unknown", p("a", "x"), 1, `ack 2 names position "x", which no record sent had; the oldest record not acked yet is record 2 (position "b")`, false},
		{"empty", p("a", ""), 1, "ack 2 has an empty position", true},
		{"one too many", p("a", "b", "c", "d", "d"), 4, "ack 5 arrived, but only 4 records were sent and every one was acked already", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := ackVerdict(sent, tt.acks)
			if v.Index != tt.index || !strings.Contains(v.Reason, tt.reason) || v.Empty != tt.empty {
				t.Errorf("ackVerdict = %+v, want index %d, empty %v, a reason containing %q", v, tt.index, tt.empty, tt.reason)
			}
			if tt.index < 0 && v.Reason != "" {
				t.Errorf("reason %q for acks that break no rule", v.Reason)
			}
		})
	}
}
