package cerrors

import (
	"errors"
	"fmt"
)

// ErrUnavailable is reported (errors.Is) by errors FromCode makes from the
// code Unavailable: the host could not reach the connector, usually
// because its process exited or the connection broke. Connectors never
// produce it through the error table, so it cannot occur in built-in mode.
var ErrUnavailable = errors.New("connector unavailable")

// Message returns the text err crosses the process boundary with:
// err.Error() as [Text] gives it: bytes that are not part of valid UTF-8
// become U+FFFD, as gRPC would make them on the way (see
// utf8check.Text), and a text longer than [MaxText] is cut. Both modes take
// the text from here: the standalone server sends it as the status
// message, and [Normalize] uses it in built-in mode, so that a host sees the
// same message in both.
func Message(err error) string {
	return Text(err.Error())
}

// FromCode returns the error a host sees for an error that crossed the
// boundary as code and msg: an error whose Error() is msg (as [Text] gives
// it: valid UTF-8, at most MaxText bytes) and for which
// errors.Is reports the sentinel of code in the error table (none for a
// code outside it, such as Internal). Unavailable also reports
// [ErrUnavailable] and says that the connector could not be reached.
func FromCode(code Code, msg string) error {
	// The message comes from another process, which may not be ours.
	msg = Text(msg)
	if code == Unavailable {
		return &remoteError{
			msg:      "connector unavailable (did its process exit?): " + msg,
			sentinel: ErrUnavailable,
		}
	}
	return &remoteError{msg: msg, sentinel: sentinelOf(code)}
}

// Normalize returns the error a host would get if err crossed the process
// boundary: FromCode(CodeOf(err), Message(err)), which is what the
// standalone transports give the host. The in-process transport applies it
// to every error a connector returns, so that a host sees the same message
// and the same sentinels in both modes, and nothing else (custom error
// types and other wrapped errors do not cross a process boundary either).
// It returns nil for nil.
func Normalize(err error) error {
	if err == nil {
		return nil
	}
	return FromCode(CodeOf(err), Message(err))
}

// Panic returns the error that reports a recovered panic with value v, in
// the same words in built-in and standalone mode: "panic: " followed by v
// formatted with %v. The error matches no sentinel, so it maps to Internal,
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

// Is reports whether target is the sentinel the error's code stands for.
// It makes errors.Is work on the host without exposing codes.
func (e *remoteError) Is(target error) bool {
	return e.sentinel != nil && target == e.sentinel
}
