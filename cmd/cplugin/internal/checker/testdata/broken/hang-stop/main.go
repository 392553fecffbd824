// Command hang-stop is a broken connector for the checker's tests: the
// generator example whose Stop never answers, not even when its context
// ends. check must fail source.stop, and nothing else, and must not hang.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type source struct{ *sequence.Source }

func (source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	select {} // the bug under test: wait for something that never happens
}

func main() {
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: source{sequence.NewSource()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
