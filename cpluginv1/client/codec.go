package client

import (
	"slices"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// runCallOptions returns the call options of a Run stream: opts, and the
// transports' codec (package wire), which encodes and decodes the records
// without reflection. It is set per call rather than registered, so that it
// affects nothing else in the host's process; the unary calls keep gRPC's
// standard codec.
func runCallOptions(opts []grpc.CallOption) []grpc.CallOption {
	return append(slices.Clip(opts), grpc.ForceCodecV2(wire.Codec{}))
}
