package cerrors

import (
	"context"
	"errors"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Code is how an error crosses the process boundary: one of the status
// codes of gRPC (and of google.rpc.Code), with the same numbers, so that
// package grpcerrors converts a Code to a gRPC code and back by its number.
// Only the codes below have a meaning here; any other number stands for an
// error that matches no sentinel.
type Code uint32

// The codes of the error table, numbered as gRPC numbers them.
const (
	// OK is the code of no error.
	OK Code = 0
	// Canceled is the code of context.Canceled.
	Canceled Code = 1
	// InvalidArgument is the code of cpluginv1.ErrInvalidArgument.
	InvalidArgument Code = 3
	// DeadlineExceeded is the code of context.DeadlineExceeded.
	DeadlineExceeded Code = 4
	// ResourceExhausted is the code of cpluginv1.ErrMessageTooLarge.
	ResourceExhausted Code = 8
	// FailedPrecondition is the code of cpluginv1.ErrFailedPrecondition.
	FailedPrecondition Code = 9
	// Unimplemented is the code of cpluginv1.ErrUnimplemented.
	Unimplemented Code = 12
	// Internal is the code of every other error, including a panic.
	Internal Code = 13
	// Unavailable is the code with which a host's call fails when the
	// connector could not be reached (see [ErrUnavailable]); a connector's
	// error never gets it.
	Unavailable Code = 14
)

// table ties each sentinel error to its code. The order is the order of the
// table in cpluginv1/errors.go; an error matching several sentinels gets
// the first match.
var table = []struct {
	sentinel error
	code     Code
}{
	{cpluginv1.ErrUnimplemented, Unimplemented},
	{cpluginv1.ErrInvalidArgument, InvalidArgument},
	{cpluginv1.ErrFailedPrecondition, FailedPrecondition},
	{cpluginv1.ErrMessageTooLarge, ResourceExhausted},
	{context.Canceled, Canceled},
	{context.DeadlineExceeded, DeadlineExceeded},
}

// CodeOf returns the code the error table gives err: the code of the first
// sentinel err matches (errors.Is), Internal otherwise, OK for nil.
//
// A gRPC status carried by err (for example one a connector got from a
// gRPC call of its own) does not count: only the sentinels cross the
// boundary, so a wrapped UNIMPLEMENTED from elsewhere cannot make the host
// believe the connector lacks a method.
func CodeOf(err error) Code {
	if err == nil {
		return OK
	}
	for _, m := range table {
		if errors.Is(err, m.sentinel) {
			return m.code
		}
	}
	return Internal
}

// sentinelOf returns the sentinel of code in the table, nil if it has none.
func sentinelOf(code Code) error {
	for _, m := range table {
		if m.code == code {
			return m.sentinel
		}
	}
	return nil
}

// Sentinels returns every error whose identity (errors.Is) a host can see:
// the sentinels of the table, in its order, then [ErrUnavailable].
func Sentinels() []error {
	s := make([]error, 0, len(table)+1)
	for _, m := range table {
		s = append(s, m.sentinel)
	}
	return append(s, ErrUnavailable)
}
