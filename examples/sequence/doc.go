// Package sequence is a reference source connector: it produces a
// configurable number of deterministic records (or an unbounded stream), raw
// or structured, with a mix of operations, and resumes from a position
// without gaps or duplicates.
//
// The same [Source] runs built-in (a host wraps it with the builtin package)
// and standalone (cmd/generator hands it to server.Serve). The cplugin
// command uses it as its built-in example "builtin:sequence", and its tests
// use it as a connector that keeps the whole contract. Connector authors read
// it as an example of the protocol's rules written down in Go: call order,
// in-order acks, a Stop position the stream then reaches, Teardown at any
// time.
package sequence
