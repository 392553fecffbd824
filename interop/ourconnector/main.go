// Command ourconnector is a standalone connector written with this
// repository (cpluginv1 and cpluginv1/server). Its source and destination
// behave as interop/internal/contract describes, exactly like
// interop/sdkconnector, so that legacyhost (the existing Conduit host
// client, forced to protocol v1) can drive both the same way and check every
// value that crosses the process boundary.
//
// Where the contract leaves room, it does what an old connector may do, so
// the existing host meets those cases too: the destination predates
// lifecycle events (it answers them Unimplemented), and the source ends its
// Run stream by itself once it was stopped and every record it sent was
// acknowledged.
package main

import (
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	err := server.Serve(server.Connector{
		Specifier:   specifier{},
		Source:      &source{},
		Destination: &destination{},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ourconnector:", err)
		os.Exit(1)
	}
}
