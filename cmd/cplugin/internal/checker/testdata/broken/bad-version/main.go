// Command bad-version is a broken connector for the checker's tests: the
// generator example reporting the version "1.2.3", without the "v" prefix.
// The protocol accepts any version string but asks for "v"-prefixed
// semantic versioning, so check must warn on spec.version, fail nothing,
// and exit 0.
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
	spec.Version = "1.2.3"
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

func main() {
	if err := server.Serve(server.Connector{Specifier: specifier{}, Source: sequence.NewSource()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
