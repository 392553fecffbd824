// Package cerrors is the error table of [cpluginv1] (errors.go) as code:
// which sentinel error crosses the process boundary as which [Code], the
// text an error crosses with ([Message]), and the error a host gets on the
// other side ([FromCode]), with the same message and, for errors.Is, the
// same sentinel, and nothing else.
//
// It links no gRPC and no protobuf, so that the in-process transport
// (cpluginv1/builtin) can use it: [Normalize] gives an error exactly as it
// would arrive after crossing a process boundary, and [Panic] reports a
// recovered panic in the words a standalone server uses. The standalone
// transports (cpluginv1/server on the connector side, cpluginv1/client on
// the host side) reach the same table through package
// internal/grpcerrors, which turns a [Code] into a gRPC status and
// back. Nothing outside cpluginv1 can import it.
//
// Files: table.go holds the table (sentinel and code), remote.go the error
// a host gets, Normalize and Panic, text.go the cap on the text an error
// from another process carries ([Text], [MaxText]).
package cerrors
