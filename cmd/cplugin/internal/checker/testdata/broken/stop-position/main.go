// Command stop-position is a broken connector for the checker's tests: the
// generator example whose Stop returns a position 1000 records past the
// last one it sent, which the stream then never reaches. check must fail
// source.stop-position, and nothing else.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

type source struct{ *sequence.Source }

func (s source) Stop(ctx context.Context, req cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	resp, err := s.Source.Stop(ctx, req)
	if err != nil || len(resp.LastPosition) == 0 {
		return resp, err
	}
	last, err := strconv.ParseUint(string(resp.LastPosition), 10, 64)
	if err != nil {
		return resp, err
	}
	return cpluginv1.SourceStopResponse{LastPosition: strconv.AppendUint(nil, last+1000, 10)}, nil
}

func main() {
	if err := server.Serve(server.Connector{Specifier: sequence.Specifier{}, Source: source{sequence.NewSource()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
