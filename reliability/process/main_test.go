package process_test

import (
	"net"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/testbuild"
)

// faultConnector is the path of the connector TestMain builds.
var faultConnector string

func TestMain(m *testing.M) {
	// The runtime opens its network poller's descriptors on first use and
	// keeps them: open them now, so that they are part of every test's
	// baseline of open file descriptors.
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		_ = l.Close()
	}
	testbuild.Main(m, testbuild.Program{Name: "faultconnector", Package: "github.com/connectorkit/conduit-connector-protocol/reliability/process/internal/faultconnector", Path: &faultConnector})
}
