// Package cpluginv1 is the Go face of connector protocol v1: plain Go types
// and interfaces for the three plugins a connector can offer (SourcePlugin,
// DestinationPlugin and SpecifierPlugin) and the OpenCDC record they carry.
//
// Connector authors implement the interfaces and hand them to
// [github.com/connectorkit/conduit-connector-protocol/cpluginv1/server.Serve]
// in their main function (standalone), or give them to a host that compiles
// them in (built-in). Host authors obtain the same interfaces from
// [github.com/connectorkit/conduit-connector-protocol/cpluginv1/client]
// (a standalone connector process) or
// [github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin]
// (an in-process connector) and drive both the same way, usually through
// [RunSource] and [RunDestination].
//
// Protocol v2's batched Go API is package
// [github.com/connectorkit/conduit-connector-protocol/cpluginv2]; it uses
// this package's types, and converts plugins of either API to the other.
// The host's end of a Run stream for both APIs ([SourceRun],
// [DestinationRun], and cpluginv2's) is one engine in internal/hostrun:
// this package holds types, interfaces and thin wrappers. The requests a
// source and a destination take alike are one type each (shared.go:
// ConfigureRequest, TeardownRequest, the lifecycle requests, and their
// responses); SourceConfigureRequest and the like are their names in each
// plugin's interface.
//
// Nothing in this package depends on gRPC or on the generated protobuf code:
// the transports convert at the boundary, and they add no behaviour of their
// own. Package builtin links no gRPC either, packages client and server do
// not import each other (the constants both sides of a standalone connector
// share are in package pluginconfig), and layering_test.go checks all
// three. The same call gives the same result, error and stream behaviour in
// both modes; see the error table in errors.go and the supported structured
// values in [StructuredData].
//
// Runnable examples: a minimal source and a minimal destination connector in
// package server (Serve, and the same connectors driven in-process through
// NewGRPCServer), a host that launches a standalone connector in package
// client (New), and built-in connectors in package builtin.
package cpluginv1
