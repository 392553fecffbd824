package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/internal/cerrors"
)

// exitWait bounds how long a call that lost its connection to the connector
// waits to learn whether (and how) the connector process ended. The process
// is normally reaped within milliseconds of its socket closing; a call
// whose connection broke while the process lives on returns gRPC's error
// after this wait.
const exitWait = time.Second

// exitWatch explains calls that fail because the connector process ended:
// instead of gRPC's "connection closed", they fail with an error saying
// that the connector exited and how. It only knows about processes the
// client started itself.
type exitWatch struct {
	runner  *processRunner
	closing atomic.Bool // set by Close
}

// dialOptions returns the interceptors that apply the watch to every call
// and stream on the connection to the connector, except those of
// go-plugin's own services (package "plugin"), which look for gRPC's
// status codes to tell an exited connector from a failure.
func (w *exitWatch) dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(w.unary),
		grpc.WithChainStreamInterceptor(w.stream),
	}
}

func (w *exitWatch) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	if isGoPluginMethod(method) {
		return invoker(ctx, method, req, reply, cc, opts...)
	}
	exitedBefore := w.hasExited()
	return w.explain(invoker(ctx, method, req, reply, cc, opts...), method, exitedBefore)
}

func (w *exitWatch) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	if isGoPluginMethod(method) {
		return streamer(ctx, desc, cc, method, opts...)
	}
	exitedBefore := w.hasExited()
	s, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		return nil, w.explain(err, method, exitedBefore)
	}
	return &watchedStream{ClientStream: s, watch: w, method: method, exitedBefore: exitedBefore}, nil
}

// isGoPluginMethod reports whether method belongs to one of go-plugin's
// own services (controller, stdio, broker).
func isGoPluginMethod(method string) bool {
	return strings.HasPrefix(method, "/plugin.")
}

func (w *exitWatch) hasExited() bool {
	select {
	case <-w.runner.exited:
		return true
	default:
		return false
	}
}

// explain returns err, or, if err says the connector could not be reached
// (UNAVAILABLE), an error that says whether its process has ended (or ends
// within exitWait) and how, or that it runs: gRPC's own words ask "did its
// process exit?".
func (w *exitWatch) explain(err error, method string, exitedBefore bool) error {
	if status.Code(err) != codes.Unavailable {
		return err
	}
	call := path.Base(method) // "/connector.v1.SourcePlugin/Run" -> "Run"
	timer := time.NewTimer(exitWait)
	defer timer.Stop()
	select {
	case <-w.runner.exited:
	case <-timer.C:
		cause := cerrors.Text(status.Convert(err).Message())
		return &exitError{
			msg: fmt.Sprintf("connector %s could not be reached during %s, although its process runs: %s",
				w.runner.path, call, cause),
			runs: true, cause: cause,
		}
	}
	how := w.runner.exitState().String()
	var msg string
	switch {
	case exitedBefore:
		msg = fmt.Sprintf("connector %s exited (%s) before %s", w.runner.path, how, call)
	case w.closing.Load():
		msg = fmt.Sprintf("connector %s was stopped by Close (%s) during %s", w.runner.path, how, call)
	default:
		msg = fmt.Sprintf("connector %s exited (%s) during %s", w.runner.path, how, call)
	}
	return &exitError{msg: msg}
}

// watchedStream is a client stream whose failures exitWatch explains.
type watchedStream struct {
	grpc.ClientStream
	watch        *exitWatch
	method       string
	exitedBefore bool
}

func (s *watchedStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err == nil || errors.Is(err, io.EOF) {
		return err
	}
	return s.watch.explain(err, s.method, s.exitedBefore)
}

// exitError reports that a call failed because the connector process
// ended, or could not be reached although it runs. It matches
// ErrConnectorUnavailable.
type exitError struct {
	msg   string
	runs  bool   // the process runs: the connection broke
	cause string // then gRPC's words about the connection
}

func (e *exitError) Error() string { return e.msg }

func (e *exitError) Is(target error) bool { return target == ErrConnectorUnavailable }
