package mock_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"go.uber.org/mock/gomock"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/mock"
)

// A host's code under test drives a mocked source through RunSource as it
// would a real one.
func TestMockSourceWithRunSource(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ctrl := gomock.NewController(t)
	source := mock.NewMockSourcePlugin(ctrl)
	source.EXPECT().Run(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: cpluginv1.Record{Position: []byte("p1"), Operation: cpluginv1.OperationCreate}}); err != nil {
			return err
		}
		ack, err := stream.Recv()
		if err != nil {
			return err
		}
		if string(ack.AckPosition) != "p1" {
			return errors.New("unexpected ack")
		}
		return nil
	})

	run := cpluginv1.RunSource(ctx, source)
	resp, err := run.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv at the end = %v, want io.EOF", err)
	}
}

// A connector's Run under test talks to a scripted stream.
func TestMockDestinationRunStream(t *testing.T) {
	ctrl := gomock.NewController(t)
	stream := mock.NewMockDestinationRunStream(ctrl)
	gomock.InOrder(
		stream.EXPECT().Recv().Return(cpluginv1.DestinationRunRequest{Record: cpluginv1.Record{Position: []byte("p1")}}, nil),
		stream.EXPECT().Send(cpluginv1.DestinationRunResponse{AckPosition: []byte("p1")}).Return(nil),
		stream.EXPECT().Recv().Return(cpluginv1.DestinationRunRequest{}, io.EOF),
	)
	// A minimal destination Run loop, as a connector author would test it.
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
}
