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

	tests := []struct {
		name     string
		ctx      context.Context
		err      error
		sentinel error
	}{
		{"end of stream", cancelled, io.EOF, io.EOF},
		{"host cancelled", cancelled, status.Error(codes.Canceled, "context canceled"), context.Canceled},
		{"host went away", cancelled, status.Error(codes.Unavailable, "transport is closing"), context.Canceled},
		{"too large, also when the stream's context ended", cancelled, status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5 vs. 4)"), cpluginv1.ErrMessageTooLarge},
		{"too large", live, status.Error(codes.ResourceExhausted, "grpc: received message larger than max (5 vs. 4)"), cpluginv1.ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := streamError(tt.ctx, "receive record", tt.err)
			if !errors.Is(got, tt.sentinel) {
				t.Errorf("streamError = %v, want %v", got, tt.sentinel)
			}
		})
	}
	if got := streamError(live, "x", nil); got != nil {
		t.Errorf("streamError(nil) = %v", got)
	}
}
