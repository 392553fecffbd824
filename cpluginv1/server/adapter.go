package server

import (
	"context"
	"log/slog"
	"runtime/debug"

	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
)

// panicGuard reports a connector's panic as the INTERNAL error every
// transport reports it as, and logs the stack trace, which does not cross
// the boundary.
type panicGuard struct {
	logger *slog.Logger
}

// recovered turns a recovered panic value into a status error and logs it.
// It must be called with the result of recover() from a deferred function.
func (g panicGuard) recovered(method string, v any) error {
	err := cerrors.Panic(v)
	g.logger.Error("connector panicked", "method", method, "error", err.Error(), "stack", string(debug.Stack()))
	return grpcerrors.ToStatus(err)
}

// unary runs one unary call: convert the request, call the connector,
// convert the response, with the connector's error mapped to a status and a
// panic recovered.
func unary[ProtoReq, Req, Resp, ProtoResp any](
	ctx context.Context,
	g panicGuard,
	method string,
	in ProtoReq,
	fromProto func(ProtoReq) Req,
	call func(context.Context, Req) (Resp, error),
	toProto func(Resp) ProtoResp,
) (out ProtoResp, err error) {
	defer func() {
		if v := recover(); v != nil {
			var zero ProtoResp
			out, err = zero, g.recovered(method, v)
		}
	}()
	resp, err := call(ctx, fromProto(in))
	if err != nil {
		var zero ProtoResp
		return zero, grpcerrors.ToStatus(err)
	}
	return toProto(resp), nil
}

// run runs a Run stream's handler with the connector's error mapped to a
// status and a panic recovered.
func run(g panicGuard, method string, call func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = g.recovered(method, v)
		}
	}()
	return grpcerrors.ToStatus(call())
}
