package cerrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestSentinels(t *testing.T) {
	t.Parallel()
	want := []error{
		cpluginv1.ErrUnimplemented,
		cpluginv1.ErrInvalidArgument,
		cpluginv1.ErrFailedPrecondition,
		cpluginv1.ErrMessageTooLarge,
		context.Canceled,
		context.DeadlineExceeded,
		ErrUnavailable,
	}
	got := Sentinels()
	if len(got) != len(want) {
		t.Fatalf("Sentinels() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] { //nolint:errorlint // identity is the point
			t.Errorf("Sentinels()[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

type customError struct{}

func (customError) Error() string { return "custom" }

// foreignStatus stands for a gRPC status a connector got from a call of its
// own: an error that says it is UNIMPLEMENTED in some other way than by
// wrapping the sentinel.
type foreignStatus struct{}

func (foreignStatus) Error() string { return "rpc error: code = Unimplemented desc = nope" }

// normalizeCases are errors a connector returns, with the code and the
// sentinel the host must see.
var normalizeCases = []struct {
	name     string
	err      error
	code     Code
	sentinel error // nil: none
}{
	{"unimplemented", fmt.Errorf("source configure: %w", cpluginv1.ErrUnimplemented), Unimplemented, cpluginv1.ErrUnimplemented},
	{"invalid argument", fmt.Errorf("bad url: %w", cpluginv1.ErrInvalidArgument), InvalidArgument, cpluginv1.ErrInvalidArgument},
	{"failed precondition", fmt.Errorf("run before start: %w", cpluginv1.ErrFailedPrecondition), FailedPrecondition, cpluginv1.ErrFailedPrecondition},
	{"message too large", fmt.Errorf("record: %w", cpluginv1.ErrMessageTooLarge), ResourceExhausted, cpluginv1.ErrMessageTooLarge},
	{"canceled", context.Canceled, Canceled, context.Canceled},
	{"wrapped deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), DeadlineExceeded, context.DeadlineExceeded},
	{"joined takes the table's first", errors.Join(context.Canceled, cpluginv1.ErrInvalidArgument), InvalidArgument, cpluginv1.ErrInvalidArgument},
	{"plain", errors.New("disk full"), Internal, nil},
	{"custom type", customError{}, Internal, nil},
	{"io.EOF from a connector's unary call is just an error", io.EOF, Internal, nil},
	{"foreign status", fmt.Errorf("call upstream: %w", foreignStatus{}), Internal, nil},
	{"panic", Panic("boom"), Internal, nil},
	{"panic with a sentinel", Panic(cpluginv1.ErrInvalidArgument), Internal, nil},
}

// checkSentinels reports where errors.Is(got, s) differs from what
// sentinel (nil: none) says, for every s in Sentinels().
func checkSentinels(t *testing.T, what string, got, sentinel error) {
	t.Helper()
	for _, s := range Sentinels() {
		if want := sentinel != nil && errors.Is(s, sentinel); errors.Is(got, s) != want {
			t.Errorf("%s: errors.Is(err, %q) = %v, want %v", what, s, !want, want)
		}
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for _, tt := range normalizeCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := CodeOf(tt.err); got != tt.code {
				t.Errorf("CodeOf = %d, want %d", got, tt.code)
			}
			got := Normalize(tt.err)
			if got.Error() != tt.err.Error() {
				t.Errorf("Normalize: Error() = %q, want %q", got.Error(), tt.err.Error())
			}
			checkSentinels(t, "Normalize", got, tt.sentinel)
			if errors.Is(got, io.EOF) {
				t.Error("an error from a unary call must not look like the end of a stream")
			}
			if errors.Unwrap(got) != nil {
				t.Errorf("Normalize(%v) wraps %v: only the message and the sentinel cross the boundary", tt.err, errors.Unwrap(got))
			}
		})
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("bad: %w", cpluginv1.ErrInvalidArgument)
	once := Normalize(err)
	twice := Normalize(once)
	if once.Error() != twice.Error() || !errors.Is(twice, cpluginv1.ErrInvalidArgument) {
		t.Fatalf("Normalize(Normalize(err)) = %v, want %v with the same sentinel", twice, once)
	}
}

func TestNil(t *testing.T) {
	t.Parallel()
	if err := Normalize(nil); err != nil {
		t.Errorf("Normalize(nil) = %v", err)
	}
	if c := CodeOf(nil); c != OK {
		t.Errorf("CodeOf(nil) = %v", c)
	}
}

func TestFromCodeOutsideTheTable(t *testing.T) {
	t.Parallel()
	const notFound, unknown Code = 5, 2
	tests := []struct {
		name     string
		code     Code
		msg      string
		wantMsg  string
		sentinel error
	}{
		{"not found", notFound, "no such table", "no such table", nil},
		{"unknown", unknown, "weird", "weird", nil},
		{"internal", Internal, "panic: boom", "panic: boom", nil},
		{"unavailable", Unavailable, "error reading from server: EOF", "connector unavailable (did its process exit?): error reading from server: EOF", ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := FromCode(tt.code, tt.msg)
			if got.Error() != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.wantMsg)
			}
			checkSentinels(t, "FromCode", got, tt.sentinel)
		})
	}
}

func TestPanicMessage(t *testing.T) {
	t.Parallel()
	if got, want := Panic(errors.New("nil map")).Error(), "panic: nil map"; got != want {
		t.Errorf("Panic(...).Error() = %q, want %q", got, want)
	}
	if got, want := Normalize(Panic(42)).Error(), "panic: 42"; got != want {
		t.Errorf("Normalize(Panic(42)).Error() = %q, want %q", got, want)
	}
}

// A message that is not valid UTF-8 reaches the host with each such byte
// replaced by U+FFFD, as gRPC replaces it in a status message; Normalize,
// which the built-in mode uses, gives the same message.
func TestMessageNotUTF8(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("read \xff\xfe from caf\xe9: %w", cpluginv1.ErrInvalidArgument)
	want := "read \uFFFD\uFFFD from caf\uFFFD: invalid argument"
	if got := Message(err); got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	got := Normalize(err)
	if got.Error() != want || !errors.Is(got, cpluginv1.ErrInvalidArgument) {
		t.Errorf("Normalize = %q (invalid argument: %v), want %q wrapping ErrInvalidArgument", got, errors.Is(got, cpluginv1.ErrInvalidArgument), want)
	}
}
