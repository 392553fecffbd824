// Package contract guards the wire contract of connector protocols v1
// (proto/connector/v1) and v2 (proto/connector/v2 with
// proto/config/v1): the proto files in proto/ and the Go bindings generated
// from them in gen/go.
//
// At run time it offers one thing: [Validate] (or a [Validator] from
// [NewValidator]) checks a protocol message against the protovalidate rules
// written in the proto files (buf.validate options), for example that a
// record's position is not empty (in v2, of every record of a batch) or that
// a Specify response names the connector. Tools that inspect traffic between a host and a connector import
// it to check every message a connector sends. The transports in cpluginv1
// do not import it.
//
// Its tests are the other half of the package and the reason it exists: they
// pin every message, field number, type, enum value, RPC name and metadata
// option against the interoperability facts in the design notes, and keep
// golden binary and JSON encodings of every request and response in
// testdata/golden, so an accidental change to the contract fails the build.
// Run `go test ./contract -update` to rewrite the golden files after an
// intended change.
package contract
