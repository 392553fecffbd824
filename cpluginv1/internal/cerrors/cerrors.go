package cerrors

import (
	"context"
	"errors"
	"fmt"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/utf8check"
)

// ErrUnavailable is reported (errors.Is) by errors FromStatus makes from an
// UNAVAILABLE status: the host could not reach the connector, usually
// because its process exited or the connection broke. Connectors never
// produce it through the error table, so it cannot occur in built-in mode.
var ErrUnavailable = errors.New("connector unavailable")

// mapping ties a sentinel error to its status code. The order is the order
// of the table in cpluginv1/errors.go; an error matching several sentinels
// gets the first match.
var mapping = []struct {
	sentinel error
	code     codes.Code
}{
	{cpluginv1.ErrUnimplemented, codes.Unimplemented},
	{cpluginv1.ErrInvalidArgument, codes.InvalidArgument},
	{cpluginv1.ErrFailedPrecondition, codes.FailedPrecondition},
	{cpluginv1.ErrMessageTooLarge, codes.ResourceExhausted},
	{context.Canceled, codes.Canceled},
	{context.DeadlineExceeded, codes.DeadlineExceeded},
}

// Code returns the status code the error table gives err: the code of the
// first sentinel err matches (errors.Is), INTERNAL otherwise, OK for nil.
//
// A gRPC status carried by err (for example one a connector got from a
// gRPC call of its own) does not count: only the sentinels cross the
// boundary, so a wrapped UNIMPLEMENTED from elsewhere cannot make the host
// believe the connector lacks a method.
func Code(err error) codes.Code {
	if err == nil {
		return codes.OK
	}
	for _, m := range mapping {
		if errors.Is(err, m.sentinel) {
			return m.code
		}
	}
	return codes.Internal
}

// ToStatus returns the gRPC status error a connector's error crosses the
// process boundary as: the code from the error table ([Code]) and
// err.Error() as the message, unchanged but for bytes that are not part of
// valid UTF-8, which become U+FFFD as gRPC would make them on the way (see
// utf8check.Text); doing it here makes the built-in mode, which uses
// [Normalize], give the same message. It returns nil for nil.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	return status.Error(Code(err), utf8check.Text(err.Error()))
}

// FromStatus turns an error returned by a gRPC client call into the error a
// host sees:
//
//   - nil stays nil and io.EOF (the end of a stream) is returned as is;
//   - a status error becomes an error whose Error() is the status message
//     and for which errors.Is reports the sentinel of its code (see the
//     table in cpluginv1/errors.go); UNAVAILABLE also reports
//     [ErrUnavailable] and says that the connector could not be reached;
//   - any other error did not come from the connector (a conversion error,
//     a context error of the caller) and is returned as is.
func FromStatus(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	if st.Code() == codes.Unavailable {
		return &remoteError{
			msg:      "connector unavailable (did its process exit?): " + st.Message(),
			sentinel: ErrUnavailable,
		}
	}
	e := &remoteError{msg: st.Message()}
	for _, m := range mapping {
		if m.code == st.Code() {
			e.sentinel = m.sentinel
			break
		}
	}
	return e
}

// Normalize returns the error a host would get if err crossed the process
// boundary: FromStatus(ToStatus(err)). The in-process transport applies it
// to every error a connector returns, so that a host sees the same message
// and the same sentinels in both modes, and nothing else (custom error types
// and other wrapped errors do not cross a process boundary either).
func Normalize(err error) error {
	return FromStatus(ToStatus(err))
}

// Panic returns the error that reports a recovered panic with value v, in
// the same words in built-in and standalone mode: "panic: " followed by v
// formatted with %v. The error matches no sentinel, so it maps to INTERNAL,
// even if v is an error that wraps one: a panic is never an answer the host
// can act on.
func Panic(v any) error {
	return &remoteError{msg: fmt.Sprintf("panic: %v", v)}
}

// remoteError is an error that came from the connector: only its message
// and its sentinel (possibly none) survived the boundary.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }

// Is reports whether target is the sentinel the error's status code stands
// for. It makes errors.Is work on the host without exposing gRPC codes.
func (e *remoteError) Is(target error) bool {
	return e.sentinel != nil && target == e.sentinel
}
