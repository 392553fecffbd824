package cerrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// sentinels are every error the table in cpluginv1/errors.go lets cross the
// boundary, plus the host-only ErrUnavailable.
var sentinels = []error{
	cpluginv1.ErrUnimplemented,
	cpluginv1.ErrInvalidArgument,
	cpluginv1.ErrFailedPrecondition,
	cpluginv1.ErrMessageTooLarge,
	context.Canceled,
	context.DeadlineExceeded,
	ErrUnavailable,
}

type customError struct{}

func (customError) Error() string { return "custom" }

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		code     codes.Code
		sentinel error // nil: none
	}{
		{"unimplemented", fmt.Errorf("source configure: %w", cpluginv1.ErrUnimplemented), codes.Unimplemented, cpluginv1.ErrUnimplemented},
		{"invalid argument", fmt.Errorf("bad url: %w", cpluginv1.ErrInvalidArgument), codes.InvalidArgument, cpluginv1.ErrInvalidArgument},
		{"failed precondition", fmt.Errorf("run before start: %w", cpluginv1.ErrFailedPrecondition), codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition},
		{"message too large", fmt.Errorf("record: %w", cpluginv1.ErrMessageTooLarge), codes.ResourceExhausted, cpluginv1.ErrMessageTooLarge},
		{"canceled", context.Canceled, codes.Canceled, context.Canceled},
		{"wrapped deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), codes.DeadlineExceeded, context.DeadlineExceeded},
		{"joined takes the table's first", errors.Join(context.Canceled, cpluginv1.ErrInvalidArgument), codes.InvalidArgument, cpluginv1.ErrInvalidArgument},
		{"plain", errors.New("disk full"), codes.Internal, nil},
		{"custom type", customError{}, codes.Internal, nil},
		{"io.EOF from a connector's unary call is just an error", io.EOF, codes.Internal, nil},
		{
			// A connector relaying the status of a gRPC call of its own must
			// not make the host think the connector lacks the method.
			"foreign status", fmt.Errorf("call upstream: %w", status.Error(codes.Unimplemented, "nope")),
			codes.Internal, nil,
		},
		{"panic", Panic("boom"), codes.Internal, nil},
		{"panic with a sentinel", Panic(cpluginv1.ErrInvalidArgument), codes.Internal, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := ToStatus(tt.err)
			s, ok := status.FromError(st)
			if !ok {
				t.Fatalf("ToStatus(%v) = %v, not a status error", tt.err, st)
			}
			if s.Code() != tt.code {
				t.Errorf("code = %v, want %v", s.Code(), tt.code)
			}
			if s.Message() != tt.err.Error() {
				t.Errorf("message = %q, want %q", s.Message(), tt.err.Error())
			}

			for name, got := range map[string]error{"FromStatus": FromStatus(st), "Normalize": Normalize(tt.err)} {
				if got.Error() != tt.err.Error() {
					t.Errorf("%s: Error() = %q, want %q", name, got.Error(), tt.err.Error())
				}
				for _, sentinel := range sentinels {
					if want := tt.sentinel != nil && errors.Is(sentinel, tt.sentinel); errors.Is(got, sentinel) != want {
						t.Errorf("%s: errors.Is(err, %q) = %v, want %v", name, sentinel, !want, want)
					}
				}
				if errors.Is(got, io.EOF) {
					t.Errorf("%s: an error from a unary call must not look like the end of a stream", name)
				}
			}
		})
	}
}

func TestNormalizeIsIdempotent(t *testing.T) {
	err := fmt.Errorf("bad: %w", cpluginv1.ErrInvalidArgument)
	once := Normalize(err)
	twice := Normalize(once)
	if once.Error() != twice.Error() || !errors.Is(twice, cpluginv1.ErrInvalidArgument) {
		t.Fatalf("Normalize(Normalize(err)) = %v, want %v with the same sentinel", twice, once)
	}
}

func TestNil(t *testing.T) {
	if err := ToStatus(nil); err != nil {
		t.Errorf("ToStatus(nil) = %v", err)
	}
	if err := FromStatus(nil); err != nil {
		t.Errorf("FromStatus(nil) = %v", err)
	}
	if err := Normalize(nil); err != nil {
		t.Errorf("Normalize(nil) = %v", err)
	}
	if c := Code(nil); c != codes.OK {
		t.Errorf("Code(nil) = %v", c)
	}
}

func TestFromStatusPassesLocalErrorsThrough(t *testing.T) {
	wrappedEOF := fmt.Errorf("recv: %w", io.EOF)
	conversion := fmt.Errorf("convert: %w", cpluginv1.ErrUnsupportedValue)
	for _, err := range []error{io.EOF, wrappedEOF, context.Canceled, conversion} {
		if got := FromStatus(err); got != err { //nolint:errorlint // identity is the point
			t.Errorf("FromStatus(%v) = %v, want the same error", err, got)
		}
	}
}

func TestFromStatusCodesOutsideTheTable(t *testing.T) {
	tests := []struct {
		code     codes.Code
		msg      string
		wantMsg  string
		sentinel error
	}{
		{codes.NotFound, "no such table", "no such table", nil},
		{codes.Unknown, "weird", "weird", nil},
		{codes.Internal, "panic: boom", "panic: boom", nil},
		{codes.Unavailable, "error reading from server: EOF", "connector unavailable (did its process exit?): error reading from server: EOF", ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			got := FromStatus(status.Error(tt.code, tt.msg))
			if got.Error() != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.wantMsg)
			}
			for _, sentinel := range sentinels {
				if want := tt.sentinel != nil && errors.Is(sentinel, tt.sentinel); errors.Is(got, sentinel) != want {
					t.Errorf("errors.Is(err, %q) = %v, want %v", sentinel, !want, want)
				}
			}
		})
	}
}

func TestPanicMessage(t *testing.T) {
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
	err := fmt.Errorf("read \xff\xfe from caf\xe9: %w", cpluginv1.ErrInvalidArgument)
	want := "read \uFFFD\uFFFD from caf\uFFFD: invalid argument"
	if got := status.Convert(ToStatus(err)).Message(); got != want {
		t.Errorf("ToStatus message = %q, want %q", got, want)
	}
	got := Normalize(err)
	if got.Error() != want || !errors.Is(got, cpluginv1.ErrInvalidArgument) {
		t.Errorf("Normalize = %q (invalid argument: %v), want %q wrapping ErrInvalidArgument", got, errors.Is(got, cpluginv1.ErrInvalidArgument), want)
	}
}
