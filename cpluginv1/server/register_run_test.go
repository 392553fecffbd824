package server

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// oneRecordSource sends one record on Run and waits for its ack.
type oneRecordSource struct {
	cpluginv1.UnimplementedSourcePlugin
}

func (oneRecordSource) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	rec := cpluginv1.Record{Position: []byte("p1"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.RawData("x")}}
	if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
		return err
	}
	ack, err := stream.Recv()
	if err != nil {
		return err
	}
	if string(ack.AckPosition) != "p1" {
		return errors.New("ack for " + string(ack.AckPosition) + ", want p1")
	}
	_, err = stream.Recv()
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// ackingDestination acks every record it receives.
type ackingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
}

func (ackingDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
	}
}

// The Run streams of a connector put on a gRPC server of the caller's with
// Register carry records and acks, although that server has gRPC's own
// codec, not the transports' (package wire).
func TestRegisterRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s := grpc.NewServer()
	Register(s, Connector{Source: oneRecordSource{}, Destination: ackingDestination{}})
	conn := serveBufconn(t, s)

	src, err := connectorv1.NewSourcePluginClient(conn).Run(ctx)
	if err != nil {
		t.Fatalf("source Run: %v", err)
	}
	resp, err := src.Recv()
	if err != nil {
		t.Fatalf("source Run: Recv = %v, want the connector's record", err)
	}
	if got := string(resp.GetRecord().GetPosition()); got != "p1" {
		t.Fatalf("source Run: record at position %q, want \"p1\"", got)
	}
	if err := src.Send(&connectorv1.Source_Run_Request{AckPosition: []byte("p1")}); err != nil {
		t.Fatalf("source Run: Send ack: %v", err)
	}
	_ = src.CloseSend()
	if _, err := src.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("source Run: Recv after the ack = %v, want io.EOF", err)
	}

	dst, err := connectorv1.NewDestinationPluginClient(conn).Run(ctx)
	if err != nil {
		t.Fatalf("destination Run: %v", err)
	}
	rec := &opencdcv1.Record{Position: []byte("p1"), Operation: opencdcv1.Operation_OPERATION_CREATE}
	if err := dst.Send(&connectorv1.Destination_Run_Request{Record: rec}); err != nil {
		t.Fatalf("destination Run: Send record: %v", err)
	}
	ack, err := dst.Recv()
	if err != nil {
		t.Fatalf("destination Run: Recv = %v, want the ack", err)
	}
	if got := string(ack.GetAckPosition()); got != "p1" {
		t.Errorf("destination Run: ack for %q, want \"p1\"", got)
	}
	_ = dst.CloseSend()
	if _, err := dst.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("destination Run: Recv after CloseSend = %v, want io.EOF", err)
	}
}
