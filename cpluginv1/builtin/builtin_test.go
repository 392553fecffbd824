package builtin_test

import (
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
)

func TestMain(m *testing.M) {
	// The wrappers log the stack of every panic they recover; the suite
	// makes connectors panic on purpose.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestParity runs the transport parity suite against the built-in mode.
func TestParity(t *testing.T) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(*testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			return cplugintest.Plugins{
				Specifier:   builtin.NewSpecifier(p.Specifier),
				Source:      builtin.NewSource(p.Source),
				Destination: builtin.NewDestination(p.Destination),
			}
		},
		MaxMessageSize: 0, // nothing is serialised
	})
}
