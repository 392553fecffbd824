package cerrors

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// TestText: text from another process is made valid UTF-8 and capped at
// MaxText bytes, at a character boundary, with a marker that says how long
// it was; Text is idempotent, and short valid text is left alone.
func TestText(t *testing.T) {
	huge := strings.Repeat("caf\xe9 ", 700_000) // 3.5 MB, invalid UTF-8
	tests := []struct {
		name, in string
		want     string // "" to check only the properties
	}{
		{"short", "disk full", "disk full"},
		{"exactly MaxText", strings.Repeat("a", MaxText), strings.Repeat("a", MaxText)},
		{"short, invalid", "caf\xe9", "caf\uFFFD"},
		{"huge, invalid", huge, ""},
		{"long, multibyte at the cut", strings.Repeat("ü", MaxText), ""},
		{"short, invalid, grows past the cap", strings.Repeat("\xff", MaxText-10), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Text(tt.in)
			if tt.want != "" && got != tt.want {
				t.Errorf("Text = %q, want %q", got, tt.want)
			}
			if len(got) > MaxText {
				t.Errorf("Text returned %d bytes, more than %d", len(got), MaxText)
			}
			if !utf8.ValidString(got) {
				t.Errorf("Text returned invalid UTF-8: %q", got)
			}
			if Text(got) != got {
				t.Errorf("Text(Text(s)) != Text(s)")
			}
			if len(tt.in) > MaxText && !strings.HasSuffix(got, " bytes in all]") {
				t.Errorf("Text of %d bytes = ...%q, want a marker at the end", len(tt.in), got[max(0, len(got)-60):])
			}
		})
	}
	if got := Text(huge); !strings.HasPrefix(got, "caf\uFFFD caf\uFFFD") || !strings.HasSuffix(got, " … [cut: 3500000 bytes in all]") {
		t.Errorf("Text of 3.5 MB = %q...%q", got[:20], got[len(got)-40:])
	}
}

// A connector's huge error text reaches the host capped, in both modes.
func TestMessageAndFromCodeCapTheText(t *testing.T) {
	err := errors.New(strings.Repeat("x\xff", 2<<20))
	if got := Message(err); len(got) > MaxText || !utf8.ValidString(got) {
		t.Errorf("Message: %d bytes, valid UTF-8: %v", len(got), utf8.ValidString(got))
	}
	for _, code := range []Code{Internal, InvalidArgument, Unavailable} {
		got := FromCode(code, err.Error()).Error()
		if len(got) > MaxText+100 || !utf8.ValidString(got) {
			t.Errorf("FromCode(%v): %d bytes, valid UTF-8: %v", code, len(got), utf8.ValidString(got))
		}
	}
	if got := Normalize(err); len(got.Error()) > MaxText {
		t.Errorf("Normalize: %d bytes", len(got.Error()))
	}
	if got := Normalize(errors.Join(errors.New(strings.Repeat("y", 10000)), cpluginv1.ErrInvalidArgument)); !errors.Is(got, cpluginv1.ErrInvalidArgument) {
		t.Errorf("Normalize of a long error lost its sentinel: %v", got)
	}
}
