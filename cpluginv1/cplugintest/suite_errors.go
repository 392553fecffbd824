package cplugintest

import (
	"maps"
	"slices"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// testErrors makes calls fail in every way errors.go's table lists and
// checks that the host gets the same message and the same sentinel.
func testErrors(t *testing.T, h Harness) {
	kinds := slices.Sorted(maps.Keys(failures))
	for _, side := range []string{"source", "destination"} {
		for _, call := range failingMethods {
			methodKinds := kinds
			if !call.everyKind {
				methodKinds = []string{"invalid-argument", "panic"}
			}
			for _, kind := range methodKinds {
				t.Run(side+"/"+call.method+"/"+kind, func(t *testing.T) {
					want, sentinel := "panic: "+panicValue(side, call.method), error(nil)
					if kind != "panic" {
						want, sentinel = failure(side, call.method, kind).Error(), failures[kind]
					}
					e := start(t, h)
					err := e.failingCall(side, call, map[string]string{keyFail + call.method: kind})
					checkError(t, side+" "+call.method, err, want, sentinel)
				})
			}
		}
	}
}

// stage is how far a plugin has come in the protocol's order.
type stage int

const (
	fresh      stage = iota // no call yet
	configured              // Configure succeeded
	started                 // Configure and Start succeeded
)

// failingMethod is how testErrors reaches one method of the test connector,
// told to fail: the plugin is brought to stage needs, and then source or
// destination calls the method and returns its error.
type failingMethod struct {
	method string
	needs  stage
	// everyKind: the method is made to fail in every way; the others
	// fail as invalid-argument and panic, enough to see their errors
	// cross.
	everyKind   bool
	source      func(e *env, config map[string]string) error
	destination func(e *env, config map[string]string) error
}

// failingMethods are the methods testErrors makes fail, in the order of its
// subtests.
var failingMethods = []failingMethod{
	{
		"configure", fresh, true,
		func(e *env, config map[string]string) error {
			return errOf(e.p.Source.Configure(e.ctx, cpluginv1.SourceConfigureRequest{Config: config}))
		},
		func(e *env, config map[string]string) error {
			return errOf(e.p.Destination.Configure(e.ctx, cpluginv1.DestinationConfigureRequest{Config: config}))
		},
	},
	{"run", started, true, sourceRunError, destinationRunError},
	{
		"start", configured, false,
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Source.Start(e.ctx, cpluginv1.SourceStartRequest{}))
		},
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Destination.Start(e.ctx, cpluginv1.DestinationStartRequest{}))
		},
	},
	{
		"stop", started, false,
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Source.Stop(e.ctx, cpluginv1.SourceStopRequest{}))
		},
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Destination.Stop(e.ctx, cpluginv1.DestinationStopRequest{}))
		},
	},
	{
		"teardown", configured, false,
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Source.Teardown(e.ctx, cpluginv1.SourceTeardownRequest{}))
		},
		func(e *env, _ map[string]string) error {
			return errOf(e.p.Destination.Teardown(e.ctx, cpluginv1.DestinationTeardownRequest{}))
		},
	},
	{
		"lifecycle-on-created", configured, false,
		func(e *env, config map[string]string) error {
			return errOf(e.p.Source.LifecycleOnCreated(e.ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config}))
		},
		func(e *env, config map[string]string) error {
			return errOf(e.p.Destination.LifecycleOnCreated(e.ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}))
		},
	},
	{
		"lifecycle-on-updated", configured, false,
		func(e *env, config map[string]string) error {
			return errOf(e.p.Source.LifecycleOnUpdated(e.ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigAfter: config}))
		},
		func(e *env, config map[string]string) error {
			return errOf(e.p.Destination.LifecycleOnUpdated(e.ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigAfter: config}))
		},
	},
	{
		"lifecycle-on-deleted", configured, false,
		func(e *env, config map[string]string) error {
			return errOf(e.p.Source.LifecycleOnDeleted(e.ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}))
		},
		func(e *env, config map[string]string) error {
			return errOf(e.p.Destination.LifecycleOnDeleted(e.ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}))
		},
	},
}

// failingCall brings side's plugin to the stage call needs, with config,
// and returns the error of call's method.
func (e *env) failingCall(side string, call failingMethod, config map[string]string) error {
	e.t.Helper()
	if side == "source" {
		switch call.needs {
		case configured:
			e.configureSource(config)
		case started:
			e.startSource(config)
		}
		return call.source(e, config)
	}
	switch call.needs {
	case configured:
		e.configureDestination(config)
	case started:
		e.startDestination(config)
	}
	return call.destination(e, config)
}

// sourceRunError opens the source's Run stream and returns the error Recv
// ends with, checking that Wait returns the same error.
func sourceRunError(e *env, _ map[string]string) error {
	e.t.Helper()
	run := cpluginv1.RunSource(e.ctx, e.p.Source)
	err := recvUntilError(run)
	if waitErr := e.waitRun(run); waitErr == nil || waitErr.Error() != err.Error() {
		e.t.Errorf("source Run: Wait = %v, want Recv's error %v", waitErr, err)
	}
	return err
}

// destinationRunError opens the destination's Run stream and returns the
// error of its first Recv, checking that Wait returns the same error.
func destinationRunError(e *env, _ map[string]string) error {
	e.t.Helper()
	run := cpluginv1.RunDestination(e.ctx, e.p.Destination)
	_, err := run.Recv()
	if waitErr := e.waitRun(run); waitErr == nil || err == nil || waitErr.Error() != err.Error() {
		e.t.Errorf("destination Run: Wait = %v, want Recv's error %v", waitErr, err)
	}
	return err
}

// errOf returns the error of a call, dropping its response.
func errOf[Resp any](_ Resp, err error) error { return err }
