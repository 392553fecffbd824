package cerrors

import (
	"strconv"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// MaxText is the most bytes of text from another process an error carries
// (4 KiB): the message of a connector's error, what a connector answered to
// a health check. A peer can send megabytes of it; an error is read by
// people and written to logs, one line each, and 4 KiB holds any message
// meant for them.
const MaxText = 4 << 10

// Text returns s as an error may carry it: valid UTF-8, each byte that is
// not part of valid UTF-8 replaced by U+FFFD (as gRPC replaces them in a
// status message, see utf8check.Text), and at most MaxText bytes. A longer
// text is cut at a character boundary and ends with a marker that says how
// long it was, for example " … [cut: 3565158 bytes in all]". Text is
// idempotent: Text(Text(s)) == Text(s).
func Text(s string) string {
	if len(s) <= MaxText && utf8.ValidString(s) {
		return s
	}
	total := len(s)
	if len(s) > MaxText {
		s = s[:MaxText]
	}
	s = utf8check.Text(s) // each invalid byte becomes three
	if total <= MaxText && len(s) <= MaxText {
		return s
	}
	marker := " … [cut: " + strconv.Itoa(total) + " bytes in all]"
	return cutAtRune(s, MaxText-len(marker)) + marker
}

// cutAtRune returns the longest prefix of the valid UTF-8 string s of at
// most n bytes that ends at a character boundary.
func cutAtRune(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
