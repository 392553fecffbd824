// Package toproto converts the plain Go types of package cpluginv1 into the
// generated protobuf messages of connector protocol v1 (packages connectorv1
// and opencdcv1). Package fromproto converts in the other direction.
//
// It is imported by the gRPC transports only: the client package converts
// the requests a host sends, the server package the responses and records a
// connector sends. Connector and host authors never see proto types.
//
// There is one function per message, named after the cpluginv1 type. Most
// cannot fail. The ones that carry a record (Record, Change, Data,
// StructuredData, SourceRunResponse, DestinationRunRequest) return an error
// when the metadata is not valid UTF-8 (see package utf8check) or when
// structured data holds a value outside the set documented on
// [cpluginv1.StructuredData]: they reject exactly what
// [cpluginv1.StructuredData.Normalize] rejects, with the error
// [cpluginv1.NormalizeStructuredValue] returns (it wraps
// [cpluginv1.ErrUnsupportedValue]), and converting the result back with
// package fromproto gives what Normalize gives. In a record, the path in
// the error starts at the record ("payload.after.items[2]"). The other
// strings protobuf requires to be valid UTF-8 are checked by the transports
// before they convert: configuration maps by the client, the specification
// by the server; the error of an ack is made valid by DestinationRunResponse.
//
// Data converts as follows. A nil [cpluginv1.Data] is "no data" and leaves
// the field unset. Any non-nil RawData, including an empty or nil slice,
// sets raw_data (possibly to zero bytes), so the receiver sees data of
// length zero rather than no data. Any non-nil StructuredData, including a
// nil map, sets structured_data to a non-nil Struct, so the receiver sees a
// non-nil, possibly empty, StructuredData.
//
// The results share byte slices and string maps with the input instead of
// copying them: gRPC encodes a message before Send returns, and copying
// every record would cost time on the record path. Callers must not modify
// the input while the result is in use.
package toproto
