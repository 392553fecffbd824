package client

import (
	"context"
	"path"
	"regexp"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
)

// messageSize finds the size in gRPC's error for a message over a size
// limit ("... larger than max (SIZE vs. LIMIT)").
var messageSize = regexp.MustCompile(`larger than max \((\d+) vs\. \d+\)`)

// sizeLimitInterceptor rewords gRPC's error for a unary call whose request
// or response is over a size limit ("grpc: received message larger than
// max (16777300 vs. 4194304)") as one sentence that names the message, its
// size, the limit it broke and how to raise it, for example "Specify
// response of 16777300 bytes is larger than the host's receive limit of
// 4194304 bytes (raise client.Config.MaxReceiveSize)", matching
// cpluginv1.ErrMessageTooLarge. (The Run streams do the same for records.)
//
// gRPC's words say whether the sending or the receiving side refused the
// message, not which message: the request is the one whose size the error
// names, as the host knows its size.
func sizeLimitInterceptor(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	err := invoker(ctx, method, req, reply, cc, opts...)
	if err == nil || isGoPluginMethod(method) {
		return err
	}
	sent, ok := grpcerrors.SizeLimitSent(err)
	if !ok {
		return err
	}
	isRequest := false
	if m, isProto := req.(proto.Message); isProto {
		if found := messageSize.FindStringSubmatch(err.Error()); found != nil {
			size, _ := strconv.Atoi(found[1])
			isRequest = size == proto.Size(m)
		}
	}
	call := path.Base(method) // "/connector.v1.SpecifierPlugin/Specify" -> "Specify"
	var tooLarge error
	switch {
	case isRequest && sent:
		tooLarge = grpcerrors.TooLarge(err, call+" request", grpcerrors.HostSend)
	case isRequest:
		tooLarge = grpcerrors.TooLarge(err, call+" request", grpcerrors.ConnectorReceive)
	case sent:
		tooLarge = grpcerrors.TooLarge(err, call+" response", grpcerrors.ConnectorSend)
	default:
		tooLarge = grpcerrors.TooLarge(err, call+" response", grpcerrors.HostReceive)
	}
	if tooLarge == nil {
		return err
	}
	return tooLarge
}
