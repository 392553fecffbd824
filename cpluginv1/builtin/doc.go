// Package builtin is the host side of an in-process ("built-in") connector:
// it wraps a connector's [cpluginv1.SourcePlugin], [cpluginv1.DestinationPlugin]
// and [cpluginv1.SpecifierPlugin] so that a host compiled together with the
// connector talks to it through the same interfaces, and sees the same
// results, errors and stream behaviour, as it would through the client
// package with the connector in its own process.
//
// Host authors import it for connectors they compile into the host; connector
// authors never need it. A built-in connector is wrapped once:
//
//	source := builtin.NewSource(myconnector.NewSource())
//	run := cpluginv1.RunSource(ctx, source)
//
// # Why the wrappers exist
//
// Calling the connector directly would be faster, but then a connector that
// works built-in could break standalone (and the other way round). The
// wrappers give an in-process call what crossing gRPC gives a standalone one:
//
//   - Isolation: each call runs in its own goroutine with a recover, so a
//     panic in the connector becomes an error with the message a standalone
//     server reports ("panic: ..."), not a crash of the host.
//   - Errors: every error passes through the same error table as in
//     standalone mode (the table in cpluginv1/errors.go, without the gRPC
//     status it travels as there), so the host sees the same message and
//     the same sentinel (errors.Is), and no custom error type or wrapped
//     error that would not survive a process boundary.
//   - No shared memory: requests, responses and records are deep-copied, so
//     neither side can change (or race on) a map, byte slice or record the
//     other side still holds.
//   - Structured data: records crossing a Run stream are normalised with
//     [cpluginv1.StructuredData.Normalize], so numbers arrive as float64 and
//     a value google.protobuf.Struct cannot carry fails the send with
//     [cpluginv1.ErrUnsupportedValue], exactly as in standalone mode.
//   - Text: strings protobuf cannot encode (not valid UTF-8) are refused
//     or replaced as in standalone mode: configuration, metadata and the
//     specification fail with an error naming the field, and the error text
//     of a negative ack or of an error arrives with U+FFFD in their place.
//   - Contexts: the connector gets a context that carries the caller's
//     deadline and cancellation but none of its values, and that ends when
//     the call returns, like the context a gRPC server gives a handler. When
//     the caller's context ends, the call returns at once with
//     context.Canceled or context.DeadlineExceeded, even if the connector
//     ignores its context.
//   - End of stream: the connector's Recv returns io.EOF when the host closed
//     its side, and the host's Recv returns io.EOF when the connector's Run
//     returned nil, as over gRPC.
//
// There is no message size limit in built-in mode: nothing is serialised.
// The package links no gRPC, no protobuf and not hashicorp/go-plugin
// (cpluginv1/layering_test.go checks it).
package builtin
