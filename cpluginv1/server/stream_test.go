package server

import (
	"context"
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestStreamError(t *testing.T) {
	live := context.Background()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	received := status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5 vs. 4)")
	sent := status.Error(codes.ResourceExhausted, "trying to send message larger than max (5 vs. 4)")
	const (
		receiveLimit = "record of 5 bytes is larger than the connector's receive limit of 4 bytes (the host sets it with " +
			"CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, from client.Config.MaxSendSize, unless the connector sets server.WithMaxReceiveSize)"
		sendLimit = "record of 5 bytes is larger than the connector's send limit of 4 bytes (the connector set it with " +
			"server.WithMaxSendSize; without that option a connector does not limit what it sends)"
	)

	tests := []struct {
		name     string
		ctx      context.Context
		op       string
		err      error
		sentinel error
		message  string // "": not checked
	}{
		{"end of stream", cancelled, "receive record", io.EOF, io.EOF, ""},
		{"host cancelled", cancelled, "receive record", status.Error(codes.Canceled, "context canceled"), context.Canceled, ""},
		{"host went away", cancelled, "receive record", status.Error(codes.Unavailable, "transport is closing"), context.Canceled, ""},
		{"too large, also when the stream's context ended", cancelled, "receive record", received, cpluginv1.ErrMessageTooLarge, receiveLimit},
		{"too large", live, "receive record", received, cpluginv1.ErrMessageTooLarge, receiveLimit},
		{"too large to send", cancelled, "send record", sent, cpluginv1.ErrMessageTooLarge, sendLimit},
		{"other resource exhausted", live, "send record", status.Error(codes.ResourceExhausted, "quota"), cpluginv1.ErrMessageTooLarge, "send record: quota"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := streamError(tt.ctx, tt.op, tt.err)
			if !errors.Is(got, tt.sentinel) {
				t.Errorf("streamError = %v, want %v", got, tt.sentinel)
			}
			if tt.message != "" && got.Error() != tt.message {
				t.Errorf("streamError =\n%q, want\n%q", got.Error(), tt.message)
			}
		})
	}
	if got := streamError(live, "x", nil); got != nil {
		t.Errorf("streamError(nil) = %v", got)
	}
}
