package cplugintest

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// sentinels are the errors whose identity crosses the boundary, plus the
// ones that must not appear where they do not belong.
var sentinels = []error{
	cpluginv1.ErrUnimplemented,
	cpluginv1.ErrInvalidArgument,
	cpluginv1.ErrFailedPrecondition,
	cpluginv1.ErrMessageTooLarge,
	cpluginv1.ErrUnsupportedValue,
	context.Canceled,
	context.DeadlineExceeded,
	io.EOF,
}

// checkError checks that err has message want and, of the sentinels,
// matches (errors.Is) exactly sentinel (none if nil).
func checkError(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want an error %q", what, want)
		return
	}
	if err.Error() != want {
		t.Errorf("%s: message %q, want %q", what, err.Error(), want)
	}
	for _, s := range sentinels {
		if got, want := errors.Is(err, s), sentinel != nil && errors.Is(sentinel, s); got != want {
			t.Errorf("%s = %q: errors.Is(err, %q) = %v, want %v", what, err, s, got, want)
		}
	}
}

// checkIs checks that err matches sentinel and no other of the sentinels.
func checkIs(t *testing.T, what string, err, sentinel error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s = nil, want an error wrapping %q", what, sentinel)
		return
	}
	for _, s := range sentinels {
		if got, want := errors.Is(err, s), sentinel != nil && errors.Is(sentinel, s); got != want {
			t.Errorf("%s = %q: errors.Is(err, %q) = %v, want %v", what, err, s, got, want)
		}
	}
}

// checkContractError checks that err is the *cpluginv1.ContractError with
// which the host's end of a Run stream refuses a message that breaks the
// protocol's rules, with message want, wrapping sentinel.
func checkContractError(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	var contractErr *cpluginv1.ContractError
	if err != nil && !errors.As(err, &contractErr) {
		t.Errorf("%s = %v (%T), want a *cpluginv1.ContractError", what, err, err)
	}
	checkError(t, what, err, want, sentinel)
}

// checkRunCancelled checks, from the journal Teardown reports, that the
// connector's Run saw its context cancelled: the host ended the stream.
// The connector's Run may end before or after Teardown is journaled.
func (e *env) checkRunCancelled(err error) {
	e.t.Helper()
	var ended string
	if err != nil {
		if _, after, ok := strings.Cut(err.Error(), "; Run ended: "); ok {
			ended = strings.TrimSuffix(after, "; Teardown")
		}
	}
	if !strings.HasSuffix(ended, "context canceled") {
		e.t.Errorf("Teardown reported the journal %v, want one whose Run ended with context canceled: the host ends the stream, which cancels the connector's Run", err)
	}
}

func journal(entries ...string) string {
	return "journal: " + strings.Join(entries, "; ")
}
