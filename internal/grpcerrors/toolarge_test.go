package grpcerrors

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestTooLarge(t *testing.T) {
	t.Parallel()
	grpcReceived := status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5242880 vs. 4194304)")
	grpcSent := status.Error(codes.ResourceExhausted, "trying to send message larger than max (5242880 vs. 4194304)")
	coreSent := status.Error(codes.ResourceExhausted, "Sent message larger than max (2000000 vs. 1048576)")
	tests := []struct {
		name  string
		err   error
		what  string
		limit Limit
		want  string
	}{
		{
			"host receive", grpcReceived, "record", HostReceive,
			"record of 5242880 bytes is larger than the host's receive limit of 4194304 bytes (raise client.Config.MaxReceiveSize)",
		},
		{
			"host send", grpcSent, "record", HostSend,
			"record of 5242880 bytes is larger than the host's send limit of 4194304 bytes (raise client.Config.MaxSendSize; " +
				"the host passes it to the connector as CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, the connector's receive limit)",
		},
		{
			"connector receive", grpcReceived, "record", ConnectorReceive,
			"record of 5242880 bytes is larger than the connector's receive limit of 4194304 bytes (the host sets it with " +
				"CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, from client.Config.MaxSendSize, unless the connector sets server.WithMaxReceiveSize)",
		},
		{
			"connector send, gRPC C core's words", coreSent, "ack", ConnectorSend,
			"ack of 2000000 bytes is larger than the connector's send limit of 1048576 bytes (the connector set it with " +
				"server.WithMaxSendSize; without that option a connector does not limit what it sends)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := TooLarge(tt.err, tt.what, tt.limit)
			if got == nil {
				t.Fatalf("TooLarge(%v) = nil, want %q", tt.err, tt.want)
			}
			if got.Error() != tt.want {
				t.Errorf("TooLarge(%v) =\n%q, want\n%q", tt.err, got.Error(), tt.want)
			}
			checkSentinels(t, "TooLarge", got, cpluginv1.ErrMessageTooLarge)
			if _, isStatus := status.FromError(got); isStatus {
				t.Error("the reworded error is a gRPC status: gRPC types must not leak to the host")
			}
		})
	}
}

// Only gRPC's own words are reworded: a connector's message, even one
// wrapping ErrMessageTooLarge, reaches the host unchanged.
func TestTooLargeLeavesOtherErrorsAlone(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		nil,
		errors.New("grpc: received message larger than max (5 vs. 4)"), // not a status
		status.Error(codes.Internal, "grpc: received message larger than max (5 vs. 4)"),
		status.Error(codes.ResourceExhausted, "source run: "+cpluginv1.ErrMessageTooLarge.Error()),
		status.Error(codes.ResourceExhausted, "grpc: received message after decompression larger than max 4"),
		ToStatus(fmt.Errorf("record 7: %w", cpluginv1.ErrMessageTooLarge)),
	} {
		if got := TooLarge(err, "record", HostReceive); got != nil {
			t.Errorf("TooLarge(%v) = %q, want nil", err, got)
		}
		if _, ok := SizeLimitSent(err); ok {
			t.Errorf("SizeLimitSent(%v) says it is gRPC's size limit error", err)
		}
	}
}

func TestSizeLimitSent(t *testing.T) {
	t.Parallel()
	for msg, wantSent := range map[string]bool{
		"grpc: received message larger than max (5 vs. 4)":                    false,
		"grpc: message after decompression larger than max (5 vs. 4)":         false,
		"Received message larger than max (5 vs. 4)":                          false,
		"trying to send message larger than max (5 vs. 4)":                    true,
		"Sent message larger than max (5 vs. 4)":                              true,
		"grpc: received message larger than max (18446744073709551616 vs. 4)": false,
	} {
		sent, ok := SizeLimitSent(status.Error(codes.ResourceExhausted, msg))
		if !ok || sent != wantSent {
			t.Errorf("SizeLimitSent(%q) = %v, %v; want %v, true", msg, sent, ok, wantSent)
		}
	}
}

func TestLimitString(t *testing.T) {
	t.Parallel()
	if got, want := Limit(42).String(), "size limit 42"; got != want {
		t.Errorf("Limit(42).String() = %q, want %q", got, want)
	}
}
