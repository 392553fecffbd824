// Package pipeline is the minimal host behind `cplugin pipe`: it moves
// records from one source connector to one destination connector, keeps the
// protocol's rules on both streams (acks in order, Stop then drain to the
// Stop position, close, Teardown), and proves that nothing was lost: every
// position the source produced was written by the destination and acked back
// to the source exactly once, in order.
//
// It works on the cpluginv1 interfaces, so the same code moves records
// between built-in and standalone connectors in any combination. Only
// cmd/cplugin imports it.
package pipeline
