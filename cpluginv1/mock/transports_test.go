package mock_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/mock/gomock"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/mock"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/internal/inprocess"
)

// plugins are a connector's three plugins as a host obtains them.
type plugins struct {
	specifier   cpluginv1.SpecifierPlugin
	source      cpluginv1.SourcePlugin
	destination cpluginv1.DestinationPlugin
}

// transports put a connector's plugins behind each transport a host can
// use: built-in, and standalone over gRPC (both ends in the test's process).
var transports = map[string]func(*testing.T, plugins) plugins{
	"builtin": func(_ *testing.T, p plugins) plugins {
		return plugins{builtin.NewSpecifier(p.specifier), builtin.NewSource(p.source), builtin.NewDestination(p.destination)}
	},
	"standalone": func(t *testing.T, p plugins) plugins {
		t.Helper()
		conn := inprocess.Serve(t,
			server.Connector{Specifier: p.specifier, Source: p.source, Destination: p.destination},
			server.WithLogger(slog.New(slog.DiscardHandler)),
		)
		c := client.NewFromConn(conn)
		return plugins{c.Specifier(), c.Source(), c.Destination()}
	},
}

// TestMocksBehindEveryTransport: a host's tests can put mocked plugins
// behind either transport and get exactly what the mocks were told to
// answer. Each call reaches the mock's method of the same name with the
// host's request, and the mock's response, or its error with its message
// and sentinel, comes back. A transport that sent a call to another method
// or lost a field fails here, as does a mock that does not stand in for
// the interface it mocks.
func TestMocksBehindEveryTransport(t *testing.T) {
	for name, through := range transports {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			ctrl := gomock.NewController(t)
			mocks := plugins{mock.NewMockSpecifierPlugin(ctrl), mock.NewMockSourcePlugin(ctrl), mock.NewMockDestinationPlugin(ctrl)}
			host := through(t, mocks)
			t.Run("Specifier", func(t *testing.T) {
				testSpecifier(ctx, t, mocks.specifier.(*mock.MockSpecifierPlugin), host.specifier)
			})
			t.Run("Source", func(t *testing.T) {
				testSource(ctx, t, mocks.source.(*mock.MockSourcePlugin), host.source)
			})
			t.Run("Destination", func(t *testing.T) {
				testDestination(ctx, t, mocks.destination.(*mock.MockDestinationPlugin), host.destination)
			})
		})
	}
}

func testSpecifier(ctx context.Context, t *testing.T, m *mock.MockSpecifierPlugin, host cpluginv1.SpecifierPlugin) {
	spec := cpluginv1.Specification{Name: "mocked", Version: "v1.0.0", SourceParams: map[string]cpluginv1.Parameter{
		"url": {Description: "d", Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
	}}
	m.EXPECT().Specify(gomock.Any(), cpluginv1.SpecifierSpecifyRequest{}).Return(cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil)
	resp, err := host.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	if diff := cmp.Diff(spec, resp.Specification); diff != "" {
		t.Errorf("Specify (-mocked +got):\n%s", diff)
	}
}

// checkErr checks that err is the mock's error as the host sees it: the
// same message and sentinel.
func checkErr(t *testing.T, what string, got, want error, sentinel error) {
	t.Helper()
	if got == nil || got.Error() != want.Error() || !errors.Is(got, sentinel) {
		t.Errorf("%s = %v, want %q wrapping %q", what, got, want, sentinel)
	}
}

func testSource(ctx context.Context, t *testing.T, m *mock.MockSourcePlugin, host cpluginv1.SourcePlugin) {
	config := map[string]string{"url": "https://example.com"}
	before := map[string]string{"url": "https://old.example.com"}
	errLifecycle := fmt.Errorf("no lifecycle here: %w", cpluginv1.ErrUnimplemented)
	errTeardown := fmt.Errorf("connection lost: %w", cpluginv1.ErrFailedPrecondition)
	record := cpluginv1.Record{Position: []byte("p1"), Operation: cpluginv1.OperationCreate, Payload: cpluginv1.Change{After: cpluginv1.RawData("data")}}
	gomock.InOrder(
		m.EXPECT().Configure(gomock.Any(), cpluginv1.SourceConfigureRequest{Config: config}).Return(cpluginv1.SourceConfigureResponse{}, nil),
		m.EXPECT().LifecycleOnCreated(gomock.Any(), cpluginv1.SourceLifecycleOnCreatedRequest{Config: config}).Return(cpluginv1.SourceLifecycleOnCreatedResponse{}, errLifecycle),
		m.EXPECT().LifecycleOnUpdated(gomock.Any(), cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: config}).Return(cpluginv1.SourceLifecycleOnUpdatedResponse{}, nil),
		m.EXPECT().Start(gomock.Any(), cpluginv1.SourceStartRequest{Position: []byte("p0")}).Return(cpluginv1.SourceStartResponse{}, nil),
		m.EXPECT().Run(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, stream cpluginv1.SourceRunStream) error {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: record}); err != nil {
				return err
			}
			for {
				if _, err := stream.Recv(); err != nil {
					if errors.Is(err, io.EOF) {
						return nil
					}
					return err
				}
			}
		}),
		m.EXPECT().Stop(gomock.Any(), cpluginv1.SourceStopRequest{}).Return(cpluginv1.SourceStopResponse{LastPosition: []byte("p1")}, nil),
		m.EXPECT().Teardown(gomock.Any(), cpluginv1.SourceTeardownRequest{}).Return(cpluginv1.SourceTeardownResponse{}, errTeardown),
		m.EXPECT().LifecycleOnDeleted(gomock.Any(), cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}).Return(cpluginv1.SourceLifecycleOnDeletedResponse{}, nil),
	)

	if _, err := host.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	_, err := host.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config})
	checkErr(t, "LifecycleOnCreated", err, errLifecycle, cpluginv1.ErrUnimplemented)
	if _, err := host.LifecycleOnUpdated(ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: config}); err != nil {
		t.Fatalf("LifecycleOnUpdated: %v", err)
	}
	if _, err := host.Start(ctx, cpluginv1.SourceStartRequest{Position: []byte("p0")}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	run := cpluginv1.RunSource(ctx, host)
	resp, err := run.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if diff := cmp.Diff(record, resp.Record); diff != "" {
		t.Errorf("record (-mocked +got):\n%s", diff)
	}
	stop, err := host.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil || string(stop.LastPosition) != "p1" {
		t.Fatalf("Stop = %q, %v; want \"p1\", nil", stop.LastPosition, err)
	}
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
		t.Fatalf("Send ack: %v", err)
	}
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
	}
	_, err = host.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	checkErr(t, "Teardown", err, errTeardown, cpluginv1.ErrFailedPrecondition)
	if _, err := host.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
		t.Fatalf("LifecycleOnDeleted: %v", err)
	}
}

func testDestination(ctx context.Context, t *testing.T, m *mock.MockDestinationPlugin, host cpluginv1.DestinationPlugin) {
	config := map[string]string{"path": "/tmp/out"}
	errConfigure := fmt.Errorf("path: %w", cpluginv1.ErrInvalidArgument)
	record := cpluginv1.Record{Position: []byte("p1"), Operation: cpluginv1.OperationSnapshot, Key: cpluginv1.RawData("k")}
	gomock.InOrder(
		m.EXPECT().Configure(gomock.Any(), cpluginv1.DestinationConfigureRequest{Config: nil}).Return(cpluginv1.DestinationConfigureResponse{}, errConfigure),
		m.EXPECT().Configure(gomock.Any(), cpluginv1.DestinationConfigureRequest{Config: config}).Return(cpluginv1.DestinationConfigureResponse{}, nil),
		m.EXPECT().LifecycleOnUpdated(gomock.Any(), cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigBefore: config, ConfigAfter: config}).Return(cpluginv1.DestinationLifecycleOnUpdatedResponse{}, nil),
		m.EXPECT().LifecycleOnCreated(gomock.Any(), cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}).Return(cpluginv1.DestinationLifecycleOnCreatedResponse{}, nil),
		m.EXPECT().Start(gomock.Any(), cpluginv1.DestinationStartRequest{}).Return(cpluginv1.DestinationStartResponse{}, nil),
		m.EXPECT().Run(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
			for {
				req, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position, Error: "mocked nack"}); err != nil {
					return err
				}
			}
		}),
		m.EXPECT().Stop(gomock.Any(), cpluginv1.DestinationStopRequest{LastPosition: []byte("p1")}).Return(cpluginv1.DestinationStopResponse{}, nil),
		m.EXPECT().Teardown(gomock.Any(), cpluginv1.DestinationTeardownRequest{}).Return(cpluginv1.DestinationTeardownResponse{}, nil),
		m.EXPECT().LifecycleOnDeleted(gomock.Any(), cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}).Return(cpluginv1.DestinationLifecycleOnDeletedResponse{}, nil),
	)

	// An empty configuration arrives as nil in both modes: protobuf does not
	// tell an empty map from an absent one.
	_, err := host.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{}})
	checkErr(t, "Configure", err, errConfigure, cpluginv1.ErrInvalidArgument)
	if _, err := host.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := host.LifecycleOnUpdated(ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigBefore: config, ConfigAfter: config}); err != nil {
		t.Fatalf("LifecycleOnUpdated: %v", err)
	}
	if _, err := host.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}); err != nil {
		t.Fatalf("LifecycleOnCreated: %v", err)
	}
	if _, err := host.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("Start: %v", err)
	}
	run := cpluginv1.RunDestination(ctx, host)
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	ack, err := run.Recv()
	if err != nil || string(ack.AckPosition) != "p1" || ack.Error != "mocked nack" {
		t.Fatalf("Recv = (%q, %q), %v; want the mocked nack of \"p1\"", ack.AckPosition, ack.Error, err)
	}
	if _, err := host.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte("p1")}); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
	}
	if _, err := host.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Fatalf("Teardown: %v", err)
	}
	if _, err := host.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
		t.Fatalf("LifecycleOnDeleted: %v", err)
	}
}
