package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

var sentinels = []error{
	cpluginv1.ErrUnimplemented,
	cpluginv1.ErrInvalidArgument,
	cpluginv1.ErrFailedPrecondition,
	cpluginv1.ErrMessageTooLarge,
	context.Canceled,
	context.DeadlineExceeded,
}

// checkSameError asserts what the error table promises: same message, same
// sentinel (and no other).
func checkSameError(t *testing.T, got, want error) {
	t.Helper()
	if got == nil {
		t.Fatalf("got no error, want %q", want)
	}
	if got.Error() != want.Error() {
		t.Errorf("error message = %q, want %q", got.Error(), want.Error())
	}
	for _, s := range sentinels {
		if errors.Is(got, s) != errors.Is(want, s) {
			t.Errorf("errors.Is(%q, %q) = %v, want %v", got, s, errors.Is(got, s), errors.Is(want, s))
		}
	}
}

func TestSpecify(t *testing.T) {
	spec := cpluginv1.Specification{
		Name: "file", Summary: "s", Description: "d", Version: "v1.2.3", Author: "a",
		SourceParams: map[string]cpluginv1.Parameter{
			"path": {
				Description: "the file",
				Type:        cpluginv1.ParameterTypeFile,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}},
			},
		},
		DestinationParams: map[string]cpluginv1.Parameter{
			"n": {Default: "3", Type: cpluginv1.ParameterTypeInt, Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}}},
		},
	}
	c := serveInProcess(t, server.Connector{Specifier: fakeSpecifier{spec: spec}}, nil)
	got, err := c.Specifier().Specify(testContext(t), cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	if diff := cmp.Diff(spec, got.Specification); diff != "" {
		t.Errorf("specification (-want +got):\n%s", diff)
	}
}

func TestUnaryErrorsKeepMessageAndSentinel(t *testing.T) {
	errs := []error{
		fmt.Errorf("url: %w", cpluginv1.ErrInvalidArgument),
		fmt.Errorf("configure before teardown: %w", cpluginv1.ErrFailedPrecondition),
		fmt.Errorf("nope: %w", cpluginv1.ErrUnimplemented),
		fmt.Errorf("too big: %w", cpluginv1.ErrMessageTooLarge),
		fmt.Errorf("waiting: %w", context.DeadlineExceeded),
		context.Canceled,
		errors.New("disk full"),
	}
	for _, want := range errs {
		t.Run(want.Error(), func(t *testing.T) {
			c := serveInProcess(t, server.Connector{
				Specifier: fakeSpecifier{err: want},
				Source: &fakeSource{configure: func(context.Context, cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
					return cpluginv1.SourceConfigureResponse{}, want
				}},
				Destination: &fakeDestination{configure: func(context.Context, cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
					return cpluginv1.DestinationConfigureResponse{}, want
				}},
			}, nil)
			ctx := testContext(t)
			_, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
			checkSameError(t, err, want)
			_, err = c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{})
			checkSameError(t, err, want)
			_, err = c.Destination().Configure(ctx, cpluginv1.DestinationConfigureRequest{})
			checkSameError(t, err, want)
		})
	}
}

func TestConfigureReceivesRequest(t *testing.T) {
	got := make(chan map[string]string, 1)
	c := serveInProcess(t, server.Connector{Source: &fakeSource{
		configure: func(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
			got <- req.Config
			return cpluginv1.SourceConfigureResponse{}, nil
		},
	}}, nil)
	want := map[string]string{"url": "postgres://x", "table": "t"}
	ctx := testContext(t)
	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: want}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if diff := cmp.Diff(want, testwait.Receive(ctx, t, got, "the connector's config")); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestPanicIsInternalError(t *testing.T) {
	c := serveInProcess(t, server.Connector{Source: &fakeSource{
		configure: func(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
			if req.Config["panic"] != "" {
				panic(req.Config["panic"])
			}
			return cpluginv1.SourceConfigureResponse{}, nil
		},
		run: func(context.Context, cpluginv1.SourceRunStream) error {
			panic(fmt.Errorf("run: %w", cpluginv1.ErrInvalidArgument))
		},
	}}, nil)
	ctx := testContext(t)
	_, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"panic": "boom"}})
	checkSameError(t, err, errors.New("panic: boom"))

	// The connector keeps serving after a panic.
	if _, err := c.Source().Configure(ctx, cpluginv1.SourceConfigureRequest{}); err != nil {
		t.Fatalf("Configure after a panic: %v", err)
	}

	run := cpluginv1.RunSource(ctx, c.Source())
	_, err = run.Recv()
	// A panic never carries a sentinel, even when its value wraps one.
	checkSameError(t, err, errors.New("panic: run: invalid argument"))
}

// TestMissingPluginsAreUnimplemented checks that a connector without a
// source or destination answers every call of it with Unimplemented, in the
// words of cpluginv1.Unimplemented* (which answer lifecycle events with
// success instead).
func TestMissingPluginsAreUnimplemented(t *testing.T) {
	c := serveInProcess(t, server.Connector{}, nil)
	ctx := testContext(t)

	var us cpluginv1.UnimplementedSourcePlugin
	var ud cpluginv1.UnimplementedDestinationPlugin
	pairs := []struct {
		name      string
		got, want func(context.Context) error
	}{
		{"source configure", srcCall(c.Source(), sourceConfigure), srcCall(us, sourceConfigure)},
		{"source start", srcCall(c.Source(), sourceStart), srcCall(us, sourceStart)},
		{"source stop", srcCall(c.Source(), sourceStop), srcCall(us, sourceStop)},
		{"source teardown", srcCall(c.Source(), sourceTeardown), srcCall(us, sourceTeardown)},
		{"source on created", srcCall(c.Source(), sourceOnCreated), srcCall(us, sourceOnCreated)},
		{"source on updated", srcCall(c.Source(), sourceOnUpdated), srcCall(us, sourceOnUpdated)},
		{"source on deleted", srcCall(c.Source(), sourceOnDeleted), srcCall(us, sourceOnDeleted)},
		{"source run", srcCall(c.Source(), sourceRun), srcCall(us, sourceRun)},
		{"destination configure", dstCall(c.Destination(), destinationConfigure), dstCall(ud, destinationConfigure)},
		{"destination start", dstCall(c.Destination(), destinationStart), dstCall(ud, destinationStart)},
		{"destination stop", dstCall(c.Destination(), destinationStop), dstCall(ud, destinationStop)},
		{"destination teardown", dstCall(c.Destination(), destinationTeardown), dstCall(ud, destinationTeardown)},
		{"destination on created", dstCall(c.Destination(), destinationOnCreated), dstCall(ud, destinationOnCreated)},
		{"destination on updated", dstCall(c.Destination(), destinationOnUpdated), dstCall(ud, destinationOnUpdated)},
		{"destination on deleted", dstCall(c.Destination(), destinationOnDeleted), dstCall(ud, destinationOnDeleted)},
		{"destination run", dstCall(c.Destination(), destinationRun), dstCall(ud, destinationRun)},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			want := p.want(ctx)
			if strings.Contains(p.name, " on ") {
				// The Unimplemented* helpers answer lifecycle events with
				// success (a connector with nothing to do must), but a
				// plugin that does not exist answers every call with
				// Unimplemented, in the same words.
				if want != nil {
					t.Fatalf("reference answer %v, want success", want)
				}
				want = fmt.Errorf("%s: %w", strings.ReplaceAll(p.name, " on ", " lifecycle on "), cpluginv1.ErrUnimplemented)
			}
			if !errors.Is(want, cpluginv1.ErrUnimplemented) {
				t.Fatalf("reference error %v is not ErrUnimplemented", want)
			}
			checkSameError(t, p.got(ctx), want)
		})
	}

	_, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if !errors.Is(err, cpluginv1.ErrUnimplemented) {
		t.Errorf("Specify without a specifier: %v, want ErrUnimplemented", err)
	}
}

func srcCall(p cpluginv1.SourcePlugin, f func(context.Context, cpluginv1.SourcePlugin) error) func(context.Context) error {
	return func(ctx context.Context) error { return f(ctx, p) }
}

func dstCall(p cpluginv1.DestinationPlugin, f func(context.Context, cpluginv1.DestinationPlugin) error) func(context.Context) error {
	return func(ctx context.Context) error { return f(ctx, p) }
}

func sourceConfigure(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.Configure(ctx, cpluginv1.SourceConfigureRequest{})
	return err
}

func sourceStart(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.Start(ctx, cpluginv1.SourceStartRequest{})
	return err
}

func sourceStop(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.Stop(ctx, cpluginv1.SourceStopRequest{})
	return err
}

func sourceTeardown(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
	return err
}

func sourceOnCreated(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
	return err
}

func sourceOnUpdated(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.LifecycleOnUpdated(ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{})
	return err
}

func sourceOnDeleted(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := p.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{})
	return err
}

func sourceRun(ctx context.Context, p cpluginv1.SourcePlugin) error {
	_, err := cpluginv1.RunSource(ctx, p).Recv()
	return err
}

func destinationConfigure(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.Configure(ctx, cpluginv1.DestinationConfigureRequest{})
	return err
}

func destinationStart(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.Start(ctx, cpluginv1.DestinationStartRequest{})
	return err
}

func destinationStop(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.Stop(ctx, cpluginv1.DestinationStopRequest{})
	return err
}

func destinationTeardown(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
	return err
}

func destinationOnCreated(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{})
	return err
}

func destinationOnUpdated(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.LifecycleOnUpdated(ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{})
	return err
}

func destinationOnDeleted(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := p.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{})
	return err
}

func destinationRun(ctx context.Context, p cpluginv1.DestinationPlugin) error {
	_, err := cpluginv1.RunDestination(ctx, p).Recv()
	return err
}

// sendAll is a source Run that sends recs, checks that the acks name them
// in order and returns nil when the host closes the stream.
func sendAll(recs []cpluginv1.Record, ackErr chan<- error) func(context.Context, cpluginv1.SourceRunStream) error {
	return func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		for _, r := range recs {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: r}); err != nil {
				return err
			}
		}
		for i := 0; ; i++ {
			ack, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				if i != len(recs) {
					ackErr <- fmt.Errorf("stream closed after %d acks, want %d", i, len(recs))
				}
				close(ackErr)
				return nil
			}
			if err != nil {
				return err
			}
			if i >= len(recs) || string(ack.AckPosition) != string(recs[i].Position) {
				ackErr <- fmt.Errorf("ack %d = %q, out of order", i, ack.AckPosition)
			}
		}
	}
}

func TestSourceRun(t *testing.T) {
	recs := []cpluginv1.Record{
		record("a", []byte("1")),
		{
			Position: []byte("b"), Operation: cpluginv1.OperationUpdate,
			Metadata: map[string]string{cpluginv1.MetadataCollection: "users"},
			Key:      cpluginv1.StructuredData{"id": 1},
			Payload: cpluginv1.Change{
				Before: cpluginv1.StructuredData{"name": "x", "n": int64(2)},
				After:  cpluginv1.StructuredData{"name": "y", "tags": []any{"t", true, nil}},
			},
		},
		record("c", []byte{}),
	}
	ackErr := make(chan error, len(recs)+1)
	c := serveInProcess(t, server.Connector{Source: &fakeSource{run: sendAll(recs, ackErr)}}, nil)
	ctx := testContext(t)

	run := cpluginv1.RunSource(ctx, c.Source())
	for i, want := range recs {
		got, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv %d: %v", i, err)
		}
		want := normalized(t, want)
		if diff := cmp.Diff(want, got.Record); diff != "" {
			t.Errorf("record %d (-want +got):\n%s", i, diff)
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: got.Record.Position}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the connector returned = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	// The connector closed ackErr before it returned nil.
	for err := range ackErr {
		t.Error(err)
	}
}

// normalized is rec as a receiver sees it after any transport.
func normalized(t *testing.T, rec cpluginv1.Record) cpluginv1.Record {
	t.Helper()
	norm := func(d cpluginv1.Data) cpluginv1.Data {
		sd, ok := d.(cpluginv1.StructuredData)
		if !ok {
			return d
		}
		n, err := sd.Normalize()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	rec = rec.Clone()
	rec.Key = norm(rec.Key)
	rec.Payload.Before = norm(rec.Payload.Before)
	rec.Payload.After = norm(rec.Payload.After)
	return rec
}

func TestDestinationRun(t *testing.T) {
	c := serveInProcess(t, server.Connector{Destination: &fakeDestination{
		run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
			for {
				req, err := stream.Recv()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return err
				}
				ack := cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}
				if string(req.Record.Payload.After.Bytes()) == "bad" {
					ack.Error = "cannot write bad"
				}
				if err := stream.Send(ack); err != nil {
					return err
				}
			}
		},
	}}, nil)
	ctx := testContext(t)

	run := cpluginv1.RunDestination(ctx, c.Destination())
	recs := []cpluginv1.Record{record("1", []byte("ok")), record("2", []byte("bad")), record("3", []byte("ok"))}
	for _, r := range recs {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: r}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	want := []cpluginv1.DestinationRunResponse{{AckPosition: []byte("1")}, {AckPosition: []byte("2"), Error: "cannot write bad"}, {AckPosition: []byte("3")}}
	for i, w := range want {
		got, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv ack %d: %v", i, err)
		}
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("ack %d (-want +got):\n%s", i, diff)
		}
	}
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = %v, want io.EOF", err)
	}
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

func TestRunErrorKeepsMessageAndSentinel(t *testing.T) {
	want := fmt.Errorf("run before start: %w", cpluginv1.ErrFailedPrecondition)
	c := serveInProcess(t, server.Connector{
		Source: &fakeSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
			if err := stream.Send(cpluginv1.SourceRunResponse{Record: record("1", nil)}); err != nil {
				return err
			}
			return want
		}},
		Destination: &fakeDestination{run: func(context.Context, cpluginv1.DestinationRunStream) error { return want }},
	}, nil)
	ctx := testContext(t)

	src := cpluginv1.RunSource(ctx, c.Source())
	if _, err := src.Recv(); err != nil {
		t.Fatalf("the record sent before the error is lost: %v", err)
	}
	_, err := src.Recv()
	checkSameError(t, err, want)
	_ = src.CloseSend()

	dst := cpluginv1.RunDestination(ctx, c.Destination())
	_, err = dst.Recv()
	checkSameError(t, err, want)
	_ = dst.CloseSend()
}

func TestRunCancel(t *testing.T) {
	connectorErr := make(chan error, 1)
	running := make(chan struct{})
	c := serveInProcess(t, server.Connector{Source: &fakeSource{run: func(ctx context.Context, stream cpluginv1.SourceRunStream) error {
		close(running)
		_, err := stream.Recv()
		connectorErr <- err
		if ctx.Err() == nil {
			return errors.New("the connector's context is not done after Recv failed")
		}
		return err
	}}}, nil)

	testCtx := testContext(t)
	ctx, cancel := context.WithCancel(testCtx)
	run := cpluginv1.RunSource(ctx, c.Source())
	testwait.Receive(testCtx, t, running, "the connector's Run to start")
	cancel()
	if _, err := run.Recv(); !errors.Is(err, context.Canceled) {
		t.Errorf("host Recv = %v, want context.Canceled", err)
	}
	if err := testwait.Receive(testCtx, t, connectorErr, "the connector's Recv to fail"); !errors.Is(err, context.Canceled) {
		t.Errorf("connector Recv = %v, want context.Canceled", err)
	}
	if err := testwait.Run(testCtx, t, run); !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

func TestSourceRecordOverHostLimit(t *testing.T) {
	connectorErr := make(chan error, 1)
	c := serveInProcess(t, server.Connector{Source: &fakeSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		err := stream.Send(cpluginv1.SourceRunResponse{Record: record("big", make([]byte, 4096))})
		if err == nil {
			_, err = stream.Recv()
		}
		connectorErr <- err
		return err
	}}}, nil, grpc.MaxCallRecvMsgSize(1024))

	ctx := testContext(t)
	run := cpluginv1.RunSource(ctx, c.Source())
	_, err := run.Recv()
	if !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Fatalf("host Recv = %v, want ErrMessageTooLarge", err)
	}
	if err := testwait.Receive(ctx, t, connectorErr, "the connector's stream to end"); err == nil {
		t.Error("the connector's stream did not end")
	}
}

func TestSourceRecordOverConnectorLimit(t *testing.T) {
	connectorErr := make(chan error, 1)
	c := serveInProcess(t, server.Connector{Source: &fakeSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		err := stream.Send(cpluginv1.SourceRunResponse{Record: record("big", make([]byte, 4096))})
		connectorErr <- err
		return err
	}}}, []server.Option{server.WithMaxSendSize(1024)})

	ctx := testContext(t)
	run := cpluginv1.RunSource(ctx, c.Source())
	_, err := run.Recv()
	if !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("host Recv = %v, want ErrMessageTooLarge", err)
	}
	err = testwait.Receive(ctx, t, connectorErr, "the connector's Send to fail")
	if !errors.Is(err, cpluginv1.ErrMessageTooLarge) || !strings.Contains(err.Error(), "larger than the connector's send limit of 1024 bytes") {
		t.Errorf("connector Send = %v, want an error naming the connector's send limit wrapping ErrMessageTooLarge", err)
	}
}

func TestDestinationRecordOverHostLimit(t *testing.T) {
	c := serveInProcess(t, server.Connector{Destination: &fakeDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		_, err := stream.Recv()
		return err
	}}}, nil, grpc.MaxCallSendMsgSize(1024))

	run := cpluginv1.RunDestination(testContext(t), c.Destination())
	// The host's Send writes the gRPC stream directly: the record that
	// cannot be sent ends the stream there, and Send says only that (io.EOF);
	// Recv says why.
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record("big", make([]byte, 4096))}); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Send = %v, want nil or io.EOF", err)
	}
	_, err := run.Recv()
	if !errors.Is(err, cpluginv1.ErrMessageTooLarge) || !strings.Contains(err.Error(), "larger than the host's send limit of 1024 bytes") {
		t.Fatalf("host Recv = %v, want an error naming the host's send limit wrapping ErrMessageTooLarge", err)
	}
}

func TestDestinationRecordOverConnectorLimit(t *testing.T) {
	connectorErr := make(chan error, 1)
	c := serveInProcess(t, server.Connector{Destination: &fakeDestination{run: func(_ context.Context, stream cpluginv1.DestinationRunStream) error {
		_, err := stream.Recv()
		connectorErr <- err
		return err
	}}}, []server.Option{server.WithMaxReceiveSize(1024)})

	ctx := testContext(t)
	run := cpluginv1.RunDestination(ctx, c.Destination())
	// The host's Send writes the gRPC stream directly: the record that
	// cannot be sent ends the stream there, and Send says only that (io.EOF);
	// Recv says why.
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record("big", make([]byte, 4096))}); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Send = %v, want nil or io.EOF", err)
	}
	if _, err := run.Recv(); !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("host Recv = %v, want ErrMessageTooLarge", err)
	}
	if err := testwait.Receive(ctx, t, connectorErr, "the connector's Recv to fail"); !errors.Is(err, cpluginv1.ErrMessageTooLarge) {
		t.Errorf("connector Recv = %v, want ErrMessageTooLarge", err)
	}
}

func TestSourceSendUnsupportedValue(t *testing.T) {
	sendErr := make(chan error, 1)
	c := serveInProcess(t, server.Connector{Source: &fakeSource{run: func(_ context.Context, stream cpluginv1.SourceRunStream) error {
		bad := record("bad", nil)
		bad.Payload.After = cpluginv1.StructuredData{"at": time.Unix(0, 0)}
		sendErr <- stream.Send(cpluginv1.SourceRunResponse{Record: bad})
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: record("good", nil)}); err != nil {
			return err
		}
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}}}, nil)

	ctx := testContext(t)
	run := cpluginv1.RunSource(ctx, c.Source())
	got, err := run.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if string(got.Record.Position) != "good" {
		t.Errorf("host received %q, want only the good record", got.Record.Position)
	}
	if err := testwait.Receive(ctx, t, sendErr, "the connector's Send"); !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
		t.Errorf("Send of an unsupported value = %v, want ErrUnsupportedValue", err)
	}
	_ = run.CloseSend()
	if err := testwait.Run(ctx, t, run); err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestDestinationSendUnsupportedValueEndsRun(t *testing.T) {
	c := serveInProcess(t, server.Connector{Destination: &fakeDestination{run: func(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
		_, err := stream.Recv()
		return err
	}}}, nil)

	run := cpluginv1.RunDestination(testContext(t), c.Destination())
	bad := record("bad", nil)
	bad.Key = cpluginv1.StructuredData{"id": uint64(1) << 60}
	// The host's Send writes the gRPC stream directly: the record that
	// cannot be sent ends the stream there, and Send says only that (io.EOF);
	// Recv says why.
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: bad}); err != nil && !errors.Is(err, io.EOF) {
		t.Fatalf("Send = %v, want nil or io.EOF", err)
	}
	if _, err := run.Recv(); !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
		t.Fatalf("Recv = %v, want ErrUnsupportedValue", err)
	}
}
