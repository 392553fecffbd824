package hostile_test

import (
	"net"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/testbuild"
)

// The paths of the connectors TestMain builds.
var hostileConnector, servedConnector string

func TestMain(m *testing.M) {
	// The runtime opens its network poller's descriptors on first use and
	// keeps them: open them now, so that they are part of every test's
	// baseline of open file descriptors.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		_ = l.Close()
	}
	testbuild.Main(m,
		testbuild.Program{Name: "hostileconnector", Package: "github.com/connectorkit/conduit-connector-protocol/reliability/hostile/internal/hostileconnector", Path: &hostileConnector},
		testbuild.Program{Name: "servedconnector", Package: "github.com/connectorkit/conduit-connector-protocol/reliability/hostile/internal/servedconnector", Path: &servedConnector},
	)
}
