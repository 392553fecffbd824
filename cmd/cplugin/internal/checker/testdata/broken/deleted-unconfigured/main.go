// Command deleted-unconfigured is a broken connector for the checker's
// tests: the sequence example whose LifecycleOnDeleted fails unless
// Configure came first. The Conduit server deletes a connector by starting
// a fresh process whose first call is LifecycleOnDeleted (with the last
// configuration). check must fail source.deleted, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type source struct {
	*sequence.Source
	configured *atomic.Bool
}

func (s source) Configure(ctx context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	resp, err := s.Source.Configure(ctx, req)
	if err == nil {
		s.configured.Store(true)
	}
	return resp, err
}

func (s source) LifecycleOnDeleted(ctx context.Context, req cpluginv1.SourceLifecycleOnDeletedRequest) (cpluginv1.SourceLifecycleOnDeletedResponse, error) {
	if !s.configured.Load() {
		// The bug under test: the configuration comes with the event.
		return cpluginv1.SourceLifecycleOnDeletedResponse{}, fmt.Errorf("delete: %w: not configured", cpluginv1.ErrFailedPrecondition)
	}
	return s.Source.LifecycleOnDeleted(ctx, req)
}

func main() {
	src := source{Source: sequence.NewSource(), configured: new(atomic.Bool)}
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: src}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
