package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

// fileDestination appends the payload of each record, as a line, to the
// file its "path" parameter names.
type fileDestination struct {
	// The lifecycle events: success, with nothing to do.
	cpluginv1.UnimplementedDestinationPlugin

	path string
	file *os.File
}

func (d *fileDestination) Configure(_ context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	d.path = req.Config["path"]
	if d.path == "" {
		return cpluginv1.DestinationConfigureResponse{}, fmt.Errorf("path is required: %w", cpluginv1.ErrInvalidArgument)
	}
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (d *fileDestination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return cpluginv1.DestinationStartResponse{}, fmt.Errorf("open %s: %w", d.path, err)
	}
	d.file = f
	return cpluginv1.DestinationStartResponse{}, nil
}

// Run writes each record and acks it; a record it cannot write gets a
// negative ack, and the stream goes on.
func (d *fileDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil // the host closed the stream
		}
		if err != nil {
			return err
		}
		ack := cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}
		if payload := req.Record.Payload.After; payload == nil {
			ack.Error = "the record has no payload to write"
		} else if _, err := fmt.Fprintf(d.file, "%s\n", payload.Bytes()); err != nil {
			ack.Error = err.Error()
		}
		if err := stream.Send(ack); err != nil {
			return err
		}
	}
}

// Stop has nothing buffered: every record was written and acked in Run.
func (d *fileDestination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, d.file.Sync()
}

// Teardown may come at any time, also before Start.
func (d *fileDestination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	if d.file == nil {
		return cpluginv1.DestinationTeardownResponse{}, nil
	}
	return cpluginv1.DestinationTeardownResponse{}, d.file.Close()
}

type fileSpec struct{}

func (fileSpec) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:    "file",
		Summary: "Appends the payload of each record to a file.",
		Version: "v0.1.0",
		DestinationParams: map[string]cpluginv1.Parameter{
			"path": {
				Description: "The file to append to.",
				Type:        cpluginv1.ParameterTypeFile,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}},
			},
		},
	}}, nil
}

// The main function of a standalone destination connector. A connector with
// only a destination leaves Source nil: hosts get ErrUnimplemented from its
// source calls.
func ExampleServe_destination() {
	// func main() {
	err := server.Serve(server.Connector{Specifier: fileSpec{}, Destination: &fileDestination{}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// }
}

// The destination of ExampleServe_destination, served in the example's own
// process and driven as a host drives it: one ack per record, in order; a
// negative ack names its record and the stream goes on.
func ExampleNewGRPCServer_destination() {
	s, err := server.NewGRPCServer(server.Connector{Specifier: fileSpec{}, Destination: &fileDestination{}})
	if err != nil {
		fmt.Println(err)
		return
	}
	lis := bufconn.Listen(1 << 20)
	go func() { _ = s.Serve(lis) }()
	defer s.Stop()
	conn, err := grpc.NewClient("passthrough:///connector",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = conn.Close() }()
	destination := client.NewFromConn(conn).Destination()

	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	path := filepath.Join(dir, "out.txt")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{})
	fmt.Println("configure without a path:", err, errors.Is(err, cpluginv1.ErrInvalidArgument))
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{"path": path}}); err != nil {
		fmt.Println("configure:", err)
		return
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		fmt.Println("start:", err)
		return
	}

	run := cpluginv1.RunDestination(ctx, destination)
	for _, record := range []cpluginv1.Record{
		{Position: []byte("1"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.RawData("hello")}},
		{Position: []byte("2"), Operation: cpluginv1.OperationDelete},
		{Position: []byte("3"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.StructuredData{"greeting": "world"}}},
	} {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record}); err != nil {
			fmt.Println("send:", err)
			return
		}
		ack, err := run.Recv()
		if err != nil {
			fmt.Println("recv:", err)
			return
		}
		fmt.Printf("ack %s %q\n", ack.AckPosition, ack.Error)
	}
	if _, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("3")}); err != nil {
		fmt.Println("stop:", err)
		return
	}
	_ = run.CloseSend()
	fmt.Println("run:", run.Wait())
	if _, err := destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		fmt.Println("teardown:", err)
		return
	}
	written, _ := os.ReadFile(path)
	fmt.Printf("file:\n%s", written)

	// Output:
	// configure without a path: path is required: invalid argument true
	// ack 1 ""
	// ack 2 "the record has no payload to write"
	// ack 3 ""
	// run: <nil>
	// file:
	// hello
	// {"greeting":"world"}
}
