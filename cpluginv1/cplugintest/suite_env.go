package cplugintest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// env is one case's connector instance and context.
type env struct {
	t   *testing.T
	ctx context.Context
	p   Plugins
}

// start begins a case: a new connector instance from h, and a context that
// ends at the case's timeout, with a watchdog for a case that outlives it.
func start(t *testing.T, h Harness) *env {
	t.Helper()
	timeout := h.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	name := t.Name()
	watchdog := time.AfterFunc(timeout+watchdogGrace, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("cplugintest: case %s is still running %v after its timeout of %v: a call of the transport does not return when its context ends", name, watchdogGrace, timeout))
	})
	// Registered before Start's cleanups, so it runs after them and the
	// watchdog also covers stopping the connector.
	t.Cleanup(func() {
		watchdog.Stop()
		cancel()
	})
	return &env{t: t, ctx: ctx, p: h.Start(t)}
}

// waitRun waits for a Run stream's connector call to return and returns its
// error, or fails the case if the case's context ends first.
func (e *env) waitRun(run interface{ Wait() error }) error {
	e.t.Helper()
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case err := <-done:
		return err
	case <-e.ctx.Done():
		e.t.Fatalf("waiting for Run to return: %v", e.ctx.Err())
		return nil
	}
}

// receive returns the next value from ch, or fails the case if the case's
// context ends first; what says what the case was waiting for.
func receive[T any](e *env, ch <-chan T, what string) T {
	e.t.Helper()
	select {
	case v := <-ch:
		return v
	case <-e.ctx.Done():
		e.t.Fatalf("waiting for %s: %v", what, e.ctx.Err())
		var zero T
		return zero
	}
}

func (e *env) configureSource(config map[string]string) {
	e.t.Helper()
	if _, err := e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		e.t.Fatalf("source Configure: %v", err)
	}
}

func (e *env) startSource(config map[string]string) {
	e.t.Helper()
	e.configureSource(config)
	if _, err := e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}); err != nil {
		e.t.Fatalf("source Start: %v", err)
	}
}

func (e *env) configureDestination(config map[string]string) {
	e.t.Helper()
	if _, err := e.p.Destination.Configure(e.ctx, cpluginv1.DestinationConfigureRequest{Config: config}); err != nil {
		e.t.Fatalf("destination Configure: %v", err)
	}
}

func (e *env) startDestination(config map[string]string) {
	e.t.Helper()
	e.configureDestination(config)
	if _, err := e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		e.t.Fatalf("destination Start: %v", err)
	}
}

func (e *env) teardownSource() {
	e.t.Helper()
	if _, err := e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		e.t.Fatalf("source Teardown: %v", err)
	}
}

func (e *env) teardownDestination() {
	e.t.Helper()
	if _, err := e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		e.t.Fatalf("destination Teardown: %v", err)
	}
}

func (e *env) recvRecord(run *cpluginv1.SourceRun) cpluginv1.Record {
	e.t.Helper()
	resp, err := run.Recv()
	if err != nil {
		e.t.Fatalf("source Run: Recv: %v", err)
	}
	return resp.Record
}

func (e *env) ack(run *cpluginv1.SourceRun, position []byte) {
	e.t.Helper()
	if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: position}); err != nil {
		e.t.Fatalf("source Run: Send ack %q: %v", position, err)
	}
}

// endSourceRun closes the host's side and checks that the stream then ends
// normally: Recv gives io.EOF (no record after the last one) and Run nil.
func (e *env) endSourceRun(run *cpluginv1.SourceRun) {
	e.t.Helper()
	if err := run.CloseSend(); err != nil {
		e.t.Fatalf("source Run: CloseSend: %v", err)
	}
	if resp, err := run.Recv(); !errors.Is(err, io.EOF) {
		e.t.Fatalf("source Run: Recv after CloseSend = (record %q, %v), want io.EOF", resp.Record.Position, err)
	}
	if err := e.waitRun(run); err != nil {
		e.t.Fatalf("source Run: Wait = %v, want nil", err)
	}
}

func (e *env) endDestinationRun(run *cpluginv1.DestinationRun) {
	e.t.Helper()
	if err := run.CloseSend(); err != nil {
		e.t.Fatalf("destination Run: CloseSend: %v", err)
	}
	if ack, err := run.Recv(); !errors.Is(err, io.EOF) {
		e.t.Fatalf("destination Run: Recv after CloseSend = (ack %q, %v), want io.EOF", ack.AckPosition, err)
	}
	if err := e.waitRun(run); err != nil {
		e.t.Fatalf("destination Run: Wait = %v, want nil", err)
	}
}

func (e *env) sendRecord(run *cpluginv1.DestinationRun, record cpluginv1.Record) {
	e.t.Helper()
	if err := run.Send(cpluginv1.DestinationRunRequest{Record: record}); err != nil {
		e.t.Fatalf("destination Run: Send record %q: %v", record.Position, err)
	}
}

func (e *env) recvAck(run *cpluginv1.DestinationRun) cpluginv1.DestinationRunResponse {
	e.t.Helper()
	ack, err := run.Recv()
	if err != nil {
		e.t.Fatalf("destination Run: Recv: %v", err)
	}
	return ack
}

// recvUntilError receives records until Recv fails and returns its error.
func recvUntilError(run *cpluginv1.SourceRun) error {
	for {
		if _, err := run.Recv(); err != nil {
			return err
		}
	}
}

// testConfig is a configuration with values that must survive unchanged:
// an empty value, non-ASCII text, control characters.
func testConfig() map[string]string {
	return map[string]string{
		keyJournal:        "true",
		"url":             "https://example.com/ä?a=1&b=2",
		"empty":           "",
		"multi\nline key": "tab\tvalue",
		"ünïcödé":         "✓",
	}
}
