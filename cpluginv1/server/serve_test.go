package server

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

type specFunc func() (cpluginv1.SpecifierSpecifyResponse, error)

func (f specFunc) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return f()
}

func TestPrintNotStartedByHost(t *testing.T) {
	named := specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) {
		return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{Name: "postgres", Version: "v1.2.3"}}, nil
	})
	panicking := specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) { panic("no") })

	tests := []struct {
		name string
		spec cpluginv1.SpecifierPlugin
		want string
	}{
		{"named", named, `This program is the Conduit connector "postgres" v1.2.3.`},
		{"no specifier", nil, "This program is a Conduit connector."},
		{"specify panics", panicking, "This program is a Conduit connector."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			printNotStartedByHost(&buf, tt.spec)
			out := buf.String()
			for _, want := range []string{tt.want, "not meant to be run by hand", MagicCookieKey} {
				if !strings.Contains(out, want) {
					t.Errorf("message does not contain %q:\n%s", want, out)
				}
			}
		})
	}
}

// TestHandshakeIsTheWireContract pins the handshake values existing Conduit
// hosts and connectors use: changing one breaks compatibility with all of
// them.
func TestHandshakeIsTheWireContract(t *testing.T) {
	if Handshake.ProtocolVersion != 1 ||
		Handshake.MagicCookieKey != "CONDUIT_PLUGIN_MAGIC_COOKIE" ||
		Handshake.MagicCookieValue != "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f" {
		t.Errorf("Handshake = %+v, not the protocol's", Handshake)
	}
	sets := versionedPlugins(Connector{}, options{logger: slog.Default()}, panicGuard{})
	if len(sets) != 2 || sets[1] == nil || sets[2] == nil {
		t.Fatalf("versioned plugins %v, want the plugin sets of versions 1 and 2", sets)
	}
	for version, set := range sets {
		for _, name := range []string{"specifier", "source", "destination"} {
			if _, ok := set[name]; !ok {
				t.Errorf("plugin set of version %d has no %q plugin", version, name)
			}
		}
		if len(set) != 3 {
			t.Errorf("plugin set of version %d has %d plugins, want 3", version, len(set))
		}
	}
}
