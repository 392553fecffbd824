package builtin

import "github.com/connectorkit/conduit-connector-protocol/internal/cerrors"

// normalizeError returns err as it would look after crossing gRPC: the same
// message and the same sentinel (see the table in cpluginv1's errors.go),
// nothing else, so that a host cannot come to depend on an error type or a
// wrapped error that a standalone connector could not give it.
func normalizeError(err error) error {
	return cerrors.Normalize(err)
}

// panicError is the error a standalone server reports for a call whose
// handler panicked with v.
func panicError(v any) error {
	return cerrors.Panic(v)
}
