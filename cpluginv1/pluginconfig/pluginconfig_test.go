package pluginconfig_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
)

// The values are part of the protocol: existing Conduit hosts and
// connectors use them, so a change here would break every one of them.
// This test pins them, so that such a change cannot happen by accident.
func TestValuesArePinned(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		got, want any
	}{
		{"ProtocolVersion", pluginconfig.ProtocolVersion, 1},
		{"MagicCookieKey", pluginconfig.MagicCookieKey, "CONDUIT_PLUGIN_MAGIC_COOKIE"},
		{"MagicCookieValue", pluginconfig.MagicCookieValue, "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f"},
		{"PluginSpecifier", pluginconfig.PluginSpecifier, "specifier"},
		{"PluginSource", pluginconfig.PluginSource, "source"},
		{"PluginDestination", pluginconfig.PluginDestination, "destination"},
		{"EnvConnectorID", pluginconfig.EnvConnectorID, "CONDUIT_CONNECTOR_ID"},
		{"EnvToken", pluginconfig.EnvToken, "CONDUIT_CONNECTOR_TOKEN"},
		{"EnvUtilitiesGRPCTarget", pluginconfig.EnvUtilitiesGRPCTarget, "CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET"},
		{"EnvLogLevel", pluginconfig.EnvLogLevel, "CONDUIT_CONNECTOR_LOG_LEVEL"},
		{"EnvMaxReceiveRecordSize", pluginconfig.EnvMaxReceiveRecordSize, "CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE"},
		{"DefaultMaxMessageSize", pluginconfig.DefaultMaxMessageSize, 4 * 1024 * 1024},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
