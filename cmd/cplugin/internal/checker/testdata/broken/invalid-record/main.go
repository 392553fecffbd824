// Command invalid-record is a broken connector for the checker's tests: the
// generator example sending record 5 with no operation (OPERATION_UNSPECIFIED),
// which the contract's rules forbid. check must fail source.records, and
// nothing else.
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

func (s source) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	return s.Source.Run(ctx, breakingStream{stream})
}

type breakingStream struct{ cpluginv1.SourceRunStream }

func (s breakingStream) Send(resp cpluginv1.SourceRunResponse) error {
	if string(resp.Record.Position) == "5" {
		resp.Record.Operation = 0
	}
	return s.SourceRunStream.Send(resp)
}

func main() {
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: source{sequence.NewSource()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
