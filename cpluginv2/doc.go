// Package cpluginv2 is the Go face of connector protocol v2, whose Run
// streams carry batches of records and acks: one message holds many, which
// is where protocol v2's speed comes from. Everything else (the calls, the
// record, the errors, the rules for records and acks) is protocol v1's, and
// the types are cpluginv1's (the aliases below).
//
// Connector authors implement [SourcePlugin] or [DestinationPlugin] and
// serve them with package server's ServeV2; the server offers the
// connector to v1 and v2 hosts alike (on v1 a batch travels one record per
// message). A connector written against cpluginv1 is served to v2 hosts
// too, without change; [FromV1Source] and [FromV1Destination] make one a v2
// plugin, [ToV1Source] and [ToV1Destination] go the other way.
//
// Host authors get a connector as a v2 plugin whatever version the
// connector speaks (package client's SourceV2 and DestinationV2, or a
// built-in connector through package builtin's NewSourceV2 and
// NewDestinationV2), and drive its Run stream through [RunSource] and
// [RunDestination], a batch at a time, with the same checks as cpluginv1's
// SourceRun and DestinationRun applied to every element.
//
// Memory: a batch's slice belongs to whoever sent it until Send returns;
// a received batch's slice is valid until the next Recv on the same stream.
// The records themselves, and their bytes, are the receiver's to keep.
package cpluginv2
