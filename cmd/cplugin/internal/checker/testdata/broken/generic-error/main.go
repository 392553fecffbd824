// Command generic-error is a broken connector for the checker's tests: the
// sequence example whose lifecycle calls answer a generic error ("not
// supported") where a connector with nothing to do answers success. check
// must fail source.lifecycle and source.deleted (LifecycleOnDeleted as the
// first call fails too), and nothing else.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

var errNotSupported = errors.New("lifecycle events are not supported")

type source struct{ *sequence.Source }

func (source) LifecycleOnCreated(context.Context, cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, errNotSupported
}

func (source) LifecycleOnUpdated(context.Context, cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, errNotSupported
}

func (source) LifecycleOnDeleted(context.Context, cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, errNotSupported
}

func main() {
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: source{sequence.NewSource()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
