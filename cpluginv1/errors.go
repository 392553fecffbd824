package cpluginv1

import "github.com/connectorkit/conduit-connector-protocol/internal/sentinel"

// Errors keep their meaning across the process boundary. A connector returns
// (or wraps) one of the sentinel errors below; the host receives an error
// with the same message for which errors.Is reports the same sentinel,
// whether the connector runs built-in or standalone:
//
//	connector returns (errors.Is)  gRPC status code      host gets (errors.Is)
//	-----------------------------  --------------------  ------------------------
//	ErrUnimplemented               UNIMPLEMENTED         ErrUnimplemented
//	ErrInvalidArgument             INVALID_ARGUMENT      ErrInvalidArgument
//	ErrFailedPrecondition          FAILED_PRECONDITION   ErrFailedPrecondition
//	ErrMessageTooLarge             RESOURCE_EXHAUSTED    ErrMessageTooLarge
//	context.Canceled               CANCELED              context.Canceled
//	context.DeadlineExceeded       DEADLINE_EXCEEDED     context.DeadlineExceeded
//	anything else                  INTERNAL              none of the above
//	a panic                        INTERNAL              none; message "panic: ..."
//
// Only the message and the sentinel cross the boundary: other wrapped errors
// and custom error types do not, in either mode. In the message, each byte
// that is not part of valid UTF-8 becomes U+FFFD, as gRPC makes it, in both
// modes. The end of a Run stream is io.EOF in both modes.
//
// Protobuf cannot encode a string field that is not valid UTF-8, so in both
// modes the transports refuse such data before they send it, with an error
// naming the field: a configuration map (the call fails with an error
// wrapping ErrInvalidArgument, and the connector is not called), record
// metadata and structured data (as [ErrUnsupportedValue] describes) and a
// specification (Specify fails, which hosts see as an INTERNAL error).
var (
	// ErrUnimplemented means the connector does not implement the call.
	// Hosts built with this module accept it for a lifecycle event as
	// "nothing to do", but a connector must not answer a lifecycle event
	// with it: the Conduit server fails the pipeline on it.
	ErrUnimplemented = sentinel.ErrUnimplemented
	// ErrInvalidArgument means the configuration or request is not valid.
	ErrInvalidArgument = sentinel.ErrInvalidArgument
	// ErrFailedPrecondition means the call came out of the protocol's order,
	// for example Run before Start.
	ErrFailedPrecondition = sentinel.ErrFailedPrecondition
	// ErrMessageTooLarge means a message (usually a record) exceeded the
	// receiver's size limit.
	ErrMessageTooLarge = sentinel.ErrMessageTooLarge
)
