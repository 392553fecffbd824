// Command unimplementedlifecycle is the control of the realconduit tests: the
// sequence source of examples/sequence, except that it answers the three
// lifecycle events with Unimplemented, as every connector built with
// cpluginv1 did before the fix. The real Conduit server must refuse it; a
// test that could not tell it from a good connector would prove nothing.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

// Name is the connector's name in its specification.
const Name = "unimplemented-lifecycle"

func main() {
	err := server.Serve(server.Connector{
		Specifier: specifier{},
		Source:    source{Source: sequence.NewSource()},
	})
	if err != nil {
		_, _ = fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type specifier struct{}

func (specifier) Specify(ctx context.Context, req cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	resp, err := sequence.Specifier{}.Specify(ctx, req)
	resp.Name = Name
	resp.Summary = "The sequence source, answering the lifecycle events with Unimplemented."
	return resp, err
}

type source struct {
	*sequence.Source
}

func (source) LifecycleOnCreated(context.Context, cpluginv1.SourceLifecycleOnCreatedRequest) (cpluginv1.SourceLifecycleOnCreatedResponse, error) {
	return cpluginv1.SourceLifecycleOnCreatedResponse{}, fmt.Errorf("lifecycle on created: %w", cpluginv1.ErrUnimplemented)
}

func (source) LifecycleOnUpdated(context.Context, cpluginv1.SourceLifecycleOnUpdatedRequest) (cpluginv1.SourceLifecycleOnUpdatedResponse, error) {
	return cpluginv1.SourceLifecycleOnUpdatedResponse{}, fmt.Errorf("lifecycle on updated: %w", cpluginv1.ErrUnimplemented)
}

func (source) LifecycleOnDeleted(context.Context, cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	return cpluginv1.SourceLifecycleOnDeletedResponse{}, fmt.Errorf("lifecycle on deleted: %w", cpluginv1.ErrUnimplemented)
}
