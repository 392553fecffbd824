// Command panic-run is a broken connector for the checker's tests: a source
// whose Run sends three records and then panics. It keeps the call order
// (Run before Start answers FailedPrecondition), so check must fail
// source.run, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type source struct {
	*sequence.Source
	started atomic.Bool
}

func (s *source) Start(ctx context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	resp, err := s.Source.Start(ctx, req)
	s.started.Store(err == nil)
	return resp, err
}

func (s *source) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	if !s.started.Load() {
		return fmt.Errorf("run: %w: Run must follow Start", cpluginv1.ErrFailedPrecondition)
	}
	for n := uint64(1); n <= 3; n++ {
		rec, err := sequence.Record(nil, n)
		if err != nil {
			return err
		}
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
			return err
		}
	}
	panic("the source lost track of record " + strconv.Itoa(4))
}

func main() {
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: &source{Source: sequence.NewSource()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
