// Package hostrun is the host's end of a connector's Run stream: the one
// engine behind both Go APIs, cpluginv1's SourceRun and DestinationRun
// (a record at a time) and cpluginv2's (a batch at a time), whichever
// transport carries the stream.
//
// A transport (package client's gRPC streams for protocol v1 and v2, or a
// pipe to a connector's Run in the host's process) hands the engine
// batches: a v1 message is a batch of one. The engine holds both sides to
// the protocol's rules for records and acks, element by element, in order,
// and answers a broken rule with a rules.Error that names the record or ack:
//
//   - A record or ack from the connector that breaks a rule ends the
//     stream. The elements of its batch before it are delivered first; the
//     next Recv reports the violation, as a stream carrying one element per
//     message would.
//   - A record or ack from the host that breaks a rule is not sent, nor are
//     the elements after it in the same call; those before it are. The
//     stream stays open: it is the host's own mistake.
//
// The engine is generic over the record and ack types so that it needs no
// import of the API packages, which import it: it knows a record by its
// position and operation only.
package hostrun
