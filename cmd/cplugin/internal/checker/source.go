package checker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// sourceScenarios are the source's own scenarios (see runRole): a full run
// (LifecycleOnCreated, Start, Run, Stop, Teardown) on inst, a connector with
// a configured source, and a restart from a position on a fresh one.
func (c *checker) sourceScenarios(ctx context.Context, r *role, inst *connector.Instance) {
	records, runOK := c.sourceFullRun(ctx, r, newSourcePlugin(inst.Source))
	c.release(inst)
	c.sourceResume(ctx, r, records, runOK)
}

// sourceFullRun runs a configured source as a host does and returns the
// records it sent, and whether its Run behaved.
func (c *checker) sourceFullRun(ctx context.Context, r *role, src sourcePlugin) ([]cpluginv1.Record, bool) {
	timeout := c.cfg.Timeout
	if !c.createdAndStarted(ctx, r, src, "Start (from the beginning: an empty position)", []check{checkSourceRecords, checkSourceRun, checkSourceStop, checkSourceStopPosition}) {
		return nil, false
	}

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
				c.teardown(ctx, r, src, "after the host ended the Run stream")
				return records, false
			}
			c.res.problem(checkSourceRun, fmt.Sprintf("Run %s after %d records, before the host stopped the source or closed the stream", describeEnd(ev.err), len(records)), "")
			c.skipAll([]check{checkSourceStop, checkSourceStopPosition}, "needs source.run")
			c.noteRecords(records)
			c.teardown(ctx, r, src, "after Run ended")
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
	c.teardown(ctx, r, src, "after Stop")
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

// sourceResume restarts the source from the position of a record in the
// middle of the first run and compares what follows.
func (c *checker) sourceResume(ctx context.Context, r *role, first []cpluginv1.Record, runOK bool) {
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
	src := newSourcePlugin(inst.Source)
	timeout := c.cfg.Timeout
	if err := c.configure(ctx, r, src); err != nil {
		c.res.problem(checkSourceResume, "Configure before the restart "+describe(err), "")
		return
	}
	// A host calls LifecycleOnUpdated when the configuration changed since
	// the last run; here it did not, but the call must work all the same.
	c.lifecycle(r.lifecycle, onUpdated, c.sendEvent(ctx, r, src, onUpdated))
	if err := c.do(ctx, func(ctx context.Context) error {
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
	// Leaving without Stop is a Teardown during Run, which teardownAnyTime
	// judges; here it only ends the connector.
	_ = c.do(ctx, src.teardown)
}
