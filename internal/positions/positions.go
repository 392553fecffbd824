package positions

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// History is how many of the most recent acked positions a [Tracker]
// remembers, to recognise a duplicate ack. An ack that repeats an older one
// is classified as [Unknown].
const History = 1024

// Verdict is what an ack is, compared to the records sent.
type Verdict int

const (
	// Expected means the ack is for the oldest record not acked yet.
	Expected Verdict = iota
	// OutOfOrder means the ack is for a record sent and not acked yet, but not
	// the oldest one.
	OutOfOrder
	// Duplicate means the ack is for a record acked already (among the last
	// History acks) and not for one waiting for an ack.
	Duplicate
	// Unknown means no record with that position was sent, or it was acked more
	// than History acks ago.
	Unknown
)

// String returns the verdict's name, for test messages.
func (v Verdict) String() string {
	switch v {
	case Expected:
		return "expected"
	case OutOfOrder:
		return "out of order"
	case Duplicate:
		return "duplicate"
	case Unknown:
		return "unknown"
	default:
		return "verdict(" + strconv.Itoa(int(v)) + ")"
	}
}

// Result is the classification of an ack by [Tracker.Ack].
type Result struct {
	Verdict Verdict
	// Record is the number (counting from 1, in the order the records were
	// sent) of the record the ack names: for a duplicate, the most recent
	// acked record with that position. Zero for Unknown.
	Record int
}

// Tracker holds the positions of the records sent on a Run stream that are
// not acked yet, oldest first, and of the last History acked ones. Sending a
// record and acking it in order cost O(1) amortised time and no allocation
// once the window's buffers have grown to the stream's working size; only
// an ack that is not the expected one searches the window.
//
// The zero value is an empty Tracker. It is not safe for concurrent use.
type Tracker struct {
	buf     []byte // the positions in the window, back to back
	spans   []span // the window, oldest first: acked ones, then the rest
	acked   int    // how many of spans (a prefix) are acked
	dropped int    // how many records have left the window, for numbering
}

// span is where one position lies in Tracker.buf.
type span struct{ start, end int }

// Push records that a record with position was sent. The tracker keeps a
// copy of position.
func (t *Tracker) Push(position []byte) {
	start := len(t.buf)
	t.buf = append(t.buf, position...)
	t.spans = append(t.spans, span{start: start, end: len(t.buf)})
}

// Ack classifies an ack for position and, if it is the expected one, marks
// the oldest record not acked yet as acked. Any other ack changes nothing.
func (t *Tracker) Ack(position []byte) Result {
	if t.acked < len(t.spans) && bytes.Equal(t.at(t.acked), position) {
		t.acked++
		record := t.dropped + t.acked
		t.compact()
		return Result{Verdict: Expected, Record: record}
	}
	for i := t.acked + 1; i < len(t.spans); i++ {
		if bytes.Equal(t.at(i), position) {
			return Result{Verdict: OutOfOrder, Record: t.dropped + i + 1}
		}
	}
	for i := t.acked - 1; i >= max(0, t.acked-History); i-- {
		if bytes.Equal(t.at(i), position) {
			return Result{Verdict: Duplicate, Record: t.dropped + i + 1}
		}
	}
	return Result{Verdict: Unknown}
}

// Sent returns how many records were pushed.
func (t *Tracker) Sent() int { return t.dropped + len(t.spans) }

// Acked returns how many records were acked.
func (t *Tracker) Acked() int { return t.dropped + t.acked }

// Oldest returns the position of the oldest record not acked yet, or false
// if every record sent is acked. The slice is valid until the next Push or
// Ack.
func (t *Tracker) Oldest() ([]byte, bool) {
	if t.acked == len(t.spans) {
		return nil, false
	}
	return t.at(t.acked), true
}

// Position returns the position of record number n (counting from 1), or
// false if that record is not in the window: not sent yet, or acked more
// than History acks ago. The slice is valid until the next Push or Ack.
func (t *Tracker) Position(n int) ([]byte, bool) {
	i := n - 1 - t.dropped
	if i < 0 || i >= len(t.spans) {
		return nil, false
	}
	return t.at(i), true
}

// Find returns the number of the most recent record in the window with
// position, or false if there is none.
func (t *Tracker) Find(position []byte) (int, bool) {
	for i := len(t.spans) - 1; i >= 0; i-- {
		if bytes.Equal(t.at(i), position) {
			return t.dropped + i + 1, true
		}
	}
	return 0, false
}

func (t *Tracker) at(i int) []byte {
	s := t.spans[i]
	return t.buf[s.start:s.end:s.end]
}

// compact drops the acked positions beyond History from the window once
// they are at least half of it, so that the work of moving the rest is
// paid for by the acks that made room.
func (t *Tracker) compact() {
	drop := t.acked - History
	if drop <= 0 || drop < len(t.spans)-drop {
		return
	}
	cut := t.spans[drop].start
	t.buf = t.buf[:copy(t.buf, t.buf[cut:])]
	kept := copy(t.spans, t.spans[drop:])
	t.spans = t.spans[:kept]
	for i := range t.spans {
		t.spans[i].start -= cut
		t.spans[i].end -= cut
	}
	t.acked -= drop
	t.dropped += drop
}

// The most bytes of a position Format shows.
const (
	maxShownText = 64
	maxShownHex  = 32
)

// Format returns position for an error message: as a quoted string if it is
// printable text, in hexadecimal otherwise ("0x00ff"), and truncated if it
// is long, with its length ("\"aaaa\"... (1000 bytes)").
func Format(position []byte) string {
	if printable(position) {
		if len(position) <= maxShownText {
			return strconv.Quote(string(position))
		}
		cut := maxShownText
		for cut > 0 && !utf8.RuneStart(position[cut]) {
			cut--
		}
		return strconv.Quote(string(position[:cut])) + "... (" + strconv.Itoa(len(position)) + " bytes)"
	}
	if len(position) <= maxShownHex {
		return "0x" + hex.EncodeToString(position)
	}
	return "0x" + hex.EncodeToString(position[:maxShownHex]) + "... (" + strconv.Itoa(len(position)) + " bytes)"
}

// printable reports whether p is valid UTF-8 text of printable characters
// and line breaks or tabs (which strconv.Quote shows as escapes).
func printable(p []byte) bool {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if !unicode.IsPrint(r) && r != '\n' && r != '\r' && r != '\t' {
			return false
		}
		p = p[size:]
	}
	return true
}

// The operations a record may carry: the numbers of opencdc.v1.Operation
// other than OPERATION_UNSPECIFIED.
const (
	firstOperation = 1 // OPERATION_CREATE
	lastOperation  = 4 // OPERATION_SNAPSHOT
)

// RecordProblem returns what breaks the contract's rules for records in a
// record with position and operation, as the end of a message that starts
// by naming the record (": position is empty; ..."), or "" if nothing does.
// The rules are the protovalidate rules of opencdc.v1.Record, and the
// required record of a Run message, whose absence a transport turns into an
// empty record.
func RecordProblem(position []byte, operation int32) string {
	if len(position) == 0 {
		return ": position is empty; every record needs one, as acks name records by their position"
	}
	if operation < firstOperation || operation > lastOperation {
		return " (position " + Format(position) + "): operation is " + strconv.Itoa(int(operation)) +
			", want create (1), update (2), delete (3) or snapshot (4)"
	}
	return ""
}

// EmptyAck is the end of the message for an ack without a position, which
// the contract's rules forbid.
const EmptyAck = "ack_position is empty; an ack names the record it acknowledges by the record's position"

// DescribeAck describes an ack that Ack did not classify as [Expected]:
// subject names the ack, res is Ack's result, t the tracker after Ack, and
// sentBy says who sent the records ("the host sent"). The description
// names the position the ack should have named.
func DescribeAck(subject string, res Result, t *Tracker, sentBy string) string {
	var problem string
	switch res.Verdict {
	case OutOfOrder:
		problem = " is out of order (it names record " + strconv.Itoa(res.Record) + ")" + OldestNotAcked(t) + "; acks follow the order of the records"
	case Duplicate:
		problem = " repeats the ack of record " + strconv.Itoa(res.Record) + OldestNotAcked(t)
	default:
		problem = " names no record " + sentBy
		if t.Acked() > History {
			problem += " (or one acked more than " + strconv.Itoa(History) + " acks ago)"
		}
		problem += OldestNotAcked(t)
	}
	return subject + problem
}

// OldestNotAcked says which ack t expects next, as the end of a message.
func OldestNotAcked(t *Tracker) string {
	oldest, ok := t.Oldest()
	if !ok {
		return ": every record is acked already"
	}
	return ": the oldest record not acked yet is record " + strconv.Itoa(t.Acked()+1) + " (position " + Format(oldest) + ")"
}
