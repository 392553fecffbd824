package checker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// destinationScenarios are the destination's own scenarios (see runRole):
// a full run (LifecycleOnCreated, Start, Run with test records, Stop,
// Teardown) on inst, a connector with a configured destination.
func (c *checker) destinationScenarios(ctx context.Context, r *role, inst *connector.Instance) {
	c.destinationFullRun(ctx, r, newDestinationPlugin(inst.Destination))
	c.release(inst)
}

// destinationFullRun runs a configured destination as a host does: it
// sends the test records, calls Stop with the last position without
// waiting for the acks, and closes the stream.
func (c *checker) destinationFullRun(ctx context.Context, r *role, dst destinationPlugin) {
	timeout := c.cfg.Timeout
	if !c.createdAndStarted(ctx, r, dst, "Start", []check{checkDestinationRun, checkDestinationAcks, checkDestinationNack, checkDestinationStop}) {
		return
	}

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
		c.teardown(ctx, r, dst, "during Run")
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
		c.teardown(ctx, r, dst, "after Run ended")
		return
	}

	// Stop right away: it writes what is buffered and acks every record up
	// to the last position before it answers.
	last := records[len(records)-1].Position
	stopErr := c.do(ctx, func(ctx context.Context) error {
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
		c.teardown(ctx, r, dst, "after the host ended the Run stream")
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
	c.teardown(ctx, r, dst, "after Stop")
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
