package checker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// runSource checks the source, if the connector offers one: a full run
// (Configure, LifecycleOnCreated, Start, Run, Stop, Teardown), a restart
// from a position, Teardown before Configure and during Run, calls out of
// order, and LifecycleOnDeleted. Each scenario gets a fresh connector.
func (c *checker) runSource(ctx context.Context) {
	inst, ok := c.launch(ctx, checkSourceConfigure)
	if !ok {
		c.skipAll(sourceChecks, "needs source.configure")
		return
	}
	src := inst.Source
	cfg := c.cfg.SourceConfig
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cloneConfig(cfg)})
		return err
	})
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		c.res.declare(checkSourceUnimplemented)
		c.checkAbsentSource(ctx, src)
		c.release(inst)
		return
	}
	c.offers = append(c.offers, "source")
	for _, chk := range sourceChecks {
		c.res.declare(chk)
	}
	if err != nil {
		c.res.problem(checkSourceConfigure, "Configure "+describe(err)+configHint(err, cfg, c.spec.SourceParams, "--source-config"), "")
		c.release(inst)
		c.skipAll(sourceChecks, "needs source.configure")
		return
	}
	c.res.pass(checkSourceConfigure, "")

	records, runOK := c.sourceFullRun(ctx, src)
	c.release(inst)
	c.sourceResume(ctx, records, runOK)
	c.sourceTeardownAnyTime(ctx)
	c.sourceCallOrder(ctx)
	c.sourceDeleted(ctx)
	c.sourceDeletedFirst(ctx)
}

// sourceFullRun runs a configured source as a host does and returns the
// records it sent, and whether its Run behaved.
func (c *checker) sourceFullRun(ctx context.Context, src cpluginv1.SourcePlugin) ([]cpluginv1.Record, bool) {
	timeout := c.cfg.Timeout
	cfg := c.cfg.SourceConfig
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkSourceLifecycle, "LifecycleOnCreated", err)

	_, err = callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
		return err
	})
	if err != nil {
		c.res.problem(checkSourceStart, "Start (from the beginning: an empty position) "+describe(err), "")
		c.skipAll([]check{checkSourceRecords, checkSourceRun, checkSourceStop, checkSourceStopPosition}, "needs source.start")
		c.sourceTeardown(ctx, src, "after a failed Start")
		return nil, false
	}
	c.res.pass(checkSourceStart, "")

	s := openSourceStream(ctx, src)
	defer s.abort()
	var records []cpluginv1.Record
	positions := map[string]int{}
	accept := func(rec cpluginv1.Record) {
		if i, dup := positions[string(rec.Position)]; dup && len(rec.Position) > 0 {
			c.res.problem(checkSourceRecords, fmt.Sprintf("record %d has the position of record %d, %q: acks name records by their position, so every record needs its own", len(records)+1, i+1, rec.Position), formatRecord(rec))
		} else {
			positions[string(rec.Position)] = len(records)
		}
		records = append(records, rec)
		s.ack(rec.Position)
	}

	// Read and ack the records in order, as a host does.
	for len(records) < c.cfg.Records {
		ev, ok := s.next(timeout)
		if !ok {
			break
		}
		if ev.err != nil {
			if c.refused(ev.err, checkSourceRecords) {
				c.skipAll([]check{checkSourceRun, checkSourceStop, checkSourceStopPosition}, fmt.Sprintf("the host ended the stream at record %d, which breaks the contract (see source.records)", len(records)+1))
				c.noteRecords(records)
				c.sourceTeardown(ctx, src, "after the host ended the Run stream")
				return records, false
			}
			c.res.problem(checkSourceRun, fmt.Sprintf("Run %s after %d records, before the host stopped the source or closed the stream", describeEnd(ev.err), len(records)), "")
			c.skipAll([]check{checkSourceStop, checkSourceStopPosition}, "needs source.run")
			c.noteRecords(records)
			c.sourceTeardown(ctx, src, "after Run ended")
			return records, false
		}
		accept(ev.msg)
	}

	stop, err := call(ctx, timeout, func(ctx context.Context) (cpluginv1.SourceStopResponse, error) {
		return src.Stop(ctx, cpluginv1.SourceStopRequest{})
	})
	stopped := err == nil
	reached := false
	if !stopped {
		c.res.problem(checkSourceStop, fmt.Sprintf("Stop (after %d records) %s", len(records), describe(err)), "")
		c.res.skip(checkSourceStopPosition, "needs source.stop")
	} else {
		c.res.pass(checkSourceStop, fmt.Sprintf("returned position %q after %d records", stop.LastPosition, len(records)))
		reached = c.reachStopPosition(s, stop.LastPosition, &records, accept)
	}

	// The host closes its side; Run then ends without an error and sends
	// nothing more.
	endedEarly := s.ended
	s.closeSend()
	deadline := time.Now().Add(timeout)
drain:
	for {
		ev, ok := s.next(time.Until(deadline))
		if !ok {
			c.res.problem(checkSourceRun, fmt.Sprintf("Run did not end within %v after the host closed the stream", timeout), "")
			break
		}
		if ev.err != nil {
			switch {
			case c.refused(ev.err, checkSourceRecords):
				// A record that breaks the contract: source.records says so.
			case endedEarly:
				c.res.problem(checkSourceRun, fmt.Sprintf("Run %s before the host closed the stream", describeEnd(ev.err)), "")
			case !errors.Is(ev.err, io.EOF):
				c.res.problem(checkSourceRun, fmt.Sprintf("after the host closed the stream, Run %s; it ends without an error", describeEnd(ev.err)), "")
			}
			break drain
		}
		// Without a successful Stop the source may send until it notices
		// the closed stream: only a stopped source is held to its position.
		if stopped && reached {
			c.res.problem(checkSourceStopPosition, fmt.Sprintf("record %q arrived after the record at the Stop position %q; nothing may follow it", ev.msg.Position, stop.LastPosition), formatRecord(ev.msg))
		}
	}
	if stopped && reached {
		c.res.pass(checkSourceStopPosition, fmt.Sprintf("reached %q; nothing followed", stop.LastPosition))
	}
	c.res.pass(checkSourceRun, fmt.Sprintf("%d records, ended after the host closed the stream", len(records)))
	c.noteRecords(records)
	c.sourceTeardown(ctx, src, "after Stop")
	return records, c.res.status(checkSourceRun) == Pass
}

// reachStopPosition reads (and acks) records until the one at position
// stop, and reports whether the stream reached it.
func (c *checker) reachStopPosition(s *sourceStream, stop []byte, records *[]cpluginv1.Record, accept func(cpluginv1.Record)) bool {
	timeout := c.cfg.Timeout
	if len(stop) == 0 {
		if n := len(*records); n > 0 {
			c.res.problem(checkSourceStopPosition, fmt.Sprintf("Stop returned an empty position, but the source had sent %d records, the last one %q: the position names the last record sent or still to be sent", n, (*records)[n-1].Position), "")
			return false
		}
		return true
	}
	if i := indexOf(*records, stop); i >= 0 {
		if after := len(*records) - 1 - i; after > 0 {
			c.res.problem(checkSourceStopPosition, fmt.Sprintf("Stop returned position %q, but the source had already sent %d records after it, the first %q: the position names the last record sent", stop, after, (*records)[i+1].Position), formatRecord((*records)[i+1]))
		}
		return true
	}
	// One deadline for all: a source that keeps sending records without
	// reaching the position must not hold the check up for longer.
	deadline := time.Now().Add(timeout)
	for {
		ev, ok := s.next(time.Until(deadline))
		if !ok {
			c.res.problem(checkSourceStopPosition, fmt.Sprintf("Stop returned position %q, but the stream did not reach it within %v; the last record was %q", stop, timeout, lastPosition(*records)), "")
			return false
		}
		if ev.err != nil {
			if c.refused(ev.err, checkSourceRecords) {
				c.res.skip(checkSourceStopPosition, "the host ended the stream at a record that breaks the contract (see source.records) before the Stop position")
				return false
			}
			c.res.problem(checkSourceStopPosition, fmt.Sprintf("Stop returned position %q, but the stream ended before reaching it; the last record was %q", stop, lastPosition(*records)), "")
			return false
		}
		accept(ev.msg)
		if bytes.Equal(ev.msg.Position, stop) {
			return true
		}
	}
}

// noteRecords passes source.records (unless a rule broke) or skips it if
// there was nothing to check.
func (c *checker) noteRecords(records []cpluginv1.Record) {
	if len(records) == 0 {
		c.res.skip(checkSourceRecords, fmt.Sprintf("no record arrived within %v; give the source data, or a configuration that produces records (--source-config)", c.cfg.Timeout))
		return
	}
	c.res.pass(checkSourceRecords, fmt.Sprintf("%d records", len(records)))
}

func (c *checker) sourceTeardown(ctx context.Context, src cpluginv1.SourcePlugin, when string) {
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	})
	if err != nil {
		c.res.problem(checkSourceTeardown, fmt.Sprintf("Teardown %s %s", when, describe(err)), "")
	}
}

// sourceResume restarts the source from the position of a record in the
// middle of the first run and compares what follows.
func (c *checker) sourceResume(ctx context.Context, first []cpluginv1.Record, runOK bool) {
	switch {
	case !runOK:
		c.res.skip(checkSourceResume, "needs source.run")
		return
	case len(first) < 2:
		c.res.skip(checkSourceResume, "needs at least 2 records from the first run")
		return
	}
	k := len(first) / 2
	from := first[k-1].Position
	want := first[k:min(len(first), k+3)]

	inst, ok := c.launch(ctx, checkSourceResume)
	if !ok {
		return
	}
	defer c.release(inst)
	src := inst.Source
	timeout := c.cfg.Timeout
	cfg := c.cfg.SourceConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cloneConfig(cfg)})
		return err
	}); err != nil {
		c.res.problem(checkSourceResume, "Configure before the restart "+describe(err), "")
		return
	}
	// A host calls LifecycleOnUpdated when the configuration changed since
	// the last run; here it did not, but the call must work all the same.
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.LifecycleOnUpdated(ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: cloneConfig(cfg), ConfigAfter: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkSourceLifecycle, "LifecycleOnUpdated", err)
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Start(ctx, cpluginv1.SourceStartRequest{Position: from})
		return err
	}); err != nil {
		c.res.problem(checkSourceResume, fmt.Sprintf("Start from position %q (record %d of the first run, acked) %s", from, k, describe(err)), "")
		return
	}

	s := openSourceStream(ctx, src)
	defer s.abort()
	judged := true
	for _, w := range want {
		ev, ok := s.next(timeout)
		if !ok {
			c.res.problem(checkSourceResume, fmt.Sprintf("after a restart from position %q no record arrived within %v; the first run continued with %q", from, timeout, w.Position), "")
			break
		}
		if ev.err != nil && c.refused(ev.err, checkSourceRecords) {
			c.res.skip(checkSourceResume, "the host ended the stream after the restart at a record that breaks the contract (see source.records)")
			judged = false
			break
		}
		if ev.err != nil {
			c.res.problem(checkSourceResume, fmt.Sprintf("after a restart from position %q, Run %s instead of sending %q", from, describeEnd(ev.err), w.Position), "")
			break
		}
		got := ev.msg.Position
		s.ack(got)
		if bytes.Equal(got, w.Position) {
			continue
		}
		if j := indexOf(first[:k], got); j >= 0 {
			c.res.problem(checkSourceResume, fmt.Sprintf("after a restart from position %q the source sent %q again (record %d of the first run, already acked): a duplicate", from, got, j+1), formatRecord(ev.msg))
		} else {
			c.res.problem(checkSourceResume, fmt.Sprintf("after a restart from position %q the source sent %q, but the first run continued with %q: a gap or a different order", from, got, w.Position), formatRecord(ev.msg))
		}
		break
	}
	if judged {
		c.res.pass(checkSourceResume, fmt.Sprintf("a restart from %q continued with %q", from, want[0].Position))
	}
	// Leaving without Stop is a Teardown during Run, which
	// sourceTeardownAnyTime judges; here it only ends the connector.
	_, _ = callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	})
}

// sourceTeardownAnyTime calls Teardown as the first call, and while Run is
// active (after which Run must end).
func (c *checker) sourceTeardownAnyTime(ctx context.Context) {
	timeout := c.cfg.Timeout
	if inst, ok := c.launch(ctx, checkSourceTeardown); ok {
		c.sourceTeardown(ctx, inst.Source, "before Configure (as the first call)")
		c.release(inst)
	}

	inst, ok := c.launch(ctx, checkSourceTeardown)
	if !ok {
		return
	}
	defer c.release(inst)
	src := inst.Source
	cfg := c.cfg.SourceConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cloneConfig(cfg)}); err != nil {
			return err
		}
		_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
		return err
	}); err != nil {
		// Reported by the full run already; this scenario cannot happen.
		return
	}
	s := openSourceStream(ctx, src)
	defer s.abort()
	// One record (or the timeout) shows that Run is running.
	if ev, ok := s.next(timeout); ok && ev.err == nil {
		s.ack(ev.msg.Position)
	}
	c.teardownDuringRun(ctx, checkSourceTeardown, checkSourceTeardownRun, s.waitEnd, s.abort, func(ctx context.Context) error {
		_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	})
}

// teardownDuringRun calls Teardown while a Run stream is open: the SHOULD
// check (should) passes if Teardown answers and the Run ends with the
// stream still open; otherwise the host ends the stream (abort), as the
// Conduit server does before it tears a connector down, and the MUST check
// (must) needs Teardown to answer then. Connectors built with the Go
// connector SDK wait for the host to end the stream (up to a minute).
func (c *checker) teardownDuringRun(ctx context.Context, must, should check, waitEnd func(time.Duration) bool, abort func(), teardown func(context.Context) error) {
	timeout := c.cfg.Timeout
	_, err := callErr(ctx, timeout, teardown)
	switch {
	case err != nil:
		c.res.problem(should, "Teardown during Run, with the stream open, "+describe(err), "")
	case !waitEnd(timeout):
		c.res.problem(should, fmt.Sprintf("Run did not end within %v after Teardown; Teardown during Run ends the Run call", timeout), "")
	default:
		c.res.pass(should, "Teardown ended the Run call")
		c.res.pass(must, "before Configure, during Run and after Stop")
		return
	}
	abort()
	if _, err := callErr(ctx, timeout, teardown); err != nil {
		c.res.problem(must, "Teardown during Run, after the host ended the stream, "+describe(err), "")
		return
	}
	c.res.pass(must, "before Configure, during Run once the host ended the stream, and after Stop")
}

// sourceCallOrder calls Start before Configure and Run before Start.
func (c *checker) sourceCallOrder(ctx context.Context) {
	timeout := c.cfg.Timeout
	inst, ok := c.launch(ctx, checkSourceCallOrder)
	if !ok {
		return
	}
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := inst.Source.Start(ctx, cpluginv1.SourceStartRequest{})
		return err
	})
	c.callOrder(checkSourceCallOrder, "Start before Configure", err)
	c.release(inst)

	// A fresh connector: the first Start may have changed its state.
	inst, ok = c.launch(ctx, checkSourceCallOrder)
	if !ok {
		return
	}
	defer c.release(inst)
	src := inst.Source
	cfg := c.cfg.SourceConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cloneConfig(cfg)})
		return err
	}); err != nil {
		return
	}
	s := openSourceStream(ctx, src)
	ev, ok := s.next(timeout)
	s.abort()
	switch {
	case !ok:
		c.res.problem(checkSourceCallOrder, fmt.Sprintf("Run before Start neither failed nor sent a record within %v; want FAILED_PRECONDITION", timeout), "")
	case ev.err == nil:
		c.res.problem(checkSourceCallOrder, "Run before Start sent a record; want FAILED_PRECONDITION", formatRecord(ev.msg))
	case hostRefused(ev.err):
		c.res.problem(checkSourceCallOrder, fmt.Sprintf("Run before Start sent a record, which the host refused (%v); want FAILED_PRECONDITION", ev.err), "")
	default:
		c.callOrder(checkSourceCallOrder, "Run before Start", ev.err)
	}
	_, _ = callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	})
	c.res.pass(checkSourceCallOrder, "Start before Configure and Run before Start answered FAILED_PRECONDITION")
}

// sourceDeleted configures a fresh connector and deletes it.
func (c *checker) sourceDeleted(ctx context.Context) {
	inst, ok := c.launch(ctx, checkSourceLifecycle)
	if !ok {
		return
	}
	defer c.release(inst)
	src := inst.Source
	timeout := c.cfg.Timeout
	cfg := c.cfg.SourceConfig
	if _, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: cloneConfig(cfg)})
		return err
	}); err != nil {
		return
	}
	_, err := callErr(ctx, timeout, func(ctx context.Context) error {
		_, err := src.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: cloneConfig(cfg)})
		return err
	})
	c.lifecycle(checkSourceLifecycle, "LifecycleOnDeleted", err)
	c.sourceTeardown(ctx, src, "after LifecycleOnDeleted")
}

// sourceDeletedFirst deletes a fresh connector without configuring it:
// LifecycleOnDeleted, with the last configuration, is the first call, then
// Teardown. The Conduit server deletes a connector that way, in a process
// it starts only for that.
func (c *checker) sourceDeletedFirst(ctx context.Context) {
	inst, ok := c.launch(ctx, checkSourceDeleted)
	if !ok {
		return
	}
	defer c.release(inst)
	sou := inst.Source
	cfg := c.cfg.SourceConfig
	_, err := callErr(ctx, c.cfg.Timeout, func(ctx context.Context) error {
		_, err := sou.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: cloneConfig(cfg)})
		return err
	})
	if err != nil {
		c.res.problem(checkSourceDeleted, "as the first call of a fresh process (no Configure before it), "+lifecycleProblem("LifecycleOnDeleted", err), "")
	}
	c.sourceTeardown(ctx, sou, "after LifecycleOnDeleted without Configure")
	c.res.pass(checkSourceDeleted, "as the first call of a fresh process, then Teardown")
}

// checkAbsentSource checks that a connector whose source answered Configure
// with Unimplemented answers every other source call the same way.
func (c *checker) checkAbsentSource(ctx context.Context, src cpluginv1.SourcePlugin) {
	calls := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"Start", func(ctx context.Context) error {
			_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
			return err
		}},
		{"Stop", func(ctx context.Context) error {
			_, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
			return err
		}},
		{"Teardown", func(ctx context.Context) error {
			_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
			return err
		}},
		{"LifecycleOnCreated", func(ctx context.Context) error {
			_, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{})
			return err
		}},
		{"LifecycleOnUpdated", func(ctx context.Context) error {
			_, err := src.LifecycleOnUpdated(ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{})
			return err
		}},
		{"LifecycleOnDeleted", func(ctx context.Context) error {
			_, err := src.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{})
			return err
		}},
	}
	for _, call := range calls {
		if _, err := callErr(ctx, c.cfg.Timeout, call.fn); !errors.Is(err, cpluginv1.ErrUnimplemented) {
			c.res.problem(checkSourceUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no source), but %s %s; every call of a plugin the connector does not offer answers UNIMPLEMENTED", call.name, describe(err)), "")
		}
	}
	s := openSourceStream(ctx, src)
	ev, ok := s.next(c.cfg.Timeout)
	s.abort()
	switch {
	case !ok:
		c.res.problem(checkSourceUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no source), but Run neither failed nor sent anything within %v", c.cfg.Timeout), "")
	case ev.err == nil:
		c.res.problem(checkSourceUnimplemented, "Configure answered UNIMPLEMENTED (no source), but Run sent a record", formatRecord(ev.msg))
	case hostRefused(ev.err):
		c.res.problem(checkSourceUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no source), but Run sent a record, which the host refused (%v)", ev.err), "")
	case !errors.Is(ev.err, cpluginv1.ErrUnimplemented):
		c.res.problem(checkSourceUnimplemented, fmt.Sprintf("Configure answered UNIMPLEMENTED (no source), but Run %s", describeEnd(ev.err)), "")
	}
	c.res.pass(checkSourceUnimplemented, "no source: every source call answered UNIMPLEMENTED")
}
