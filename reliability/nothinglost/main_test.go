package nothinglost_test

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/reliability/internal/testbuild"
)

// The executables of the example connectors TestMain builds.
var generatorExecutable, fileExecutable string

func TestMain(m *testing.M) {
	testbuild.Main(m,
		testbuild.Program{Name: "generator", Package: "github.com/connectorkit/conduit-connector-protocol/examples/sequence/cmd/sequence", Path: &generatorExecutable},
		testbuild.Program{Name: "file", Package: "github.com/connectorkit/conduit-connector-protocol/examples/jsonlines/cmd/jsonlines", Path: &fileExecutable},
	)
}
