package limits_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/testbuild"
)

// testConnector is the path of the test connector TestMain builds.
var testConnector string

func TestMain(m *testing.M) {
	testbuild.Main(m, testbuild.Program{Name: "testconnector", Package: "github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest/testconnector", Path: &testConnector})
}
