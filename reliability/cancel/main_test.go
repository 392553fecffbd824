package cancel_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/testbuild"
)

// probeExecutable is the path of the probe connector TestMain builds.
var probeExecutable string

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Program{Name: "probe", Package: "github.com/connectorkit/conduit-connector-protocol/reliability/cancel/internal/probe/cmd/probe", Path: &probeExecutable})
}
