package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/inprocess"
)

// These tests play a connector of protocol v2 over raw gRPC (as connectors
// built with the Go connector SDK are), so that it can send batches of any
// shape.

// serveV2 serves the v2 services given (nil: not served) on an in-memory
// connection and returns a v2 host client for it.
func serveV2(t *testing.T, spec connectorv2.SpecifierPluginServer, src connectorv2.SourcePluginServer, dst connectorv2.DestinationPluginServer) *client.Client {
	t.Helper()
	s := grpc.NewServer()
	if spec != nil {
		connectorv2.RegisterSpecifierPluginServer(s, spec)
	}
	if src != nil {
		connectorv2.RegisterSourcePluginServer(s, src)
	}
	if dst != nil {
		connectorv2.RegisterDestinationPluginServer(s, dst)
	}
	conn := inprocess.ServeGRPC(t, s)
	c := client.NewFromConnV2(conn)
	if c.ProtocolVersion() != client.ProtocolVersion2 {
		t.Fatalf("ProtocolVersion of a client from NewFromConnV2 = %d, want 2", c.ProtocolVersion())
	}
	return c
}

func v2Record(i int) *opencdcv1.Record {
	return &opencdcv1.Record{
		Position:  fmt.Appendf(nil, "pos-%d", i),
		Operation: opencdcv1.Operation_OPERATION_CREATE,
		Payload:   &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: fmt.Appendf(nil, "payload-%d", i)}}},
	}
}

// batchingSource sends its batches of records, then hands every Run
// request it receives to requests until the host closes the stream.
type batchingSource struct {
	connectorv2.UnimplementedSourcePluginServer
	batches  [][]*opencdcv1.Record
	requests chan *connectorv2.Source_Run_Request
	open     chan []byte
}

func (s *batchingSource) Open(_ context.Context, req *connectorv2.Source_Open_Request) (*connectorv2.Source_Open_Response, error) {
	s.open <- req.GetPosition()
	return &connectorv2.Source_Open_Response{}, nil
}

func (s *batchingSource) Run(stream connectorv2.SourcePlugin_RunServer) error {
	for _, batch := range s.batches {
		if err := stream.Send(&connectorv2.Source_Run_Response{Records: batch}); err != nil {
			return err
		}
	}
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		s.requests <- req
	}
}

// A v2 connector's batches of records reach the host one record per Recv,
// in order (an empty batch means nothing), and the host sends every ack in
// a request of its own; Start is Open.
func TestSourceV2UnbatchesRecords(t *testing.T) {
	ctx := testContext(t)
	src := &batchingSource{
		batches:  [][]*opencdcv1.Record{{v2Record(1), v2Record(2), v2Record(3)}, {}, {v2Record(4)}, {v2Record(5), v2Record(6)}},
		requests: make(chan *connectorv2.Source_Run_Request, 6),
		open:     make(chan []byte, 1),
	}
	c := serveV2(t, nil, src, nil)
	if _, err := c.Source().Start(ctx, cpluginv1.SourceStartRequest{Position: []byte("pos-0")}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	if got := <-src.open; string(got) != "pos-0" {
		t.Errorf("Open got position %q, want pos-0", got)
	}
	run := cpluginv1.RunSource(ctx, c.Source())
	for i := 1; i <= 6; i++ {
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv record %d: %v", i, err)
		}
		if want := fmt.Sprintf("pos-%d", i); string(resp.Record.Position) != want ||
			string(resp.Record.Payload.After.Bytes()) != fmt.Sprintf("payload-%d", i) || resp.Record.Operation != cpluginv1.OperationCreate {
			t.Fatalf("record %d = %+v, want %s with its payload", i, resp.Record, want)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	for i := 1; i <= 6; i++ {
		var req *connectorv2.Source_Run_Request
		select {
		case req = <-src.requests:
		case <-ctx.Done():
			t.Fatalf("waiting for ack %d: %v", i, ctx.Err())
		}
		if len(req.GetAckPositions()) != 1 || string(req.GetAckPositions()[0]) != fmt.Sprintf("pos-%d", i) {
			t.Fatalf("request %d holds %q, want the ack of pos-%d alone", i, req.GetAckPositions(), i)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
}

// A record in a v2 batch that breaks the contract's rules is refused by
// the host's end as on v1.
func TestSourceV2RecordBreaksContract(t *testing.T) {
	ctx := testContext(t)
	bad := &opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_CREATE}
	src := &batchingSource{batches: [][]*opencdcv1.Record{{v2Record(1), bad}}, requests: make(chan *connectorv2.Source_Run_Request, 2)}
	run := cpluginv1.RunSource(ctx, serveV2(t, nil, src, nil).Source())
	if _, err := run.Recv(); err != nil {
		t.Fatalf("Recv record 1: %v", err)
	}
	_, err := run.Recv()
	var contract *cpluginv1.ContractError
	if !errors.As(err, &contract) || !errors.Is(err, cpluginv1.ErrInvalidArgument) || !strings.Contains(err.Error(), "record 2") {
		t.Fatalf("Recv of a record without a position = %v, want a ContractError naming record 2", err)
	}
}

// batchingDestination receives every record (each must come in a message
// of its own) and acks them in batches of the sizes given, the last
// batch once the host closed the stream.
type batchingDestination struct {
	connectorv2.UnimplementedDestinationPluginServer
	batchSizes []int
	sizes      chan int // the number of records in each request
}

func (d *batchingDestination) Run(stream connectorv2.DestinationPlugin_RunServer) error {
	var held []*connectorv2.Destination_Run_Response_Ack
	sizes := d.batchSizes
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		d.sizes <- len(req.GetRecords())
		for _, rec := range req.GetRecords() {
			ack := &connectorv2.Destination_Run_Response_Ack{Position: rec.GetPosition()}
			if string(rec.GetPosition()) == "pos-2" {
				ack.Error = "cannot write pos-2"
			}
			held = append(held, ack)
		}
		for len(sizes) > 0 && len(held) >= sizes[0] {
			if err := stream.Send(&connectorv2.Destination_Run_Response{Acks: held[:sizes[0]]}); err != nil {
				return err
			}
			if err := stream.Send(&connectorv2.Destination_Run_Response{}); err != nil { // an empty batch: nothing
				return err
			}
			held, sizes = held[sizes[0]:], sizes[1:]
		}
	}
}

// A v2 connector's batches of acks reach the host one ack per Recv, in
// order, negative acks included, and the host sends every record in a
// request of its own.
func TestDestinationV2UnbatchesAcks(t *testing.T) {
	ctx := testContext(t)
	dst := &batchingDestination{batchSizes: []int{2, 3}, sizes: make(chan int, 5)}
	run := cpluginv1.RunDestination(ctx, serveV2(t, nil, nil, dst).Destination())
	for i := 1; i <= 5; i++ {
		rec := cpluginv1.Record{Position: fmt.Appendf(nil, "pos-%d", i), Operation: cpluginv1.OperationUpdate, Payload: cpluginv1.Change{After: cpluginv1.RawData("x")}}
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: rec}); err != nil {
			t.Fatalf("Send record %d: %v", i, err)
		}
	}
	for i := 1; i <= 5; i++ {
		ack, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv ack %d: %v", i, err)
		}
		wantErr := ""
		if i == 2 {
			wantErr = "cannot write pos-2"
		}
		if string(ack.AckPosition) != fmt.Sprintf("pos-%d", i) || ack.Error != wantErr {
			t.Fatalf("ack %d = (%q, %q), want (pos-%d, %q)", i, ack.AckPosition, ack.Error, i, wantErr)
		}
		if size := <-dst.sizes; size != 1 {
			t.Errorf("request %d held %d records, want 1", i, size)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Wait = %v, want nil", err)
	}
}

type v2Specifier struct {
	connectorv2.UnimplementedSpecifierPluginServer
	spec *connectorv2.Specification
}

func (s v2Specifier) Specify(context.Context, *connectorv2.Specifier_Specify_Request) (*connectorv2.Specifier_Specify_Response, error) {
	return &connectorv2.Specifier_Specify_Response{Specification: s.spec}, nil
}

// A v2 specification converts to cpluginv1's: the deprecated Required flag
// reports a validation of type required.
func TestSpecifyV2(t *testing.T) {
	ctx := testContext(t)
	spec := &connectorv2.Specification{
		Name: "v2", Version: "v2.0.0",
		SourceParams: map[string]*configv1.Parameter{
			"url": {Type: configv1.Parameter_TYPE_STRING, Description: "where", Validations: []*configv1.Validation{
				{Type: configv1.Validation_TYPE_REGEX, Value: "^http"}, {Type: configv1.Validation_TYPE_REQUIRED},
			}},
			"n": {Type: configv1.Parameter_TYPE_INT, Default: "3"},
		},
	}
	resp, err := serveV2(t, v2Specifier{spec: spec}, nil, nil).Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	want := cpluginv1.Specification{
		Name: "v2", Version: "v2.0.0",
		SourceParams: map[string]cpluginv1.Parameter{
			"url": {Type: cpluginv1.ParameterTypeString, Description: "where", Required: true, Validations: []cpluginv1.Validation{
				{Type: cpluginv1.ValidationTypeRegex, Value: "^http"}, {Type: cpluginv1.ValidationTypeRequired},
			}},
			"n": {Type: cpluginv1.ParameterTypeInt, Default: "3"},
		},
	}
	if fmt.Sprint(resp.Specification) != fmt.Sprint(want) {
		t.Errorf("Specify = %+v, want %+v", resp.Specification, want)
	}
}

// A connector without the v2 services answers every call with
// ErrUnimplemented.
func TestV2MissingServicesAreUnimplemented(t *testing.T) {
	ctx := testContext(t)
	c := serveV2(t, nil, nil, nil)
	if _, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{}); !errors.Is(err, cpluginv1.ErrUnimplemented) {
		t.Errorf("Specify = %v, want ErrUnimplemented", err)
	}
	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{}); !errors.Is(err, cpluginv1.ErrUnimplemented) {
		t.Errorf("source Configure = %v, want ErrUnimplemented", err)
	}
	if _, err := c.Destination().Start(ctx, cpluginv1.DestinationStartRequest{}); !errors.Is(err, cpluginv1.ErrUnimplemented) {
		t.Errorf("destination Start = %v, want ErrUnimplemented", err)
	}
}

func TestProtocolVersionOfNewFromConn(t *testing.T) {
	if v := client.NewFromConn(nil).ProtocolVersion(); v != client.ProtocolVersion1 {
		t.Errorf("ProtocolVersion of a client from NewFromConn = %d, want 1", v)
	}
}

func TestNewRefusesUnknownProtocolVersions(t *testing.T) {
	_, err := client.New(testContext(t), client.Config{Path: "/nonexistent", ProtocolVersions: []int{1, 3}})
	if err == nil || !strings.Contains(err.Error(), "Config.ProtocolVersions holds 3") {
		t.Fatalf("New with protocol version 3 = %v, want an error naming Config.ProtocolVersions", err)
	}
}
