package server

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/cerrors"
)

// streamError maps an error of a gRPC server stream to what a connector
// sees on a Run stream in both modes: io.EOF when the host closed the stream
// normally, the context's error once the host cancelled it or went away,
// and otherwise the error (for example one wrapping
// cpluginv1.ErrMessageTooLarge) with what was being done.
func streamError(ctx context.Context, op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, io.EOF):
		return io.EOF
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		return fmt.Errorf("%s: %w", op, cerrors.FromStatus(err))
	}
}
