// Package interop holds the interoperability test between this repository's
// implementation of the connector protocol (v1 and v2) and the existing
// Conduit implementation (github.com/conduitio/conduit-connector-protocol
// and github.com/conduitio/conduit-connector-sdk).
//
// It is a separate Go module so that the main module never depends on the
// existing implementation. Both implementations register the same proto file
// names (connector/v1/connector.proto, opencdc/v1/opencdc.proto) with the
// protobuf registry, so they must never be linked into one binary: the test
// builds each side as its own executable and connects them only through the
// plugin handshake and gRPC, the way a real host and connector meet.
//
//   - sdkconnector is a connector written with the existing Go connector SDK;
//     the test drives it with this repository's cpluginv1/client.
//   - ourconnector is a connector written with this repository's
//     cpluginv1/server; legacyhost drives it with the existing host client
//     (pconnector/client) forced to one protocol version (-protocol 1 or 2:
//     the client offers both, legacyhost keeps one), and, as a control,
//     drives sdkconnector the same way. The tests run every scripted step
//     over v1 and then over v2 and expect the same results.
//   - examples/sequence and examples/jsonlines serve this repository's
//     reference connectors as standalone processes; legacyhost runs them as
//     a pipeline (source to destination, acks back), over v1 and over v2.
//   - internal/contract is what both connectors promise (parameters, records,
//     positions, files they write), so the hosts can check every value.
//
// legacyhost is a stand-in host, more lenient than the real Conduit server:
// it accepts lifecycle events answered with Unimplemented, which the
// Conduit server refuses, so every connector built here passed these tests
// while Conduit refused to run it. Passing here does not prove
// compatibility with Conduit; the tests in ../realconduit do, against the
// real, unmodified Conduit server and SDK connectors. legacyhost is kept
// only for what the real programs cannot show: scripted call sequences
// through Conduit's host client at protocol v1 and v2 with every value checked
// (Stop with acks in flight, negative acks, configuration errors and their
// messages, Teardown after a failed Configure, a source that ends its
// stream itself), which the Conduit server performs only in its own order
// and does not report.
//
// Run it with `make interop` from the repository root, or
// `cd interop && go test -race -count=1 ./...`.
package interop
