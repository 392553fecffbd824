package builtin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
)

// runStream runs a connector's Run method the way a gRPC server runs a
// stream handler for a gRPC client: in its own goroutine, with a recover,
// with a context of its own that ends when the call ends, and with its
// error normalised.
//
// The call ends, as it would for the host's end of a gRPC stream, when the
// connector's Run returns, when ctx ends (then with ctx's error at once,
// whatever the connector does), or when the stream calls fail because a
// message from the host could not cross (then with that error, and the
// connector's context is cancelled, as a client cancels the stream).
func runStream(ctx context.Context, name string, run func(connectorCtx context.Context, fail func(error)) error) error {
	if err := ctx.Err(); err != nil {
		return normalizeError(err)
	}
	connectorCtx, cancel := connectorContext(ctx)
	defer cancel()

	var (
		failure    error
		failed     = make(chan struct{})
		failedOnce sync.Once
	)
	fail := func(err error) {
		failedOnce.Do(func() {
			failure = err
			close(failed)
			cancel()
		})
	}

	done := make(chan error, 1) // buffered: the goroutine never blocks if nobody waits
	go func() {
		done <- isolate(name, func() error { return run(connectorCtx, fail) })
	}()

	select {
	case err := <-done:
		if ctxErr := callerErr(ctx); ctxErr != nil {
			// As in call: the caller's cancellation wins.
			return normalizeError(ctxErr)
		}
		select {
		case <-failed:
			return failure
		default:
		}
		return normalizeError(err)
	case <-failed:
		return failure
	case <-ctx.Done():
		return normalizeError(ctx.Err())
	}
}

// streamError returns an error of the host's end of a Run stream as the
// connector sees it on a gRPC stream: io.EOF when the host closed its side,
// the context's error when the stream's context ended, and anything else
// normalised, with what was being done.
func streamError(connectorCtx context.Context, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF):
		return io.EOF
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The host's context ended; connectorCtx follows it a moment later.
		return err
	case connectorCtx.Err() != nil:
		return connectorCtx.Err()
	default:
		return fmt.Errorf("%s: %w", op, normalizeError(err))
	}
}
