package checker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// runDestination checks the destination, if the connector offers one: a
// full run (Configure, LifecycleOnCreated, Start, Run with test records,
// Stop, Teardown), Teardown before Configure and during Run, calls out of
// order, and LifecycleOnDeleted. Each scenario gets a fresh connector.
func (c *checker) runDestination(ctx context.Context) {
	inst, ok := c.launch(ctx, checkDestinationConfigure)
	if !ok {
		c.skipAll(destinationChecks, "needs destination.configure")
		return
	}
	dst := inst.Destination
	cfg := c.cfg.DestinationConfig
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cloneConfig(cfg)})
		return err
	})
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		c.res.declare(checkDestinationUnimplemented)
		c.checkAbsentDestination(ctx, dst)
		c.release(inst)
		return
	}
	c.offers = append(c.offers, "destination")
	for _, chk := range destinationChecks {
		c.res.declare(chk)
	}
	if err != nil {
		c.res.problem(checkDestinationConfigure, "Configure "+describe(err)+configHint(err, cfg, c.spec.DestinationParams, "--destination-config"), "")
		c.release(inst)
		c.skipAll(destinationChecks, "needs destination.configure")
		return
	}
	c.res.pass(checkDestinationConfigure, "")

	c.destinationFullRun(ctx, dst)
	c.release(inst)
	c.destinationTeardownAnyTime(ctx)
	c.destinationCallOrder(ctx)
	c.destinationDeleted(ctx)
	c.destinationDeletedFirst(ctx)
}

// destinationFullRun runs a configured destination as a host does: it
// sends the test records, calls Stop with the last position without
// waiting for the acks, and closes the stream.
func (c *checker) destinationFullRun(ctx context.Context, dst cpluginv1.DestinationPlugin) {
	timeout := c.cfg.Timeout
	cfg := c.cfg.DestinationConfig
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkDestinationLifecycle, "LifecycleOnCreated", err)

	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
		return err
	}); err != nil {
		c.res.problem(checkDestinationStart, "Start "+describe(err), "")
		c.skipAll([]check{checkDestinationRun, checkDestinationAcks, checkDestinationNack, checkDestinationStop}, "needs destination.start")
		c.destinationTeardown(ctx, dst, "after a failed Start")
		return
	}
	c.res.pass(checkDestinationStart, "")

	records := testRecords(c.cfg.Records)
	s := openDestinationStream(ctx, dst)
	defer s.abort()
	sent := make(chan error, 1)
	go func() {
		for i, r := range records {
			if err := s.run.Send(cpluginv1.DestinationRunRequest{Record: r}); err != nil {
				sent <- fmt.Errorf("record %d: %w", i+1, err)
				return
			}
		}
		sent <- nil
	}()
	var acks []cpluginv1.DestinationRunResponse
	var sendErr, refusal error
	select {
	case sendErr = <-sent:
	case <-time.After(timeout):
		c.res.problem(checkDestinationRun, fmt.Sprintf("the destination did not take the %d records within %v", len(records), timeout), "")
		c.skipAll([]check{checkDestinationAcks, checkDestinationNack, checkDestinationStop}, "needs destination.run")
		c.destinationTeardown(ctx, dst, "during Run")
		return
	}
	if sendErr != nil {
		// The stream ended while the records were being sent. One deadline
		// for all: a connector that keeps sending acks must not hold the
		// check up for longer than the timeout.
		deadline := time.Now().Add(timeout)
		for {
			ev, ok := s.next(time.Until(deadline))
			if !ok {
				c.res.problem(checkDestinationRun, fmt.Sprintf("sending record failed (%v), but Run did not end within %v", sendErr, timeout), "")
				break
			}
			if ev.err != nil {
				if hostRefused(ev.err) {
					refusal = ev.err
					c.res.skip(checkDestinationRun, fmt.Sprintf("the host ended the stream at ack %d, which breaks the contract (see destination.acks)", len(acks)+1))
					break
				}
				c.res.problem(checkDestinationRun, fmt.Sprintf("Run %s after %d acks, before the host closed the stream", describeEnd(ev.err), len(acks)), "")
				break
			}
			acks = append(acks, ev.msg)
		}
		c.skipAll([]check{checkDestinationNack, checkDestinationStop}, "needs destination.run")
		c.judgeAcks(records, s.raw.list(), refusal)
		c.destinationTeardown(ctx, dst, "after Run ended")
		return
	}

	// Stop right away: it writes what is buffered and acks every record up
	// to the last position before it answers.
	last := records[len(records)-1].Position
	_, stopErr := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: last})
		return err
	})
	deadline := time.Now().Add(timeout)
	for len(acks) < len(records) {
		ev, ok := s.next(time.Until(deadline))
		if !ok || ev.err != nil {
			break
		}
		acks = append(acks, ev.msg)
	}
	if s.ended && hostRefused(s.endErr) {
		why := fmt.Sprintf("the host ended the stream at ack %d, which breaks the contract (see destination.acks)", len(acks)+1)
		c.skipAll([]check{checkDestinationRun, checkDestinationNack, checkDestinationStop}, why)
		c.judgeAcks(records, s.raw.list(), s.endErr)
		c.destinationTeardown(ctx, dst, "after the host ended the Run stream")
		return
	}
	if stopErr != nil {
		c.res.problem(checkDestinationStop, fmt.Sprintf("Stop with the last position %q %s", last, describe(stopErr)), "")
	}
	if stopErr == nil {
		if len(acks) < len(records) {
			c.res.problem(checkDestinationStop, fmt.Sprintf("Stop with the last position %q answered, but only %d of the %d records were acked within %v; Stop acks every record up to that position before it answers", last, len(acks), len(records), timeout), "")
		}
		c.res.pass(checkDestinationStop, fmt.Sprintf("every record was acked when Stop with %q answered", last))
	}

	// The host closes its side; Run then ends without an error.
	endedEarly := s.ended
	s.closeSend()
	deadline = time.Now().Add(timeout)
	for {
		ev, ok := s.next(time.Until(deadline))
		if !ok {
			c.res.problem(checkDestinationRun, fmt.Sprintf("Run did not end within %v after the host closed the stream", timeout), "")
			break
		}
		if ev.err == nil {
			acks = append(acks, ev.msg)
			continue
		}
		switch {
		case hostRefused(ev.err):
			// An ack that breaks the contract: destination.acks says so.
			refusal = ev.err
		case endedEarly:
			c.res.problem(checkDestinationRun, fmt.Sprintf("Run %s after %d acks, before the host closed the stream", describeEnd(ev.err), len(acks)), "")
		case !errors.Is(ev.err, io.EOF):
			c.res.problem(checkDestinationRun, fmt.Sprintf("after the host closed the stream, Run %s; it ends without an error", describeEnd(ev.err)), "")
		}
		break
	}
	c.res.pass(checkDestinationRun, fmt.Sprintf("%d records, ended after the host closed the stream", len(records)))
	c.judgeAcks(records, s.raw.list(), refusal)
	c.judgeNacks(records, acks)
	c.destinationTeardown(ctx, dst, "after Stop")
}

// judgeNacks checks that a negative ack left the stream open: the records
// after it were acked too.
func (c *checker) judgeNacks(records []cpluginv1.Record, acks []cpluginv1.DestinationRunResponse) {
	first := -1
	for i, a := range acks {
		if a.Error != "" {
			first = i
			break
		}
	}
	switch {
	case first < 0:
		c.res.skip(checkDestinationNack, "every record was acked positively, so there was no negative ack to check; a configuration under which the destination refuses some of the test records exercises it")
	case first == len(records)-1 || len(acks) > first+1:
		c.res.pass(checkDestinationNack, fmt.Sprintf("record %q was acked negatively (%q) and the stream went on", acks[first].AckPosition, acks[first].Error))
	default:
		c.res.problem(checkDestinationNack, fmt.Sprintf("after the negative ack of record %q no further ack arrived; a negative ack is for that record only, and the stream stays open", acks[first].AckPosition), formatAck(acks[first]))
	}
}

func (c *checker) destinationTeardown(ctx context.Context, dst cpluginv1.DestinationPlugin, when string) {
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	})
	if err != nil {
		c.res.problem(checkDestinationTeardown, fmt.Sprintf("Teardown %s %s", when, describe(err)), "")
	}
}

// destinationTeardownAnyTime calls Teardown as the first call, and while
// Run is active (after which Run must end).
func (c *checker) destinationTeardownAnyTime(ctx context.Context) {
	timeout := c.cfg.Timeout
	if inst, ok := c.launch(ctx, checkDestinationTeardown); ok {
		c.destinationTeardown(ctx, inst.Destination, "before Configure (as the first call)")
		c.release(inst)
	}

	inst, ok := c.launch(ctx, checkDestinationTeardown)
	if !ok {
		return
	}
	defer c.release(inst)
	dst := inst.Destination
	cfg := c.cfg.DestinationConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		if _, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cloneConfig(cfg)}); err != nil {
			return err
		}
		_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
		return err
	}); err != nil {
		// Reported by the full run already; this scenario cannot happen.
		return
	}
	s := openDestinationStream(ctx, dst)
	defer s.abort()
	// One record and its ack (or the timeout) show that Run is running.
	if err := s.run.Send(cpluginv1.DestinationRunRequest{Record: testRecords(2)[0]}); err == nil {
		s.next(timeout)
	}
	c.teardownDuringRun(ctx, checkDestinationTeardown, checkDestinationTeardownRun, s.waitEnd, s.abort, func(ctx context.Context) error {
		_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	})
}

// destinationCallOrder calls Start before Configure and Run before Start.
func (c *checker) destinationCallOrder(ctx context.Context) {
	timeout := c.cfg.Timeout
	inst, ok := c.launch(ctx, checkDestinationCallOrder)
	if !ok {
		return
	}
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := inst.Destination.Start(ctx, cpluginv1.DestinationStartRequest{})
		return err
	})
	c.callOrder(checkDestinationCallOrder, "Start before Configure", err)
	c.release(inst)

	// A fresh connector: the first Start may have changed its state.
	inst, ok = c.launch(ctx, checkDestinationCallOrder)
	if !ok {
		return
	}
	defer c.release(inst)
	dst := inst.Destination
	cfg := c.cfg.DestinationConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cloneConfig(cfg)})
		return err
	}); err != nil {
		return
	}
	s := openDestinationStream(ctx, dst)
	ev, ok := s.next(timeout)
	s.abort()
	switch {
	case !ok:
		c.res.problem(checkDestinationCallOrder, fmt.Sprintf("Run before Start did not fail within %v; want FAILED_PRECONDITION", timeout), "")
	case ev.err == nil:
		c.res.problem(checkDestinationCallOrder, "Run before Start sent an ack although no record was sent; want FAILED_PRECONDITION", formatAck(ev.msg))
	case hostRefused(ev.err):
		c.res.problem(checkDestinationCallOrder, fmt.Sprintf("Run before Start sent an ack although no record was sent, which the host refused (%v); want FAILED_PRECONDITION", ev.err), "")
	default:
		c.callOrder(checkDestinationCallOrder, "Run before Start", ev.err)
	}
	_, _ = callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	})
	c.res.pass(checkDestinationCallOrder, "Start before Configure and Run before Start answered FAILED_PRECONDITION")
}

// destinationDeleted configures a fresh connector and deletes it.
func (c *checker) destinationDeleted(ctx context.Context) {
	inst, ok := c.launch(ctx, checkDestinationLifecycle)
	if !ok {
		return
	}
	defer c.release(inst)
	dst := inst.Destination
	timeout := c.cfg.Timeout
	cfg := c.cfg.DestinationConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cloneConfig(cfg)})
		return err
	}); err != nil {
		return
	}
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.LifecycleOnUpdated(ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigBefore: cloneConfig(cfg), ConfigAfter: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkDestinationLifecycle, "LifecycleOnUpdated", err)
	_, err = callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := dst.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkDestinationLifecycle, "LifecycleOnDeleted", err)
	c.destinationTeardown(ctx, dst, "after LifecycleOnDeleted")
}

// destinationDeletedFirst deletes a fresh connector without configuring it:
// LifecycleOnDeleted, with the last configuration, is the first call, then
// Teardown. The Conduit server deletes a connector that way, in a process
// it starts only for that.
func (c *checker) destinationDeletedFirst(ctx context.Context) {
	inst, ok := c.launch(ctx, checkDestinationDeleted)
	if !ok {
		return
	}
	defer c.release(inst)
	des := inst.Destination
	cfg := c.cfg.DestinationConfig
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := des.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: cloneConfig(cfg)})
		return err
	})
	if err != nil {
		c.res.problem(checkDestinationDeleted, "as the first call of a fresh process (no Configure before it), "+lifecycleProblem("LifecycleOnDeleted", err), "")
	}
	c.destinationTeardown(ctx, des, "after LifecycleOnDeleted without Configure")
	c.res.pass(checkDestinationDeleted, "as the first call of a fresh process, then Teardown")
}

// checkAbsentDestination checks that a connector whose destination
// answered Configure with Unimplemented answers every other destination
// call the same way.
func (c *checker) checkAbsentDestination(ctx context.Context, dst cpluginv1.DestinationPlugin) {
	calls := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"Start", func(ctx context.Context) error {
			_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
			return err
		}},
		{"Stop", func(ctx context.Context) error {
			_, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{})
			return err
		}},
		{"Teardown", func(ctx context.Context) error {
			_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
			return err
		}},
		{"LifecycleOnCreated", func(ctx context.Context) error {
			_, err := dst.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{})
			return err
		}},
		{"LifecycleOnUpdated", func(ctx context.Context) error {
			_, err := dst.LifecycleOnUpdated(ctx, cpluginv1.DestinationLifecycleOnUpdatedRequest{})
			return err
		}},
		{"LifecycleOnDeleted", func(ctx context.Context) error {
			_, err := dst.LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{})
			return err
		}},
	}
	for _, call := range calls {
		if _, err := callErr(ctx, c.cfg.Timeout, call.fn); !errors.Is(err, cpluginv1.ErrUnimplemented) {
			c.res.problem(checkDestinationUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no destination), but %s %s; every call of a plugin the connector does not offer answers UNIMPLEMENTED", call.name, describe(err)), "")
		}
	}
	s := openDestinationStream(ctx, dst)
	ev, ok := s.next(c.cfg.Timeout)
	s.abort()
	switch {
	case !ok:
		c.res.problem(checkDestinationUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no destination), but Run did not fail within %v", c.cfg.Timeout), "")
	case ev.err == nil:
		c.res.problem(checkDestinationUnimplemented, "Configure answered UNIMPLEMENTED (no destination), but Run sent an ack", formatAck(ev.msg))
	case hostRefused(ev.err):
		c.res.problem(checkDestinationUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no destination), but Run sent an ack, which the host refused (%v)", ev.err), "")
	case !errors.Is(ev.err, cpluginv1.ErrUnimplemented):
		c.res.problem(checkDestinationUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no destination), but Run %s", describeEnd(ev.err)), "")
	}
	c.res.pass(checkDestinationUnimplemented, "no destination: every destination call answered UNIMPLEMENTED")
}
