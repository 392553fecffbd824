// Command empty-name is a broken connector for the checker's tests: the
// generator example with an empty specification name. check must fail
// spec.name, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := sequence.Specification()
	spec.Name = ""
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

func main() {
	if err := server.Serve(server.Connector{Specifier: specifier{}, Source: sequence.NewSource()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
