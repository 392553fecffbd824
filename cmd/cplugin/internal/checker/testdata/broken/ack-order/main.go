// Command ack-order is a broken connector for the checker's tests: the file
// example acking every pair of records in the wrong order (2, 1, 4, 3, ...).
// check must fail destination.acks, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

type destination struct{ *jsonlines.Destination }

func (d destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.Destination.Run(ctx, &swappingStream{DestinationRunStream: stream})
}

// swappingStream holds every odd ack back until the next one is sent.
type swappingStream struct {
	cpluginv1.DestinationRunStream
	held *cpluginv1.DestinationRunResponse
}

func (s *swappingStream) Send(ack cpluginv1.DestinationRunResponse) error {
	if s.held == nil {
		s.held = &ack
		return nil
	}
	held := *s.held
	s.held = nil
	if err := s.DestinationRunStream.Send(ack); err != nil {
		return err
	}
	return s.DestinationRunStream.Send(held)
}

func main() {
	if err := server.Serve(server.Connector{Specifier: jsonlines.Specifier{}, Destination: destination{jsonlines.NewDestination()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
