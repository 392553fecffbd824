package builtin

import (
	"context"
	"errors"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// call runs one unary call into the connector the way a gRPC round trip
// would: the request is copied on the way in, the connector runs in its own
// goroutine with a context of its own and a recover, its error is normalised
// and its response copied on the way out. If ctx ends first, call returns
// ctx's error at once and leaves the connector to notice on its own, as a
// gRPC client does; a connector that ignores its context keeps its
// goroutine until it returns, as it would keep a server goroutine.
func call[Req, Resp any](
	ctx context.Context,
	name string,
	req Req,
	method func(context.Context, Req) (Resp, error),
	copyRequest func(Req) Req,
	copyResponse func(Resp) Resp,
) (Resp, error) {
	var zero Resp
	if err := ctx.Err(); err != nil {
		// A gRPC client does not send a call whose context already ended.
		return zero, normalizeError(err)
	}
	connectorCtx, cancel := connectorContext(ctx)
	defer cancel()

	type result struct {
		resp Resp
		err  error
	}
	done := make(chan result, 1) // buffered: the goroutine never blocks if nobody waits
	in := copyRequest(req)
	go func() {
		var r result
		r.err = isolate(name, func() error {
			var err error
			r.resp, err = method(connectorCtx, in)
			return err
		})
		done <- r
	}()

	select {
	case r := <-done:
		if err := callerErr(ctx); err != nil {
			// The caller's cancellation wins over whatever the connector
			// answered, because a gRPC client stops listening for the
			// answer as soon as its context ends.
			return zero, normalizeError(err)
		}
		if r.err != nil {
			return zero, normalizeError(r.err)
		}
		return copyResponse(r.resp), nil
	case <-ctx.Done():
		return zero, normalizeError(ctx.Err())
	}
}

// callerErr returns ctx's error, or context.DeadlineExceeded once ctx's
// deadline has passed even if ctx's own timer has not fired yet: the
// connector's context has a timer of its own for the same deadline and may
// end a moment earlier, and the caller must still see its deadline, as a
// gRPC client (whose deadline passes before the server's) does.
func callerErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if deadline, ok := ctx.Deadline(); ok && !time.Now().Before(deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// isolate runs fn, which calls the connector's method name, and turns a
// panic in it into the error a standalone server reports for a panicking
// handler. The
// stack trace does not cross the boundary in standalone mode, so it is
// logged, as the server logs it, to slog's default logger.
func isolate(name string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError(v)
			slog.Error("connector panicked", "method", name, "error", err.Error(), "stack", string(debug.Stack()))
		}
	}()
	return fn()
}

// connectorContext returns the context a connector's method gets for one
// call: it carries parent's deadline and ends when parent ends or when the
// returned cancel function is called (when the call returns), but carries
// none of parent's values except the schema service the wrapper put there.
// That is the context a gRPC server gives a handler, so a connector cannot
// come to depend on values or lifetimes that only exist in built-in mode.
func connectorContext(parent context.Context) (context.Context, context.CancelFunc) {
	ctx := cpluginv1.ContextWithSchemaService(context.Background(), cpluginv1.SchemaServiceFromContext(parent))
	cancelDeadline := context.CancelFunc(func() {})
	deadline, hasDeadline := parent.Deadline()
	if hasDeadline {
		// Our own timer, rather than parent's cancellation, ends the context
		// at the deadline, so that Err reports context.DeadlineExceeded.
		ctx, cancelDeadline = context.WithDeadline(ctx, deadline)
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(parent, func() {
		if hasDeadline && errors.Is(parent.Err(), context.DeadlineExceeded) {
			return // our own timer fires at the same deadline
		}
		cancel()
	})
	return ctx, func() {
		stop()
		cancel()
		cancelDeadline()
	}
}
