package client

import (
	"errors"
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/cerrors"
)

// sendError maps an error of a gRPC client stream's Send. io.EOF means the
// stream ended, for a reason Recv reports, so the pump just stops (nil);
// other errors (a message over the size limit) are the host's own and said
// so.
func sendError(op string, err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("%s: %w", op, cerrors.FromStatus(err))
}

// endOfRun returns Run's result once the gRPC stream's Recv failed with
// recvErr: nil at the connector's normal end (io.EOF), the pump's error if
// the pump failed first (it cancelled the stream, so recvErr only says
// "canceled"), and the connector's or transport's error otherwise.
func endOfRun(recvErr error, pumpErr <-chan error) error {
	select {
	case err := <-pumpErr:
		return err
	default:
	}
	if errors.Is(recvErr, io.EOF) {
		return nil
	}
	return cerrors.FromStatus(recvErr)
}
