package checker

import (
	"bytes"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// verdict is ackVerdict's judgement of a sequence of acks.
type verdict struct {
	// Index is the index of the first ack that breaks a rule, or -1 if none
	// does.
	Index int
	// Reason says which rule it breaks, and how.
	Reason string
	// Empty is true if the ack has an empty position, a rule of a single
	// message that the wire observer reports too.
	Empty bool
}

// ackVerdict is the checker's one verdict on the acks of a destination:
// given the positions of the records sent, in order, and the acks' positions
// as the connector sent them, in order, each ack must name the oldest
// record not acked yet. An ack may break that rule by naming no position, a
// record acked already (a duplicate), a later record (out of order), a
// position never sent, or by coming after every record was acked. Missing
// acks break no rule here: they are the fault of the step that should have
// produced them (Stop, or the end of Run).
func ackVerdict(sent, acks [][]byte) verdict {
	for i, ack := range acks {
		n := i + 1
		switch {
		case i >= len(sent):
			return verdict{Index: i, Reason: fmt.Sprintf("ack %d arrived, but only %d records were sent and every one was acked already: one ack per record", n, len(sent))}
		case len(ack) == 0:
			return verdict{Index: i, Empty: true, Reason: fmt.Sprintf("ack %d has an empty position; an ack names the record it acknowledges by the record's position, here %q (record %d)", n, sent[i], n)}
		case bytes.Equal(ack, sent[i]):
			continue
		}
		oldest := fmt.Sprintf("the oldest record not acked yet is record %d (position %q)", n, sent[i])
		if j := index(sent[:i], ack); j >= 0 {
			return verdict{Index: i, Reason: fmt.Sprintf("ack %d names position %q, of record %d, which was acked already: one ack per record; %s", n, ack, j+1, oldest)}
		}
		if j := index(sent[i+1:], ack); j >= 0 {
			return verdict{Index: i, Reason: fmt.Sprintf("ack %d names position %q, of record %d, but %s: acks follow the order of the records", n, ack, i+j+2, oldest)}
		}
		return verdict{Index: i, Reason: fmt.Sprintf("ack %d names position %q, which no record sent had; %s", n, ack, oldest)}
	}
	return verdict{Index: -1}
}

func index(positions [][]byte, p []byte) int {
	for i, q := range positions {
		if bytes.Equal(q, p) {
			return i
		}
	}
	return -1
}

// judgeAcks reports ackVerdict's verdict on the acks the destination sent,
// as it sent them (see destinationStream), under destination.acks.
// refusal is the error with which the host's end of the stream
// (cpluginv1.DestinationRun) ended it because of an ack, or nil: the host
// judges acks too, but its error only ends the stream; the verdict must
// explain it, and a refusal it cannot explain is reported under
// destination.run as a disagreement, a bug of cplugin.
func (c *checker) judgeAcks(records []cpluginv1.Record, raw []cpluginv1.DestinationRunResponse, refusal error) {
	sent := make([][]byte, len(records))
	for i, r := range records {
		sent[i] = r.Position
	}
	positions := make([][]byte, len(raw))
	for i, a := range raw {
		positions[i] = a.AckPosition
	}
	v := ackVerdict(sent, positions)
	switch {
	case v.Index >= 0 && v.Empty && c.wire.saw(destinationRunMethod):
		// The wire observer reports the broken rule of the contract.
	case v.Index >= 0:
		c.res.problem(checkDestinationAcks, v.Reason, formatAck(raw[v.Index]))
	case refusal != nil:
		c.res.problem(checkDestinationRun, fmt.Sprintf("the host ended the Run stream because of an ack (%v), but the checker finds every ack the connector sent in order: the two disagree, which is a bug of cplugin", refusal), "")
	}
	negative := 0
	for _, a := range raw {
		if a.Error != "" {
			negative++
		}
	}
	c.res.pass(checkDestinationAcks, fmt.Sprintf("%d acks in order, %d of them negative", len(raw), negative))
}
