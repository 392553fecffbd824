// Command servedconnector is a connector built with package
// cpluginv1/server, whose Serve is what the hostile host of package
// reliability/hostile puts to the test.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	if err := server.Serve(server.Connector{Specifier: specifier{}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{Name: "servedconnector", Version: "v0.1.0"}}, nil
}
