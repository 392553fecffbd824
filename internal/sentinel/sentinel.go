// Package sentinel defines the protocol's sentinel errors, which package
// cpluginv1 exports (ErrUnimplemented, ErrInvalidArgument,
// ErrFailedPrecondition, ErrMessageTooLarge) and documents. They live here
// so that the internal packages below cpluginv1 (the host's Run engine in
// package hostrun) can wrap them without importing cpluginv1: an error
// wrapping sentinel.InvalidArgument is errors.Is cpluginv1.ErrInvalidArgument,
// as they are the same value.
package sentinel

import "errors"

// The sentinels; see cpluginv1's error table for their meaning.
var (
	Unimplemented      = errors.New("unimplemented")
	InvalidArgument    = errors.New("invalid argument")
	FailedPrecondition = errors.New("failed precondition")
	MessageTooLarge    = errors.New("message too large")
)
