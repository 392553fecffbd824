package pluginconfig_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
)

// The protocol versions are part of the handshake: the Conduit server and
// its SDK connectors call protocol v2 version 2.
func TestProtocolVersionsArePinned(t *testing.T) {
	if pluginconfig.ProtocolVersion1 != 1 || pluginconfig.ProtocolVersion2 != 2 {
		t.Errorf("ProtocolVersion1, ProtocolVersion2 = %d, %d, want 1, 2", pluginconfig.ProtocolVersion1, pluginconfig.ProtocolVersion2)
	}
}
