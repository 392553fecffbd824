package grpcerrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
)

// checkSentinels reports where errors.Is(got, s) and errors.Is(want, s)
// differ, for every sentinel a host can see.
func checkSentinels(t *testing.T, what string, got, want error) {
	t.Helper()
	for _, s := range cerrors.Sentinels() {
		if errors.Is(got, s) != errors.Is(want, s) {
			t.Errorf("%s: errors.Is(err, %q) = %v, want %v", what, s, errors.Is(got, s), errors.Is(want, s))
		}
	}
}

// The codes of package cerrors are gRPC's, number for number: ToStatus
// and FromStatus convert them by their number.
func TestCodesAreGRPCs(t *testing.T) {
	t.Parallel()
	for c, want := range map[cerrors.Code]codes.Code{
		cerrors.OK:                 codes.OK,
		cerrors.Canceled:           codes.Canceled,
		cerrors.InvalidArgument:    codes.InvalidArgument,
		cerrors.DeadlineExceeded:   codes.DeadlineExceeded,
		cerrors.ResourceExhausted:  codes.ResourceExhausted,
		cerrors.FailedPrecondition: codes.FailedPrecondition,
		cerrors.Unimplemented:      codes.Unimplemented,
		cerrors.Internal:           codes.Internal,
		cerrors.Unavailable:        codes.Unavailable,
	} {
		if codes.Code(c) != want {
			t.Errorf("cerrors code %d is gRPC's %v, want %v", c, codes.Code(c), want)
		}
	}
}

// An error that crosses gRPC arrives as cerrors.Normalize says it does in
// built-in mode: FromStatus(ToStatus(err)) has the same message and the
// same sentinels, and the status carries the table's code.
func TestRoundTripIsNormalize(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		fmt.Errorf("source configure: %w", cpluginv1.ErrUnimplemented),
		fmt.Errorf("bad url: %w", cpluginv1.ErrInvalidArgument),
		fmt.Errorf("run before start: %w", cpluginv1.ErrFailedPrecondition),
		fmt.Errorf("record: %w", cpluginv1.ErrMessageTooLarge),
		context.Canceled,
		fmt.Errorf("read: %w", context.DeadlineExceeded),
		errors.Join(context.Canceled, cpluginv1.ErrInvalidArgument),
		errors.New("disk full"),
		io.EOF,
		// A connector relaying the status of a gRPC call of its own must
		// not make the host think the connector lacks the method.
		fmt.Errorf("call upstream: %w", status.Error(codes.Unimplemented, "nope")),
		cerrors.Panic("boom"),
		cerrors.Panic(cpluginv1.ErrInvalidArgument),
		fmt.Errorf("read \xff\xfe from caf\xe9: %w", cpluginv1.ErrInvalidArgument),
	} {
		t.Run(err.Error(), func(t *testing.T) {
			t.Parallel()
			st := ToStatus(err)
			s, ok := status.FromError(st)
			if !ok {
				t.Fatalf("ToStatus(%v) = %v, not a status error", err, st)
			}
			if want := codes.Code(cerrors.CodeOf(err)); s.Code() != want {
				t.Errorf("code = %v, want %v", s.Code(), want)
			}
			if want := cerrors.Message(err); s.Message() != want {
				t.Errorf("message = %q, want %q", s.Message(), want)
			}
			got, want := FromStatus(st), cerrors.Normalize(err)
			if got.Error() != want.Error() {
				t.Errorf("FromStatus(ToStatus(err)).Error() = %q, want %q", got.Error(), want.Error())
			}
			checkSentinels(t, "FromStatus(ToStatus(err))", got, want)
			if errors.Is(got, io.EOF) {
				t.Error("an error from a unary call must not look like the end of a stream")
			}
		})
	}
}

func TestNil(t *testing.T) {
	t.Parallel()
	if err := ToStatus(nil); err != nil {
		t.Errorf("ToStatus(nil) = %v", err)
	}
	if err := FromStatus(nil); err != nil {
		t.Errorf("FromStatus(nil) = %v", err)
	}
}

func TestFromStatusPassesLocalErrorsThrough(t *testing.T) {
	t.Parallel()
	wrappedEOF := fmt.Errorf("recv: %w", io.EOF)
	conversion := fmt.Errorf("convert: %w", cpluginv1.ErrUnsupportedValue)
	for _, err := range []error{io.EOF, wrappedEOF, context.Canceled, conversion} {
		if got := FromStatus(err); got != err { //nolint:errorlint // identity is the point
			t.Errorf("FromStatus(%v) = %v, want the same error", err, got)
		}
	}
}

func TestFromStatusCodesOutsideTheTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     codes.Code
		msg      string
		wantMsg  string
		sentinel error
	}{
		{codes.NotFound, "no such table", "no such table", nil},
		{codes.Unknown, "weird", "weird", nil},
		{codes.Internal, "panic: boom", "panic: boom", nil},
		{codes.Unavailable, "error reading from server: EOF", "connector unavailable (did its process exit?): error reading from server: EOF", cerrors.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			t.Parallel()
			got := FromStatus(status.Error(tt.code, tt.msg))
			if got.Error() != tt.wantMsg {
				t.Errorf("Error() = %q, want %q", got.Error(), tt.wantMsg)
			}
			checkSentinels(t, "FromStatus", got, tt.sentinel)
		})
	}
}
