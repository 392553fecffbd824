// Package checker is the conformance run behind `cplugin check`: it drives
// every plugin a connector offers through the protocol's lifecycle, the way
// a host does, and reports one [Result] per rule of the contract.
//
// The rules come from the contract in proto/: the protovalidate options on
// the messages (every message the connector sends is validated with package
// contract, in its wire form) and the semantics the proto comments state:
// call order, acks in order (judged in one place, ackVerdict, on the acks as
// the connector sent them), a Stop position the stream then reaches, a
// restart that continues after its position, negative acks that keep the
// stream open, lifecycle events answered with success (the Conduit server
// fails the pipeline on Unimplemented) also as the first call of a fresh
// process, UNIMPLEMENTED for every call of a plugin the connector does not
// offer, Teardown at any time.
// What the protocol says a connector MUST do fails the run when broken; what
// it SHOULD do only warns. Every call has a timeout, so a connector that
// hangs fails the check of the call that hung instead of hanging the run.
//
// One run checks one protocol version, the one its Launcher opens the
// connector with (Config.Protocol names it in the report); cmd/cplugin runs
// one per version the connector serves and joins them with [Merge]. The
// messages of both versions are validated as they crossed the wire (a v2
// Run message as the whole batch) and filed under the v1 method, so each
// check owns the messages of both ("/connector.v2.SourcePlugin/Open" is
// "/connector.v1.SourcePlugin/Start").
//
// The checker opens a fresh connector (a new process, for a standalone
// connector) for every scenario, through a [Launcher]; cmd/cplugin passes
// one built on package connector. Nothing outside cmd/cplugin imports it.
package checker
