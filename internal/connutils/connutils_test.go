package connutils

import (
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// TestErrorTable checks that each of the schema service's errors crosses
// the boundary with its code and the fixed text connectors built with the
// Go connector SDK recognize, and comes back as the same sentinel; and that
// the Conduit server's way of sending them (code UNKNOWN, the fixed text)
// is understood too.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		err      error
		wantCode codes.Code
		wantText string // "" means err's own text
	}{
		"subject not found": {cpluginv1.ErrSchemaSubjectNotFound, codes.NotFound, "schema subject not found"},
		"version not found": {cpluginv1.ErrSchemaVersionNotFound, codes.NotFound, "schema version not found"},
		"invalid schema":    {cpluginv1.ErrInvalidSchema, codes.InvalidArgument, "invalid schema"},
		"unauthenticated":   {cpluginv1.ErrUnauthenticated, codes.Unauthenticated, ""},
		"canceled":          {context.Canceled, codes.Canceled, ""},
		"deadline":          {context.DeadlineExceeded, codes.DeadlineExceeded, ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wrapped := errors.Join(errors.New("registry detail"), tt.err)
			st := status.Convert(toStatus(wrapped))
			wantText := tt.wantText
			if wantText == "" {
				wantText = wrapped.Error()
			}
			if st.Code() != tt.wantCode || st.Message() != wantText {
				t.Errorf("status = %v %q, want %v %q", st.Code(), st.Message(), tt.wantCode, wantText)
			}
			back := fromStatus("call", st.Err())
			if !errors.Is(back, tt.err) || !strings.HasPrefix(back.Error(), "call: ") {
				t.Errorf("fromStatus = %v, want an error wrapping %v", back, tt.err)
			}
			conduit := fromStatus("call", status.Error(codes.Unknown, tt.err.Error()))
			if !errors.Is(conduit, tt.err) {
				t.Errorf("fromStatus of UNKNOWN %q = %v, want an error wrapping it", tt.err.Error(), conduit)
			}
		})
	}
}

func TestErrorTextIsCapped(t *testing.T) {
	t.Parallel()
	st := status.Convert(toStatus(errors.New(strings.Repeat("x", 1<<20) + "\xff")))
	if st.Code() != codes.Internal || len(st.Message()) > maxErrorText+16 {
		t.Errorf("status = %v with %d bytes, want INTERNAL with at most about %d", st.Code(), len(st.Message()), maxErrorText)
	}
}
