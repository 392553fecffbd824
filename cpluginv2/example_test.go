package cpluginv2_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// counter is a v2 source that sends records 1..total in batches of size,
// then waits for their acks until the host closes the stream.
type counter struct {
	cpluginv2.UnimplementedSourcePlugin
	total, size int
}

func (c counter) Run(_ context.Context, stream cpluginv2.SourceRunStream) error {
	batch := make([]cpluginv2.Record, 0, c.size)
	for n := 1; n <= c.total; n++ {
		batch = append(batch, cpluginv2.Record{
			Position:  []byte(strconv.Itoa(n)),
			Operation: cpluginv1.OperationCreate,
			Payload:   cpluginv1.Change{After: cpluginv1.RawData("record " + strconv.Itoa(n))},
		})
		if len(batch) == c.size || n == c.total {
			if err := stream.Send(cpluginv2.SourceRunResponse{Records: batch}); err != nil {
				return err
			}
			batch = batch[:0] // Send keeps no reference to the slice
		}
	}
	for {
		if _, err := stream.Recv(); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// A host drives a v2 source a batch at a time: every Recv returns one of
// the connector's batches, and one Send acks all of it.
func ExampleRunSource() {
	ctx := context.Background()
	source := builtin.NewSourceV2(counter{total: 7, size: 3})
	run := cpluginv2.RunSource(ctx, source)
	for received := 0; received < 7; {
		resp, err := run.Recv()
		if err != nil {
			fmt.Println("receive:", err)
			return
		}
		acks := make([][]byte, len(resp.Records))
		for i, rec := range resp.Records {
			acks[i] = rec.Position
		}
		fmt.Printf("batch of %d: positions %q\n", len(resp.Records), acks)
		if err := run.Send(cpluginv2.SourceRunRequest{AckPositions: acks}); err != nil {
			fmt.Println("ack:", err)
			return
		}
		received += len(resp.Records)
	}
	_ = run.CloseSend()
	fmt.Println("run ended:", run.Wait())
	// Output:
	// batch of 3: positions ["1" "2" "3"]
	// batch of 3: positions ["4" "5" "6"]
	// batch of 1: positions ["7"]
	// run ended: <nil>
}
