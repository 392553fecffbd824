package builtin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
)

// countingSource is a small connector: it sends the records "1" to "n"
// (n from its configuration) and returns from Run when the host closes its
// side. It always sends all n, so Stop answers "n".
type countingSource struct {
	// The lifecycle events: success, with nothing to do.
	cpluginv1.UnimplementedSourcePlugin

	n int
}

func (s *countingSource) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	if _, err := fmt.Sscan(req.Config["n"], &s.n); err != nil {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("n: %w", cpluginv1.ErrInvalidArgument)
	}
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (s *countingSource) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

func (s *countingSource) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	for i := 1; i <= s.n; i++ {
		err := stream.Send(cpluginv1.SourceRunResponse{Record: cpluginv1.Record{
			Position:  fmt.Appendf(nil, "%d", i),
			Operation: cpluginv1.OperationCreate,
			Payload:   cpluginv1.Change{After: cpluginv1.StructuredData{"i": i}},
		}})
		if err != nil {
			return err
		}
	}
	for { // acks until the host closes its side
		if _, err := stream.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (s *countingSource) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	return cpluginv1.SourceStopResponse{LastPosition: fmt.Appendf(nil, "%d", s.n)}, nil
}

func (s *countingSource) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

// A host runs a built-in source exactly as it runs a standalone one: the
// protocol's calls in order, and the Run stream through cpluginv1.RunSource.
func ExampleNewSource() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	source := builtin.NewSource(&countingSource{})

	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"n": "3"}}); err != nil {
		fmt.Println("configure:", err)
		return
	}
	// countingSource has nothing to do for lifecycle events: the embedded
	// UnimplementedSourcePlugin answers them with success. A host accepts
	// ErrUnimplemented too, from connectors that predate the events.
	if _, err := source.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{}); err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		fmt.Println("lifecycle:", err)
		return
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		fmt.Println("start:", err)
		return
	}

	run := cpluginv1.RunSource(ctx, source)
	var last []byte
	for range 2 {
		resp, err := run.Recv()
		if err != nil {
			fmt.Println("recv:", err)
			return
		}
		// Integers arrive as float64, as they would over gRPC.
		fmt.Printf("record %s: %T %v\n", resp.Record.Position, resp.Record.Payload.After.(cpluginv1.StructuredData)["i"], resp.Record.Payload.After.(cpluginv1.StructuredData)["i"])
		last = resp.Record.Position
		_ = run.Send(cpluginv1.SourceRunRequest{AckPosition: last})
	}

	// Stop, then keep receiving until the last position Stop named.
	stop, err := source.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		fmt.Println("stop:", err)
		return
	}
	for string(last) != string(stop.LastPosition) {
		resp, err := run.Recv()
		if err != nil {
			fmt.Println("recv:", err)
			return
		}
		fmt.Printf("record %s (after Stop)\n", resp.Record.Position)
		last = resp.Record.Position
		_ = run.Send(cpluginv1.SourceRunRequest{AckPosition: last})
	}
	_ = run.CloseSend()
	_, err = run.Recv()
	fmt.Println("end of stream:", err)
	fmt.Println("run:", run.Wait())
	_, err = source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	fmt.Println("teardown:", err)

	// Output:
	// record 1: float64 1
	// record 2: float64 2
	// record 3 (after Stop)
	// end of stream: EOF
	// run: <nil>
	// teardown: <nil>
}

// printingDestination writes records to stdout and nacks those without a
// payload.
type printingDestination struct {
	// The lifecycle events: success, with nothing to do.
	cpluginv1.UnimplementedDestinationPlugin
}

func (printingDestination) Configure(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (printingDestination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

func (printingDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		ack := cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}
		if req.Record.Payload.After == nil {
			ack.Error = "no payload"
		} else {
			fmt.Printf("write %s\n", req.Record.Payload.After.Bytes())
		}
		if err := stream.Send(ack); err != nil {
			return err
		}
	}
}

func (printingDestination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, nil // nothing buffered
}

func (printingDestination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

// A host writes records to a built-in destination through
// cpluginv1.RunDestination and reads one ack per record, in order; a
// negative ack names its record and the stream goes on.
func ExampleNewDestination() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	destination := builtin.NewDestination(printingDestination{})
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		fmt.Println("configure:", err)
		return
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		fmt.Println("start:", err)
		return
	}

	run := cpluginv1.RunDestination(ctx, destination)
	records := []cpluginv1.Record{
		{Position: []byte("a"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.RawData("hello")}},
		{Position: []byte("b"), Operation: cpluginv1.OperationDelete},
		{Position: []byte("c"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.RawData("world")}},
	}
	for _, record := range records {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record}); err != nil {
			fmt.Println("send:", err)
			return
		}
	}
	var acks []string
	for range records {
		ack, err := run.Recv()
		if err != nil {
			fmt.Println("recv:", err)
			return
		}
		acks = append(acks, fmt.Sprintf("%s:%q", ack.AckPosition, ack.Error))
	}
	fmt.Println("acks:", strings.Join(acks, " "))

	if _, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("c")}); err != nil {
		fmt.Println("stop:", err)
		return
	}
	_ = run.CloseSend()
	_, err := run.Recv()
	fmt.Println("end of stream:", err)
	fmt.Println("run:", run.Wait())

	// Output:
	// write hello
	// write world
	// acks: a:"" b:"no payload" c:""
	// end of stream: EOF
	// run: <nil>
}
