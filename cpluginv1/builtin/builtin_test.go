package builtin_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/builtin"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/cplugintest"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

func TestMain(m *testing.M) {
	// The wrappers log the stack of every panic they recover; the suite
	// makes connectors panic on purpose.
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

// TestParity runs the transport parity suite against the built-in mode.
func TestParity(t *testing.T) {
	cplugintest.Run(t, cplugintest.Harness{
		Start: func(*testing.T) cplugintest.Plugins {
			p := cplugintest.Connector()
			return cplugintest.Plugins{
				Specifier:   builtin.NewSpecifier(p.Specifier),
				Source:      builtin.NewSource(p.Source),
				Destination: builtin.NewDestination(p.Destination),
			}
		},
		MaxMessageSize: 0, // nothing is serialised
	})
}

const testTimeout = 10 * time.Second

// testContext bounds every wait of a test by testTimeout; see testwait.Context.
func testContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, testTimeout)
}

// contextSource records the context its Configure and Run get, and blocks
// in them until released if told to, ignoring the context, as a badly
// written connector does.
type contextSource struct {
	cpluginv1.UnimplementedSourcePlugin
	got     chan context.Context
	release chan struct{} // nil: return at once
}

func (s *contextSource) Configure(ctx context.Context, _ cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	s.got <- ctx
	if s.release != nil {
		<-s.release
	}
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (s *contextSource) Run(ctx context.Context, _ cpluginv1.SourceRunStream) error {
	s.got <- ctx
	if s.release != nil {
		<-s.release
	}
	return nil
}

type ctxKey struct{}

// The connector's context carries the caller's deadline but none of its
// values, and ends when the call returns, like a gRPC handler's: a
// connector must not come to depend on anything else in built-in mode.
func TestConnectorContext(t *testing.T) {
	deadline := time.Now().Add(testTimeout / 2) // earlier than testContext's own
	testCtx := testContext(t)
	ctx, cancel := context.WithDeadline(context.WithValue(testCtx, ctxKey{}, "host value"), deadline)
	defer cancel()
	impl := &contextSource{got: make(chan context.Context, 1)}
	source := builtin.NewSource(impl)

	for name, call := range map[string]func() error{
		"Configure": func() error {
			_, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{})
			return err
		},
		"Run": func() error {
			run := cpluginv1.RunSource(ctx, source)
			return testwait.Run(testCtx, t, run)
		},
	} {
		if err := call(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		connectorCtx := testwait.Receive(testCtx, t, impl.got, name+"'s context")
		if v := connectorCtx.Value(ctxKey{}); v != nil {
			t.Errorf("%s: the connector sees the host's context value %v", name, v)
		}
		if d, ok := connectorCtx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("%s: the connector's deadline = %v, %v; want %v", name, d, ok, deadline)
		}
		select {
		case <-connectorCtx.Done():
		case <-ctx.Done():
			t.Errorf("%s: the connector's context did not end when the call returned", name)
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: the host's context ended: %v", name, ctx.Err())
		}
	}
}

// A connector that ignores its context does not hold the host up: the call
// returns with the context's error as soon as the context ends, as a gRPC
// client's does.
func TestConnectorIgnoringContext(t *testing.T) {
	impl := &contextSource{got: make(chan context.Context, 1), release: make(chan struct{})}
	defer close(impl.release) // lets the connector's goroutines end
	source := builtin.NewSource(impl)

	testCtx := testContext(t)
	ctx, cancel := context.WithCancel(testCtx)
	defer cancel()
	go func() {
		// Once the connector is in Configure; or at the test's timeout,
		// which then fails the test with a wrong error.
		select {
		case <-impl.got:
		case <-testCtx.Done():
		}
		cancel()
	}()
	_, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{})
	if !errors.Is(err, context.Canceled) || err.Error() != context.Canceled.Error() {
		t.Fatalf("Configure after cancel = %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(testCtx)
	defer cancel()
	run := cpluginv1.RunSource(ctx, source)
	testwait.Receive(testCtx, t, impl.got, "the connector's Run to start")
	cancel()
	if _, err := run.Recv(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Recv after cancel = %v, want context.Canceled", err)
	}
}

type panickingSpecifier struct{}

func (panickingSpecifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	panic(errors.New("spec not loaded"))
}

// syncBuffer is an io.Writer that several goroutines may use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A panic becomes an error with the standalone server's message, and its
// stack trace, which the error cannot carry, is logged.
func TestPanic(t *testing.T) {
	var logs syncBuffer
	defaultLogger := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(defaultLogger)

	_, err := builtin.NewSpecifier(panickingSpecifier{}).Specify(testContext(t), cpluginv1.SpecifierSpecifyRequest{})
	want := "panic: spec not loaded"
	if err == nil || err.Error() != want {
		t.Fatalf("Specify = %v, want the error %q", err, want)
	}
	for _, s := range []string{"connector panicked", "method=Specifier.Specify", "panickingSpecifier.Specify"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("the log does not contain %q:\n%s", s, logs.String())
		}
	}
}

// sharedSpecifier answers with the same specification every time.
type sharedSpecifier struct{ spec cpluginv1.Specification }

func (s sharedSpecifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: s.spec}, nil
}

// A host that changes a response does not change the connector's data.
func TestResponsesAreCopies(t *testing.T) {
	ctx := testContext(t)
	spec := cpluginv1.Specification{Name: "n", SourceParams: map[string]cpluginv1.Parameter{
		"p": {Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
	}}
	specifier := builtin.NewSpecifier(sharedSpecifier{spec: spec})
	resp, err := specifier.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	resp.SourceParams["p"].Validations[0].Value = "changed by the host"
	resp.SourceParams["q"] = cpluginv1.Parameter{}
	if len(spec.SourceParams) != 1 || spec.SourceParams["p"].Validations[0].Value != "" {
		t.Fatalf("the connector's specification changed with the host's copy: %+v", spec)
	}
}
