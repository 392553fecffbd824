package hostile_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// maxErrorText is the most text of another process an error carries
// (cerrors.MaxText), plus room for the host's own words around it.
const maxErrorText = 4096 + 256

// TestHostileErrorsAreHonest: what New and a call say about a connector
// that misbehaves is one line that names the executable (for New), says
// what happened in true words, judges what it read whole, names the limit a
// message broke, and carries at most 4 KiB of valid UTF-8 of the
// connector's words.
func TestHostileErrorsAreHonest(t *testing.T) {
	t.Run("health check unimplemented", func(t *testing.T) {
		// Before: "check connector health: connector unavailable (did its
		// process exit?): ...", without the executable, of a process that
		// runs.
		_, err := newFails(testContext(t), t, client.Config{}, "HOSTILE=health-unimplemented")
		checkSays(t, err, hostileConnector,
			[]string{`its gRPC health check of service "plugin" failed (Unimplemented)`},
			"did its process exit")
	})
	t.Run("health check not serving", func(t *testing.T) {
		_, err := newFails(testContext(t), t, client.Config{}, "HOSTILE=health-not-serving")
		checkSays(t, err, hostileConnector, []string{"reports NOT_SERVING, want SERVING"})
	})
	t.Run("handshake line of 60 KB", func(t *testing.T) {
		// Before: go-plugin accepted the whole line, the host's check read a
		// copy cut at 4 KiB and said it "names no RPC protocol".
		_, err := newFails(testContext(t), t, client.Config{}, "HOSTILE=long-handshake")
		checkSays(t, err, hostileConnector, []string{"its first line on stdout is longer than 4096 bytes"}, "names no RPC protocol")
	})
	t.Run("error text of 3.4 MB, not UTF-8", func(t *testing.T) {
		ctx := testContext(t)
		c := startHostile(ctx, t, client.Config{}, "HOSTILE=huge-error")
		_, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
		if err == nil {
			t.Fatal("Specify succeeded")
		}
		msg := err.Error()
		t.Logf("Specify: %d bytes: %.80q ... %q", len(msg), msg, msg[max(0, len(msg)-40):])
		if len(msg) > maxErrorText {
			t.Errorf("the error has %d bytes, want at most %d", len(msg), maxErrorText)
		}
		if !utf8.ValidString(msg) {
			t.Error("the error is not valid UTF-8")
		}
		if !strings.HasPrefix(msg, "caf\uFFFD caf\uFFFD") || !strings.HasSuffix(msg, "bytes in all]") {
			t.Errorf("the error does not begin with the connector's words or does not say it was cut")
		}
		c.closeAndCheck(t)
	})
	t.Run("Specify response of 16 MiB", func(t *testing.T) {
		// Before: gRPC's "grpc: received message larger than max (16777225
		// vs. 4194304)".
		ctx := testContext(t)
		c := startHostile(ctx, t, client.Config{}, "HOSTILE=huge-spec")
		_, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
		checkSays(t, err, "Specify response of", []string{
			"bytes is larger than the host's receive limit of 4194304 bytes (raise client.Config.MaxReceiveSize)",
		}, "grpc:")
		if !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
			t.Errorf("the error does not match ErrMessageTooLarge")
		}
		c.closeAndCheck(t)
	})
}
