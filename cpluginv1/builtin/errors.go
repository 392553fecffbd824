package builtin

import (
	"context"
	"errors"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// TODO(builtin): replace with cerrors.Normalize and cerrors.Panic once the
// internal/cerrors package lands; these stand-ins follow errors.go's table.

// normalizeError returns err as it would look after crossing gRPC: the same
// message, errors.Is matching the same sentinel, nothing else.
func normalizeError(err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range []error{
		cpluginv1.ErrUnimplemented,
		cpluginv1.ErrInvalidArgument,
		cpluginv1.ErrFailedPrecondition,
		cpluginv1.ErrMessageTooLarge,
		context.Canceled,
		context.DeadlineExceeded,
	} {
		if errors.Is(err, sentinel) {
			return &statusError{msg: err.Error(), sentinel: sentinel}
		}
	}
	return &statusError{msg: err.Error()}
}

// panicError is the error a standalone server reports for a handler that
// panicked with v.
func panicError(v any) error {
	return &statusError{msg: fmt.Sprintf("panic: %v", v)}
}

type statusError struct {
	msg      string
	sentinel error
}

func (e *statusError) Error() string { return e.msg }

func (e *statusError) Is(target error) bool {
	return e.sentinel != nil && target == e.sentinel
}
