package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// counter is a source that sends the numbers 0, 1 and 2 as records.
type counter struct {
	// The lifecycle events: success, with nothing to do.
	cpluginv1.UnimplementedSourcePlugin

	first int // the first number to send, after the start position

	mu      sync.Mutex // Run and Stop run concurrently
	last    int        // the last number sent in this run, -1 before the first
	stopped bool       // no record may follow the one Stop reported
}

func (c *counter) Configure(context.Context, cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (c *counter) Start(_ context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	c.last = -1
	if len(req.Position) > 0 {
		n, err := strconv.Atoi(string(req.Position))
		if err != nil {
			return cpluginv1.SourceStartResponse{}, fmt.Errorf("position %q: %w", req.Position, cpluginv1.ErrInvalidArgument)
		}
		c.first = n + 1
	}
	return cpluginv1.SourceStartResponse{}, nil
}

func (c *counter) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	for n := c.first; n < 3; n++ {
		if err := c.send(stream, n); err != nil {
			return err
		}
	}
	// Nothing more to send: read the acks until the host closes the stream.
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// send sends n unless the source was stopped.
func (c *counter) send(stream cpluginv1.SourceRunStream, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return nil
	}
	pos := []byte(strconv.Itoa(n))
	rec := cpluginv1.Record{
		Position:  pos,
		Operation: cpluginv1.OperationCreate,
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(pos)},
	}
	if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
		return err
	}
	c.last = n
	return nil
}

func (c *counter) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.last < 0 {
		return cpluginv1.SourceStopResponse{}, nil
	}
	return cpluginv1.SourceStopResponse{LastPosition: []byte(strconv.Itoa(c.last))}, nil
}

func (c *counter) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

type spec struct{}

func (spec) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:    "counter",
		Summary: "Sends the numbers 0, 1 and 2.",
		Version: "v0.1.0",
	}}, nil
}

// The main function of a standalone source connector. Started by a host, it
// serves until the host stops it; started by hand, it says what it is and
// exits with status 1. (go test compiles this example but does not run it:
// it has no Output, since it would wait for a host.) The README points
// here, to ExampleServe in cpluginv1/server/example_test.go.
func ExampleServe() {
	// func main() {
	err := server.Serve(server.Connector{Specifier: spec{}, Source: &counter{}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// }
}

// A connector served in the test's own process, as the host sees it: the
// handshake is left out, the transport is the same.
func ExampleNewGRPCServer() {
	s, err := server.NewGRPCServer(server.Connector{Specifier: spec{}, Source: &counter{}})
	if err != nil {
		panic(err)
	}
	lis := bufconn.Listen(1 << 20)
	go func() { _ = s.Serve(lis) }()
	defer s.Stop()

	conn, err := grpc.NewClient("passthrough:///connector",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer func() { _ = conn.Close() }()
	source := client.NewFromConn(conn).Source()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{Position: []byte("0")}); err != nil {
		panic(err)
	}
	run := cpluginv1.RunSource(ctx, source)
	for range 2 {
		resp, err := run.Recv()
		if err != nil {
			panic(err)
		}
		fmt.Printf("record %s\n", resp.Record.Position)
		_ = run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position})
	}
	stop, err := source.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("last position %s\n", stop.LastPosition)
	_ = run.CloseSend()
	_, err = run.Recv()
	fmt.Println(err)
	// Output:
	// record 1
	// record 2
	// last position 2
	// EOF
}
