package cplugintest

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The ways a method can be told to fail (the values of keyFail keys), with
// the sentinel the error wraps.
var failures = map[string]error{
	"unimplemented":       cpluginv1.ErrUnimplemented,
	"invalid-argument":    cpluginv1.ErrInvalidArgument,
	"failed-precondition": cpluginv1.ErrFailedPrecondition,
	"message-too-large":   cpluginv1.ErrMessageTooLarge,
	"canceled":            context.Canceled,
	"deadline-exceeded":   context.DeadlineExceeded,
	"plain":               nil, // an error wrapping none of the above
	"panic":               nil, // not an error: the method panics
}

// failure returns the error a method of side fails with when told to fail
// as kind, and panics when kind is "panic", with panicValue's value.
func failure(side, method, kind string) error {
	if kind == "panic" {
		panic(panicValue(side, method))
	}
	if kind == invalidUTF8 {
		return invalidUTF8Failure(side, method)
	}
	// parseConfig lets only the kinds of failures and invalidUTF8 through.
	if sentinel := failures[kind]; sentinel != nil {
		return fmt.Errorf("cplugintest %s %s: failing as configured: %w", side, method, sentinel)
	}
	return fmt.Errorf("cplugintest %s %s: failing as configured", side, method)
}

// invalidUTF8 is the failure kind (not in failures, so that testErrors
// does not expect its message to cross unchanged) of an error whose message
// is not valid UTF-8, the source mode that sends records holding such
// strings, and the value of keySpecification that makes the specification
// hold one.
const invalidUTF8 = "invalid-utf8"

// invalidUTF8Failure is the error of a method told to fail as invalidUTF8:
// its message holds two bytes that are not valid UTF-8, and it wraps
// ErrInvalidArgument.
func invalidUTF8Failure(side, method string) error {
	return fmt.Errorf("cplugintest %s %s: failing with \xff\xfe in the message: %w", side, method, cpluginv1.ErrInvalidArgument)
}

// panicValue is the value a method of side panics with when told to fail
// as "panic".
func panicValue(side, method string) string {
	return fmt.Sprintf("cplugintest %s %s: panicking as configured", side, method)
}

// precondition is the error of a call out of the protocol's order: why
// says what is wrong with it.
func precondition(side, method, why string) error {
	return fmt.Errorf("cplugintest %s %s: %s: %w", side, method, why, cpluginv1.ErrFailedPrecondition)
}

// oldLifecycleError is how a connector that predates the lifecycle events
// answers one: Unimplemented. Connectors built with cpluginv1 no longer do
// (the Unimplemented* helpers succeed), but hosts must still accept it.
func oldLifecycleError(method string) error {
	return fmt.Errorf("%s: %w", method, cpluginv1.ErrUnimplemented)
}
