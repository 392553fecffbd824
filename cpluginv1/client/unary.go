package client

import (
	"context"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
)

// call runs one unary call: convert the request, call the connector,
// convert the response; the error is the connector's, with its message and
// sentinel (see grpcerrors.FromStatus). unsendable, if not nil, is why the
// request cannot be encoded (a configuration map that is not valid UTF-8,
// see utf8check.Config): the connector is not called, and the caller gets
// it.
func call[Req, ProtoReq, ProtoResp, Resp any](
	ctx context.Context,
	req Req,
	unsendable error,
	toProto func(Req) ProtoReq,
	rpc func(context.Context, ProtoReq, ...grpc.CallOption) (ProtoResp, error),
	fromProto func(ProtoResp) Resp,
	opts []grpc.CallOption,
) (Resp, error) {
	if unsendable != nil {
		var zero Resp
		return zero, unsendable
	}
	out, err := rpc(ctx, toProto(req), opts...)
	if err != nil {
		var zero Resp
		return zero, grpcerrors.FromStatus(err)
	}
	return fromProto(out), nil
}
