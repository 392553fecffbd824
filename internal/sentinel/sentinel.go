// Package sentinel defines the protocol's sentinel errors, which package
// cpluginv1 exports (ErrUnimplemented, ErrInvalidArgument,
// ErrFailedPrecondition, ErrMessageTooLarge) and documents. They live here
// so that the internal packages below cpluginv1 (the host's Run engine in
// package hostrun) can wrap them without importing cpluginv1: an error
// wrapping sentinel.ErrInvalidArgument is errors.Is cpluginv1.ErrInvalidArgument,
// as they are the same value.
package sentinel

import "errors"

// The sentinels; see cpluginv1's error table for their meaning.
var (
	ErrUnimplemented      = errors.New("unimplemented")
	ErrInvalidArgument    = errors.New("invalid argument")
	ErrFailedPrecondition = errors.New("failed precondition")
	ErrMessageTooLarge    = errors.New("message too large")
)
