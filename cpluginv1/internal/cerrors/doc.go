// Package cerrors maps errors to gRPC status errors and back, following the
// error table in [cpluginv1] (errors.go).
//
// It is imported by the standalone transports (cpluginv1/server on the
// connector side, cpluginv1/client on the host side) and by the in-process
// transport (cpluginv1/builtin), which calls [Normalize] so that a host sees
// the same error, message and sentinel, whether a connector runs built-in or
// standalone. Nothing outside cpluginv1 can import it.
package cerrors
