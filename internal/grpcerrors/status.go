package grpcerrors

import (
	"errors"
	"io"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
)

// ToStatus returns the gRPC status error a connector's error crosses the
// process boundary as: the code from the error table (cerrors.CodeOf) and
// cerrors.Message(err) as the message. It returns nil for nil.
func ToStatus(err error) error {
	if err == nil {
		return nil
	}
	return status.Error(codes.Code(cerrors.CodeOf(err)), cerrors.Message(err))
}

// FromStatus turns an error returned by a gRPC client call into the error a
// host sees:
//
//   - nil stays nil and io.EOF (the end of a stream) is returned as is;
//   - a status error becomes cerrors.FromCode of its code and message: an
//     error whose Error() is the status message and for which errors.Is
//     reports the sentinel of its code (see the table in
//     cpluginv1/errors.go); UNAVAILABLE also reports cerrors.ErrUnavailable
//     and says that the connector could not be reached;
//   - any other error did not come from the connector (a conversion error,
//     a context error of the caller) and is returned as is.
func FromStatus(err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	return cerrors.FromCode(cerrors.Code(st.Code()), st.Message())
}
