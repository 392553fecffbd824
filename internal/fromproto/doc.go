// Package fromproto converts the generated protobuf messages of connector
// protocol v1 (packages connectorv1 and opencdcv1) into the plain Go types of
// package cpluginv1. Package toproto converts in the other direction.
//
// It is imported by the gRPC transports only: the server package converts
// the requests a host sends, the client package the responses and records a
// connector sends. Connector and host authors never see proto types.
//
// There is one function per message, named after the cpluginv1 type. Every
// function accepts any message, including nil and messages built by
// connectors in other languages, and never fails or panics, because a
// malformed message from another process must not crash the receiver:
//
//   - A nil message converts to the zero value of the Go type.
//   - Enum numbers the protocol does not define pass through as their
//     number, so a newer peer's values survive and the receiver decides.
//   - A Data whose oneof is not set converts to a nil [cpluginv1.Data]
//     ("no data"). raw_data set to zero bytes converts to a non-nil, empty
//     [cpluginv1.RawData]; structured_data set converts to a non-nil
//     [cpluginv1.StructuredData], empty when the Struct is nil or has no
//     fields, because on the wire a set oneof always carries a message.
//   - google.protobuf.Value converts to nil, bool, string, float64,
//     map[string]any or []any, the form [cpluginv1.StructuredData.Normalize]
//     produces. A nil Value or one with no kind set converts to nil; a nil
//     struct or list value converts to an empty map or slice.
//
// The results share byte slices and string maps with the message instead of
// copying them: a message received from gRPC is not used again, and copying
// every record would cost time on the record path. Callers that keep using
// the message must not modify either.
//
// The four messages of the Run streams, which carry every record, also have
// Decode functions (DecodeSourceRunResponse, ...), which the transports'
// gRPC codec (package wire) uses: they read the protobuf encoding straight
// into the Go types, with the result the converters give after
// proto.Unmarshal and the errors proto.Unmarshal reports, at a fraction of
// the allocations, and with a bound on the memory a message costs whatever
// it holds: at most MaxAllocPerByte (32) bytes per byte of the message plus
// AllocSlack (64 KiB), beyond which they refuse it. See wire.go.
package fromproto
