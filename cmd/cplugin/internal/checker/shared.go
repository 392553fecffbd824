package checker

import (
	"context"
	"errors"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// The scenarios a source and a destination share, written once for either
// role (see role).

// runRole checks the plugin of role r, if the connector offers it: the
// role's own scenarios on a configured plugin (role.own), then, each on a
// fresh connector, Teardown before Configure and during Run, calls out of
// order, and LifecycleOnDeleted after Configure and as the first call.
func (c *checker) runRole(ctx context.Context, r *role) {
	inst, ok := c.configured(ctx, r)
	if !ok {
		return
	}
	r.own(ctx, r, inst)
	c.teardownAnyTime(ctx, r)
	c.callOutOfOrder(ctx, r)
	c.deleted(ctx, r)
	c.deletedFirst(ctx, r)
}

// configured opens a connector and configures the plugin of role r. It
// returns the instance if the connector offers the plugin and Configure
// succeeded; otherwise it reports why and returns false: a plugin whose
// Configure answers Unimplemented is absent, and checkAbsent checks the rest
// of its calls.
func (c *checker) configured(ctx context.Context, r *role) (*connector.Instance, bool) {
	needs := "needs " + r.configure.id
	inst, ok := c.launch(ctx, r.configure)
	if !ok {
		c.skipAll(r.checks, needs)
		return nil, false
	}
	p := r.plugin(inst)
	err := c.configure(ctx, r, p)
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		c.res.declare(r.unimplemented)
		c.checkAbsent(ctx, r, p)
		c.release(inst)
		return nil, false
	}
	c.offers = append(c.offers, r.name)
	for _, chk := range r.checks {
		c.res.declare(chk)
	}
	if err != nil {
		c.res.problem(r.configure, "Configure "+describe(err)+configHint(err, r.config, r.params, "--"+r.name+"-config"), "")
		c.release(inst)
		c.skipAll(r.checks, needs)
		return nil, false
	}
	c.res.pass(r.configure, "")
	return inst, true
}

// configure calls Configure with the role's configuration.
func (c *checker) configure(ctx context.Context, r *role, p plugin) error {
	return c.do(ctx, func(ctx context.Context) error { return p.configure(ctx, cloneConfig(r.config)) })
}

// launchConfigured opens a fresh connector (for chk, see launch) and
// configures the plugin of role r on it. If Configure fails, which the full
// run reported already, it closes the connector and returns false.
func (c *checker) launchConfigured(ctx context.Context, r *role, chk check) (*connector.Instance, plugin, bool) {
	inst, ok := c.launch(ctx, chk)
	if !ok {
		return nil, nil, false
	}
	p := r.plugin(inst)
	if err := c.configure(ctx, r, p); err != nil {
		c.release(inst)
		return nil, nil, false
	}
	return inst, p, true
}

// sendEvent sends the lifecycle event with the role's configuration.
func (c *checker) sendEvent(ctx context.Context, r *role, p plugin, event string) error {
	return c.do(ctx, func(ctx context.Context) error { return p.lifecycle(ctx, event, cloneConfig(r.config)) })
}

// createdAndStarted sends LifecycleOnCreated to a configured plugin and
// starts it, as a host does the first time. If Start fails (startCall says
// what was called, for the reason), it skips the checks that need a
// started plugin, tears the plugin down and returns false.
func (c *checker) createdAndStarted(ctx context.Context, r *role, p plugin, startCall string, needStart []check) bool {
	c.lifecycle(r.lifecycle, onCreated, c.sendEvent(ctx, r, p, onCreated))

	if err := c.do(ctx, p.start); err != nil {
		c.res.problem(r.start, startCall+" "+describe(err), "")
		c.skipAll(needStart, "needs "+r.start.id)
		c.teardown(ctx, r, p, "after a failed Start")
		return false
	}
	c.res.pass(r.start, "")
	return true
}

// teardown calls Teardown (when says when, for the reason): it must
// succeed at any time.
func (c *checker) teardown(ctx context.Context, r *role, p plugin, when string) {
	if err := c.do(ctx, p.teardown); err != nil {
		c.res.problem(r.teardown, fmt.Sprintf("Teardown %s %s", when, describe(err)), "")
	}
}

// teardownAnyTime calls Teardown as the first call, and while Run is
// active (after which Run must end).
func (c *checker) teardownAnyTime(ctx context.Context, r *role) {
	if inst, ok := c.launch(ctx, r.teardown); ok {
		c.teardown(ctx, r, r.plugin(inst), "before Configure (as the first call)")
		c.release(inst)
	}

	inst, ok := c.launch(ctx, r.teardown)
	if !ok {
		return
	}
	defer c.release(inst)
	p := r.plugin(inst)
	if err := c.do(ctx, func(ctx context.Context) error {
		if err := p.configure(ctx, cloneConfig(r.config)); err != nil {
			return err
		}
		return p.start(ctx)
	}); err != nil {
		// Reported by the full run already; this scenario cannot happen.
		return
	}
	s := p.busyRun(ctx, c.cfg.Timeout)
	defer s.abort()
	c.teardownDuringRun(ctx, r, p, s)
}

// teardownDuringRun calls Teardown while a Run stream is open: the SHOULD
// check (r.teardownRun) passes if Teardown answers and the Run ends with
// the stream still open; otherwise the host ends the stream (abort), as the
// Conduit server does before it tears a connector down, and the MUST check
// (r.teardown) needs Teardown to answer then. Connectors built with the Go
// connector SDK wait for the host to end the stream (up to a minute).
func (c *checker) teardownDuringRun(ctx context.Context, r *role, p plugin, s openRun) {
	timeout := c.cfg.Timeout
	must, should := r.teardown, r.teardownRun
	err := c.do(ctx, p.teardown)
	switch {
	case err != nil:
		c.res.problem(should, "Teardown during Run, with the stream open, "+describe(err), "")
	case !s.waitEnd(timeout):
		c.res.problem(should, fmt.Sprintf("Run did not end within %v after Teardown; Teardown during Run ends the Run call", timeout), "")
	default:
		c.res.pass(should, "Teardown ended the Run call")
		c.res.pass(must, "before Configure, during Run and after Stop")
		return
	}
	s.abort()
	if err := c.do(ctx, p.teardown); err != nil {
		c.res.problem(must, "Teardown during Run, after the host ended the stream, "+describe(err), "")
		return
	}
	c.res.pass(must, "before Configure, during Run once the host ended the stream, and after Stop")
}

// callOutOfOrder calls Start before Configure and Run before Start.
func (c *checker) callOutOfOrder(ctx context.Context, r *role) {
	inst, ok := c.launch(ctx, r.callOrder)
	if !ok {
		return
	}
	err := c.do(ctx, r.plugin(inst).start)
	c.callOrder(r.callOrder, "Start before Configure", err)
	c.release(inst)

	// A fresh connector: the first Start may have changed its state.
	inst, p, ok := c.launchConfigured(ctx, r, r.callOrder)
	if !ok {
		return
	}
	defer c.release(inst)
	ev, ok := p.probeRun(ctx, c.cfg.Timeout)
	if end := c.runDidNotFail(r.callOrder, ev, ok, "Run before Start", r.earlyRun, "; want FAILED_PRECONDITION"); end != nil {
		c.callOrder(r.callOrder, "Run before Start", end)
	}
	_ = c.do(ctx, p.teardown)
	c.res.pass(r.callOrder, "Start before Configure and Run before Start answered FAILED_PRECONDITION")
}

// runDidNotFail reports under chk what a Run stream that should have failed
// at once (ev, ok: its first event, see plugin.probeRun) did instead: stay
// silent, send a message, or send one the host refused; the reason reads
// subject, what happened as speech says it, then tail. If the stream just
// ended, it returns the error it ended with, for the caller to judge, and
// nil otherwise.
func (c *checker) runDidNotFail(chk check, ev event[string], ok bool, subject string, speech runSpeech, tail string) error {
	switch {
	case !ok:
		c.res.problem(chk, fmt.Sprintf("%s %s within %v%s", subject, speech.silent, c.cfg.Timeout, tail), "")
	case ev.err == nil:
		c.res.problem(chk, fmt.Sprintf("%s sent %s%s", subject, speech.sent, tail), ev.msg)
	case hostRefused(ev.err):
		c.res.problem(chk, fmt.Sprintf("%s sent %s, which the host refused (%v)%s", subject, speech.sent, ev.err, tail), "")
	default:
		return ev.err
	}
	return nil
}

// deleted configures a fresh connector and deletes it.
func (c *checker) deleted(ctx context.Context, r *role) {
	inst, p, ok := c.launchConfigured(ctx, r, r.lifecycle)
	if !ok {
		return
	}
	defer c.release(inst)
	for _, event := range r.deletedEvents {
		c.lifecycle(r.lifecycle, event, c.sendEvent(ctx, r, p, event))
	}
	c.teardown(ctx, r, p, "after LifecycleOnDeleted")
}

// deletedFirst deletes a fresh connector without configuring it:
// LifecycleOnDeleted, with the last configuration, is the first call, then
// Teardown. The Conduit server deletes a connector that way, in a process
// it starts only for that.
func (c *checker) deletedFirst(ctx context.Context, r *role) {
	inst, ok := c.launch(ctx, r.deleted)
	if !ok {
		return
	}
	defer c.release(inst)
	p := r.plugin(inst)
	if err := c.sendEvent(ctx, r, p, onDeleted); err != nil {
		c.res.problem(r.deleted, "as the first call of a fresh process (no Configure before it), "+lifecycleProblem(onDeleted, err), "")
	}
	c.teardown(ctx, r, p, "after LifecycleOnDeleted without Configure")
	c.res.pass(r.deleted, "as the first call of a fresh process, then Teardown")
}

// checkAbsent checks that a connector whose plugin answered Configure with
// Unimplemented answers every other call of the plugin the same way.
func (c *checker) checkAbsent(ctx context.Context, r *role, p plugin) {
	lead := fmt.Sprintf("Configure answered UNIMPLEMENTED (no %s), but ", r.name)
	type namedCall struct {
		name string
		fn   func(context.Context) error
	}
	calls := []namedCall{{"Start", p.start}, {"Stop", p.stop}, {"Teardown", p.teardown}}
	for _, event := range lifecycleEvents {
		calls = append(calls, namedCall{event, func(ctx context.Context) error { return p.lifecycle(ctx, event, nil) }})
	}
	for _, call := range calls {
		if err := c.do(ctx, call.fn); !errors.Is(err, cpluginv1.ErrUnimplemented) {
			c.res.problem(r.unimplemented, fmt.Sprintf("%s%s %s; every call of a plugin the connector does not offer answers UNIMPLEMENTED", lead, call.name, describe(err)), "")
		}
	}
	ev, ok := p.probeRun(ctx, c.cfg.Timeout)
	if end := c.runDidNotFail(r.unimplemented, ev, ok, lead+"Run", r.absentRun, ""); end != nil && !errors.Is(end, cpluginv1.ErrUnimplemented) {
		c.res.problem(r.unimplemented, fmt.Sprintf("%sRun %s", lead, describeEnd(end)), "")
	}
	c.res.pass(r.unimplemented, fmt.Sprintf("no %s: every %s call answered UNIMPLEMENTED", r.name, r.name))
}
