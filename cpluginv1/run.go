package cpluginv1

import "github.com/connectorkit/conduit-connector-protocol/internal/rules"

// ContractError is the error with which the host's end of a Run stream
// ([SourceRun], [DestinationRun], and protocol v2's in package cpluginv2)
// refuses a message that breaks the protocol's rules for records and acks.
// Its message names the record or ack, the field or position at fault and
// what was expected. errors.Is reports ErrInvalidArgument for a message that
// breaks the contract's validation rules (an empty position, an undefined
// operation) and ErrFailedPrecondition for one that comes out of the
// protocol's order (an ack out of order, for a position never sent, or for
// a record acked already; a record after the last position Stop returned).
//
// From Recv (and Wait) it means that the connector broke the rule and the
// stream has ended; from Send, that the host did and its message was not
// sent. A connector served with package server refuses a host's message
// with the same type. Error returns the message; Unwrap the sentinel.
type ContractError = rules.Error

// recordFields is what the host's Run engine (package hostrun) checks of a
// record.
func recordFields(rec Record) ([]byte, int32) { return rec.Position, int32(rec.Operation) }

// destinationAckPosition is the position a destination's ack acknowledges.
func destinationAckPosition(ack DestinationRunResponse) []byte { return ack.AckPosition }
