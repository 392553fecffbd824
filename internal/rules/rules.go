// Package rules holds the one error type for a message that breaks the
// protocol's rules for records and acks on a Run stream, whichever end
// refuses it: the host's end (cpluginv1.SourceRun and DestinationRun, which
// export it as cpluginv1.ContractError) and the connector's (the Run guards
// of package server).
package rules

// Error is the refusal of a message that breaks the protocol's rules. Its
// message names the record or ack, the field or position at fault and what
// was expected; it wraps the sentinel that says which kind of rule it broke
// (cpluginv1.ErrInvalidArgument or cpluginv1.ErrFailedPrecondition).
type Error struct {
	msg      string
	sentinel error
}

// New returns the refusal with message msg, wrapping sentinel.
func New(sentinel error, msg string) *Error {
	return &Error{msg: msg, sentinel: sentinel}
}

// Error returns the message.
func (e *Error) Error() string { return e.msg }

// Unwrap returns the sentinel: ErrInvalidArgument for a message that breaks
// the contract's validation rules, ErrFailedPrecondition for one that comes
// out of the protocol's order.
func (e *Error) Unwrap() error { return e.sentinel }
