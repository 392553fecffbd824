// Package testwait bounds the waits of the module's tests, so that a
// transport bug (a lost message, an end of stream that never comes, a call
// that ignores its context) fails the test that found it with a message
// instead of hanging the test binary. Only tests import it.
package testwait

import (
	"context"
	"fmt"
	"runtime/debug"
	"testing"
	"time"
)

// WatchdogGrace is how long a test may go on after its context ended before
// the watchdog of Context ends the test binary.
const WatchdogGrace = 10 * time.Second

// Context returns a context that ends after timeout and bounds every wait of
// the test. In case a call does not honour its context (the bug such a test
// looks for), a watchdog ends the test binary WatchdogGrace later with every
// goroutine's stack, naming the test, instead of letting it hang until go
// test's timeout.
func Context(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	name := t.Name()
	watchdog := time.AfterFunc(timeout+WatchdogGrace, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("%s is still running %v after its context ended: a call or wait does not honour its context", name, WatchdogGrace))
	})
	t.Cleanup(func() {
		watchdog.Stop()
		cancel()
	})
	return ctx
}

// Receive returns the next value from ch, or fails the test if ctx ends
// first; what says what the test was waiting for.
func Receive[T any](ctx context.Context, t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("waiting for %s: %v", what, ctx.Err())
		panic("unreachable")
	}
}

// Run waits for a Run stream to end (its Wait receives what is left) and
// returns how the connector's Run ended, or fails the test if ctx ends
// first. run is a *cpluginv1.SourceRun or *cpluginv1.DestinationRun.
func Run(ctx context.Context, t *testing.T, run interface{ Wait() error }) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- run.Wait() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		t.Fatalf("waiting for Run to return: %v", ctx.Err())
		panic("unreachable")
	}
}
