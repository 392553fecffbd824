// Package pipeline is the minimal host behind `cplugin pipe`: it moves
// exactly the records asked for from one source connector to one destination
// connector, keeps the protocol's rules on both streams (acks in order, Stop
// then drain to the Stop position, close, Teardown), ends at once when the
// destination fails or the context ends, and reports what the acks show:
// every position the source produced was acked by the destination and
// acked back to the source exactly once, in order. Whether the destination
// really wrote the records is for the caller to check, with
// Result.ProducedDigest or Result.Positions; cmd/cplugin reads the jsonlines
// example's file back.
//
// It works on the cpluginv1 interfaces, so the same code moves records
// between built-in and standalone connectors in any combination. Only
// cmd/cplugin imports it.
package pipeline
