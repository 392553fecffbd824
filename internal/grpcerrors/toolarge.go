package grpcerrors

import (
	"fmt"
	"regexp"
	"strconv"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
)

// Limit names one of the four message size limits of a standalone
// connector's Run stream: which end enforces it, in which direction.
type Limit int

const (
	// HostReceive is the largest message the host accepts from the
	// connector: client.Config.MaxReceiveSize.
	HostReceive Limit = iota
	// HostSend is the largest message the host sends to the connector:
	// client.Config.MaxSendSize, which the host also passes to the connector
	// as CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE.
	HostSend
	// ConnectorReceive is the largest message the connector accepts: its
	// server.WithMaxReceiveSize, by default the value of
	// CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE.
	ConnectorReceive
	// ConnectorSend is the largest message the connector sends: its
	// server.WithMaxSendSize; by default a connector does not limit what it
	// sends.
	ConnectorSend
)

// String names the limit as the messages of [TooLarge] do.
func (l Limit) String() string {
	switch l {
	case HostReceive:
		return "the host's receive limit"
	case HostSend:
		return "the host's send limit"
	case ConnectorReceive:
		return "the connector's receive limit"
	case ConnectorSend:
		return "the connector's send limit"
	default:
		return fmt.Sprintf("size limit %d", int(l))
	}
}

// knob says how to raise the limit, for the operator who reads the message.
func (l Limit) knob() string {
	switch l {
	case HostReceive:
		return "raise client.Config.MaxReceiveSize"
	case HostSend:
		return "raise client.Config.MaxSendSize; the host passes it to the connector as " +
			"CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, the connector's receive limit"
	case ConnectorReceive:
		return "the host sets it with CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, from client.Config.MaxSendSize, " +
			"unless the connector sets server.WithMaxReceiveSize"
	case ConnectorSend:
		return "the connector set it with server.WithMaxSendSize; " +
			"without that option a connector does not limit what it sends"
	default:
		return "raise the limit"
	}
}

// sizeVsLimit finds "(SIZE vs. LIMIT)" in the message of gRPC's error for a
// message over a size limit, whether grpc-go made it ("grpc: received
// message larger than max (5242880 vs. 4194304)", "trying to send message
// larger than max (...)") or gRPC's C core, which other languages use
// ("Received message larger than max (...)", "Sent message larger than max
// (...)").
var sizeVsLimit = regexp.MustCompile(`larger than max \((\d+) vs\. (\d+)\)`)

// sentNotReceived finds the words of the sending side in such a message.
var sentNotReceived = regexp.MustCompile(`(?i)\b(send|sent|sending)\b`)

// SizeLimitSent reports whether err is gRPC's error for a message over a
// size limit (ok) and whether the side that sends the message refused to
// send it (sent) rather than the side that receives it refused to receive
// it. The caller knows which side that was and can pass it to [TooLarge].
func SizeLimitSent(err error) (sent, ok bool) {
	st, isStatus := status.FromError(err)
	if !isStatus || st.Code() != codes.ResourceExhausted || !sizeVsLimit.MatchString(st.Message()) {
		return false, false
	}
	return sentNotReceived.MatchString(st.Message()), true
}

// TooLarge rewords gRPC's error for a message over a size limit, which only
// names two numbers, as one sentence naming the size, the limit and how to
// raise it, for example "record of 5242880 bytes is larger than the host's
// receive limit of 4194304 bytes (raise client.Config.MaxReceiveSize)".
// what names the message ("record" or "ack"); limit is the limit the caller
// knows the message broke. The result reports (errors.Is)
// [cpluginv1.ErrMessageTooLarge].
//
// TooLarge returns nil for any other error, including a RESOURCE_EXHAUSTED
// status whose message is not gRPC's (a connector that returned
// ErrMessageTooLarge itself): a connector's own message must reach the host
// unchanged.
//
// [cpluginv1.ErrMessageTooLarge]: https://pkg.go.dev/github.com/connectorkit/conduit-connector-protocol/cpluginv1#ErrMessageTooLarge
func TooLarge(err error, what string, limit Limit) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() != codes.ResourceExhausted {
		return nil
	}
	m := sizeVsLimit.FindStringSubmatch(st.Message())
	if m == nil {
		return nil
	}
	size, errSize := strconv.ParseUint(m[1], 10, 64)
	limitBytes, errLimit := strconv.ParseUint(m[2], 10, 64)
	if errSize != nil || errLimit != nil {
		return nil
	}
	msg := fmt.Sprintf("%s of %d bytes is larger than %s of %d bytes (%s)", what, size, limit, limitBytes, limit.knob())
	return cerrors.FromCode(cerrors.ResourceExhausted, msg)
}
