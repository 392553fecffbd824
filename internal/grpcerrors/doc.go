// Package grpcerrors carries the error table of package
// internal/cerrors across gRPC: [ToStatus] turns a connector's
// error into the status the standalone server answers with, [FromStatus]
// turns a status a host's call got back into the error the host sees, and
// [TooLarge] rewords gRPC's own error for a message over a size limit.
//
// Only the standalone transports import it (cpluginv1/server on the
// connector side, cpluginv1/client on the host side); the in-process
// transport (cpluginv1/builtin) uses cerrors alone and so links no gRPC.
// The conversions add nothing to the table: FromStatus(ToStatus(err)) is
// cerrors.Normalize(err).
//
// Files: status.go holds ToStatus and FromStatus, toolarge.go the size
// limits and TooLarge.
package grpcerrors
