package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/internal/grpcerrors"
)

// streamError maps an error of a gRPC server stream to what a connector
// sees on a Run stream in both modes: io.EOF when the host closed the stream
// normally, the context's error once the host cancelled it or went away,
// and otherwise the error with what was being done, for example one
// wrapping cpluginv1.ErrMessageTooLarge.
func streamError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	// A message over the size limit ends the stream, which also ends its
	// context: the size is the cause and must not be hidden behind it.
	if status.Code(err) != codes.ResourceExhausted && ctx.Err() != nil {
		return ctx.Err()
	}
	if tooLarge := tooLarge(op, err); tooLarge != nil {
		return tooLarge
	}
	return fmt.Errorf("%s: %w", op, grpcerrors.FromStatus(err))
}

// tooLarge rewords gRPC's error for a message over one of the connector's
// size limits, naming the size, the limit and how to raise it (see
// grpcerrors.TooLarge), or returns nil. op says which limit: "send record" and
// "send ack" break the send limit, "receive record" and "receive ack" the
// receive limit.
func tooLarge(op string, err error) error {
	verb, what, _ := strings.Cut(op, " ")
	if verb == "send" {
		return grpcerrors.TooLarge(err, what, grpcerrors.ConnectorSend)
	}
	return grpcerrors.TooLarge(err, what, grpcerrors.ConnectorReceive)
}
