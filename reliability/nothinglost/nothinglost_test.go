package nothinglost_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

const (
	// totalRecords is how many records go through the pipeline.
	totalRecords = 100_000
	// restarts is how many times the source is killed and restarted. Each
	// restart costs a process start and a drain of the destination, a few
	// tens of milliseconds; ten keeps the test well within its time budget
	// under the race detector on a loaded machine.
	restarts = 10
	// seedVariable names the environment variable that replays a run.
	seedVariable = "NOTHINGLOST_SEED"
	// waitLimit bounds every single wait (a call, the end of a stream, a
	// drain of the destination's acks), so that a lost message fails the
	// test with a message instead of hanging it.
	waitLimit = 30 * time.Second
)

// sourceConfig makes the generator produce totalRecords small records.
var sourceConfig = map[string]string{
	sequence.ParamRecords:     strconv.Itoa(totalRecords),
	sequence.ParamPayloadSize: "16",
}

// The source is killed with SIGKILL right after the host forwards a record
// to the destination, at positions chosen from a seed, and restarted from
// the position of the last record the destination acked. Every position
// must be written to the destination's file exactly once, in order, and the
// counts of produced, written, negatively acked and acked records must add
// up.
func TestNothingLostWhenTheSourceIsKilled(t *testing.T) {
	seed := chooseSeed(t)
	t.Logf("seed %d (set %s=%d to replay this run)", seed, seedVariable, seed)
	killPoints := chooseKillPoints(rand.New(rand.NewPCG(seed, 0)))
	t.Logf("the source is killed right after the host forwards the records at positions %v (or the first after each)", killPoints)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	began := time.Now()

	// The destination runs for the whole test, as in a pipeline whose
	// source restarts.
	outPath := filepath.Join(t.TempDir(), "out.jsonl")
	destinationClient := startConnector(ctx, t, fileExecutable)
	destination := destinationClient.Destination()
	call(ctx, t, "destination Configure", func(ctx context.Context) error {
		_, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{jsonlines.ParamPath: outPath}})
		return err
	})
	call(ctx, t, "destination Start", func(ctx context.Context) error {
		_, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{})
		return err
	})
	p := &pipe{t: t, destination: cpluginv1.RunDestination(ctx, destination), killPoints: killPoints}
	acksDone := make(chan error, 1)
	go func() { acksDone <- p.readAcks() }()

	for incarnation := 1; ; incarnation++ {
		if incarnation > restarts+1 {
			t.Fatalf("source process %d needed: the source was killed more often than the %d restarts planned", incarnation, restarts)
		}
		if p.runSource(ctx, incarnation) {
			break
		}
		p.mu.Lock()
		p.acc.restarts++
		p.mu.Unlock()
	}

	// Stop the destination at the last record, close its stream, and wait
	// for its Run to end.
	call(ctx, t, "destination Stop", func(ctx context.Context) error {
		_, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte(strconv.Itoa(totalRecords))})
		return err
	})
	_ = p.destination.CloseSend()
	select {
	case err := <-acksDone:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("the destination's stream ended with %v, want its normal end", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the destination's stream did not end within %v of CloseSend", waitLimit)
	}
	call(ctx, t, "destination Teardown", func(ctx context.Context) error {
		_, err := destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	})
	elapsed := time.Since(began)

	lines := checkFile(t, outPath)
	p.checkAndPrint(t, seed, killPoints, lines, elapsed)
}

// accounting counts what happened to the records, from the host's view.
type accounting struct {
	// produced counts records the source processes delivered to the host;
	// the host forwards each to the destination at once.
	produced int
	// written and nacked count the destination's positive and negative
	// acks.
	written, nacked int
	// ackedToSource counts acks the host handed to the source process that
	// produced the record; ackNoSource counts acks for records whose source
	// had been killed (its restart resumes after them, so none is needed).
	ackedToSource, ackNoSource int
	// inFlightAtKills sums, over the kills, the records forwarded to the
	// destination and not acked yet at the moment of the kill.
	inFlightAtKills int
	// receivedAfterKills counts records a killed source had already sent
	// that reached the host after the kill.
	receivedAfterKills int
	// restarts counts source processes started after a kill.
	restarts int
	// killedAfter holds the position of the record forwarded just before
	// each kill.
	killedAfter []int
	// resumedFrom holds the position each restart started from.
	resumedFrom []string
}

// pipe is the host: it forwards records from the current source process to
// the destination and acks from the destination back to the source.
type pipe struct {
	t           *testing.T
	destination *cpluginv1.DestinationRun

	// lastForwarded is the sequence number of the last record forwarded,
	// and killPoints[nextKill] the position after which the source is
	// killed next; only the forwarding goroutine (the test's) uses them.
	lastForwarded int
	killPoints    []int
	nextKill      int

	mu sync.Mutex
	// inFlight holds the records forwarded to the destination and not acked
	// yet, oldest first.
	inFlight []inFlightRecord
	// source is the stream of the source process whose records the
	// destination's acks go back to; nil once it was killed or stopped.
	source      *cpluginv1.SourceRun
	incarnation int
	// lastAcked is the position of the last record the destination acked
	// positively: what a real host persists, and where a restarted source
	// resumes.
	lastAcked []byte
	// drained, if not nil, is closed when inFlight becomes empty or the
	// destination's stream fails.
	drained chan struct{}
	ackErr  error // why readAcks stopped, once it has
	acc     accounting
}

type inFlightRecord struct {
	position    []byte
	incarnation int // the source process that produced it
}

// readAcks receives the destination's acks until its stream ends, checks
// that each is for the oldest record in flight, and passes each on to the
// source process that produced the record, if it still runs.
func (p *pipe) readAcks() error {
	for {
		ack, err := p.destination.Recv()
		p.mu.Lock()
		if err == nil {
			err = p.ackLocked(ack)
		}
		if err != nil {
			p.ackErr = err
			p.signalDrainedLocked()
			p.mu.Unlock()
			return err
		}
		if len(p.inFlight) == 0 {
			p.signalDrainedLocked()
		}
		p.mu.Unlock()
	}
}

func (p *pipe) ackLocked(ack cpluginv1.DestinationRunResponse) error {
	if len(p.inFlight) == 0 {
		return fmt.Errorf("the destination acked position %q, but no record is in flight", ack.AckPosition)
	}
	oldest := p.inFlight[0]
	if !bytes.Equal(ack.AckPosition, oldest.position) {
		return fmt.Errorf("the destination acked position %q, but the oldest record in flight is %q: acks must follow the order of the records", ack.AckPosition, oldest.position)
	}
	p.inFlight = p.inFlight[1:]
	if ack.Error != "" {
		p.acc.nacked++
		p.t.Errorf("the destination negatively acked position %q: %s", ack.AckPosition, ack.Error)
	} else {
		p.acc.written++
		p.lastAcked = ack.AckPosition
	}
	if p.source == nil || oldest.incarnation != p.incarnation {
		p.acc.ackNoSource++
		return nil
	}
	if err := p.source.Send(cpluginv1.SourceRunRequest{AckPosition: ack.AckPosition}); err != nil {
		// The source's stream ended before the forwarder noticed.
		p.acc.ackNoSource++
		return nil //nolint:nilerr // not the destination's failure: the forwarder reports the source's
	}
	p.acc.ackedToSource++
	return nil
}

func (p *pipe) signalDrainedLocked() {
	if p.drained != nil {
		close(p.drained)
		p.drained = nil
	}
}

// waitDrained waits until the destination has acked every record forwarded
// to it and returns the position of the last one it acked.
func (p *pipe) waitDrained(what string) []byte {
	p.t.Helper()
	timer := time.NewTimer(waitLimit)
	defer timer.Stop()
	for {
		p.mu.Lock()
		if p.ackErr != nil {
			err := p.ackErr
			p.mu.Unlock()
			p.t.Fatalf("%s: the destination's stream failed while its acks were drained: %v", what, err)
		}
		if len(p.inFlight) == 0 {
			last := p.lastAcked
			p.mu.Unlock()
			return last
		}
		if p.drained == nil {
			p.drained = make(chan struct{})
		}
		drained, left := p.drained, len(p.inFlight)
		p.mu.Unlock()
		select {
		case <-drained:
		case <-timer.C:
			p.t.Fatalf("%s: %d records forwarded to the destination were still not acked after %v", what, left, waitLimit)
		}
	}
}

// runSource starts source process incarnation from the last acked
// position and forwards its records until the next kill point (then it
// kills the process, drains the destination's acks and returns false) or
// until the last record (then it stops the source as the protocol says
// and returns true).
func (p *pipe) runSource(ctx context.Context, incarnation int) (finished bool) {
	t := p.t
	t.Helper()
	p.mu.Lock()
	resumeFrom := bytes.Clone(p.lastAcked)
	if incarnation > 1 {
		p.acc.resumedFrom = append(p.acc.resumedFrom, string(resumeFrom))
	}
	p.mu.Unlock()

	c := startConnector(ctx, t, generatorExecutable)
	source := c.Source()
	call(ctx, t, "source Configure", func(ctx context.Context) error {
		_, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: sourceConfig})
		return err
	})
	call(ctx, t, "source Start", func(ctx context.Context) error {
		_, err := source.Start(ctx, cpluginv1.SourceStartRequest{Position: resumeFrom})
		return err
	})
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	run := cpluginv1.RunSource(runCtx, source)
	p.mu.Lock()
	p.source, p.incarnation = run, incarnation
	p.mu.Unlock()

	killed := false
	var watchdog *time.Timer
	for {
		rec, err := run.Recv()
		if err != nil {
			if !killed {
				t.Fatalf("source process %d: the stream ended at position %d, before it was killed or reached the end: %v", incarnation, p.lastForwarded, err)
			}
			watchdog.Stop()
			if runCtx.Err() != nil {
				t.Fatalf("source process %d: the host's Recv did not fail within %v of the kill", incarnation, waitLimit)
			}
			if incarnation == 1 {
				t.Logf("after the first kill the host's Recv failed with: %v", err)
			}
			break
		}
		p.forward(incarnation, rec.Record, killed)
		if p.lastForwarded == totalRecords {
			if killed {
				t.Fatalf("source process %d reached the last record after it was killed: choose kill points further from the end", incarnation)
			}
			p.stopSource(ctx, c, run)
			return true
		}
		// A kill point the records a killed source had already sent went
		// past is taken by the next source, at its first record.
		if !killed && p.nextKill < len(p.killPoints) && p.lastForwarded >= p.killPoints[p.nextKill] {
			// Kill now: the record just forwarded is on its way to the
			// destination, and the source is sending more.
			p.nextKill++
			p.mu.Lock()
			p.source = nil
			p.acc.inFlightAtKills += len(p.inFlight)
			p.acc.killedAfter = append(p.acc.killedAfter, p.lastForwarded)
			p.mu.Unlock()
			kill(t, c)
			killed = true
			watchdog = time.AfterFunc(waitLimit, cancelRun)
		}
	}

	// The source is dead. Before it restarts, every record forwarded must
	// be decided: a restart while records are in flight would produce them
	// again.
	lastAcked := p.waitDrained(fmt.Sprintf("after killing source process %d", incarnation))
	if want := strconv.Itoa(p.lastForwarded); string(lastAcked) != want {
		t.Fatalf("after killing source process %d the last acked position is %q, want the last forwarded, %q", incarnation, lastAcked, want)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close of killed source process %d: %v", incarnation, err)
	}
	return false
}

// forward checks that rec is the record after the last one forwarded and
// sends it to the destination.
func (p *pipe) forward(incarnation int, rec cpluginv1.Record, afterKill bool) {
	t := p.t
	n, err := strconv.Atoi(string(rec.Position))
	if err != nil || n != p.lastForwarded+1 {
		t.Fatalf("source process %d sent position %q after %d: a record was skipped or repeated", incarnation, rec.Position, p.lastForwarded)
	}
	// In flight before it is sent: its ack may come back at once.
	p.mu.Lock()
	p.inFlight = append(p.inFlight, inFlightRecord{position: bytes.Clone(rec.Position), incarnation: incarnation})
	p.acc.produced++
	if afterKill {
		p.acc.receivedAfterKills++
	}
	p.mu.Unlock()
	if err := p.destination.Send(cpluginv1.DestinationRunRequest{Record: rec}); err != nil {
		p.mu.Lock()
		ackErr := p.ackErr
		p.mu.Unlock()
		t.Fatalf("forward position %d to the destination: %v (the destination's stream: %v)", n, err, ackErr)
	}
	p.lastForwarded = n
}

// stopSource stops the source that sent the last record: Stop must name
// it, its ack must reach the source, and the stream then ends normally.
func (p *pipe) stopSource(ctx context.Context, c *client.Client, run *cpluginv1.SourceRun) {
	t := p.t
	source := c.Source()
	var stop cpluginv1.SourceStopResponse
	call(ctx, t, "source Stop", func(ctx context.Context) error {
		var err error
		stop, err = source.Stop(ctx, cpluginv1.SourceStopRequest{})
		return err
	})
	if want := strconv.Itoa(totalRecords); string(stop.LastPosition) != want {
		t.Errorf("source Stop returned position %q, want the last record's, %q", stop.LastPosition, want)
	}
	p.waitDrained("after the last record")
	p.mu.Lock()
	p.source = nil
	p.mu.Unlock()
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("the source's stream after the last record and CloseSend: Recv = %v, want io.EOF", err)
	}
	waited := make(chan error, 1)
	go func() { waited <- run.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Errorf("the last source process's Run ended with %v, want nil", err)
		}
	case <-time.After(waitLimit):
		t.Fatalf("the last source process's Run did not end within %v of CloseSend", waitLimit)
	}
	call(ctx, t, "source Teardown", func(ctx context.Context) error {
		_, err := source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	})
}

// checkAndPrint asserts that the accounting adds up and prints it.
func (p *pipe) checkAndPrint(t *testing.T, seed uint64, killPoints []int, fileLines int, elapsed time.Duration) {
	t.Helper()
	p.mu.Lock()
	a := p.acc
	p.mu.Unlock()

	checks := []struct {
		ok   bool
		what string
	}{
		{a.produced == totalRecords, fmt.Sprintf("produced %d records, want %d", a.produced, totalRecords)},
		{a.written+a.nacked == a.produced, fmt.Sprintf("written %d + negatively acked %d != produced %d", a.written, a.nacked, a.produced)},
		{a.nacked == 0, fmt.Sprintf("%d records were negatively acked, want none", a.nacked)},
		{a.ackedToSource+a.ackNoSource == a.written+a.nacked, fmt.Sprintf("acked to the source %d + with no source %d != acks %d", a.ackedToSource, a.ackNoSource, a.written+a.nacked)},
		{fileLines == a.written, fmt.Sprintf("the file has %d lines, want one per written record, %d", fileLines, a.written)},
		{a.restarts == len(killPoints), fmt.Sprintf("%d restarts, want one per kill point, %d", a.restarts, len(killPoints))},
		{a.inFlightAtKills > 0, "no record was in flight at any kill: the kills did not test what they should"},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("accounting: %s", c.what)
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "nothing lost: %d records from a standalone generator to a standalone file destination in %v; seed %d\n",
		totalRecords, elapsed.Round(time.Millisecond), seed)
	row := func(n int, label, note string) {
		fmt.Fprintln(&b, strings.TrimRight(fmt.Sprintf("  %-28s %7d  %s", label, n, note), " "))
	}
	row(a.produced, "produced", "records the source processes delivered, positions 1.."+strconv.Itoa(totalRecords)+", each once, in order")
	row(a.produced, "forwarded to the destination", "every produced record, at once")
	row(a.written, "written", "acked positively by the destination, in order")
	row(a.nacked, "negatively acked", "")
	row(a.ackedToSource, "acked back to the source", "handed to the source process that produced the record")
	row(a.ackNoSource, "acks with no source", "their source had been killed; its restart resumed after them")
	row(a.restarts, "restarts", fmt.Sprintf("source killed (SIGKILL) right after forwarding positions %v", a.killedAfter))
	row(a.inFlightAtKills, "in flight at the kills", "forwarded, not yet acked, when the source was killed (sum over the kills)")
	row(a.receivedAfterKills, "received after the kills", "sent by a source before it was killed, delivered to the host after")
	row(fileLines, "lines in the file", "positions 1.."+strconv.Itoa(totalRecords)+" in order, each with the generator's key")
	fmt.Fprintf(&b, "  restarts resumed after positions %v\n", a.resumedFrom)
	fmt.Fprintf(&b, "  adds up: produced = written + negatively acked = acked back + acks with no source = lines")
	t.Log(b.String())
}

// checkFile checks that the destination's file holds one line per
// position 1..totalRecords, in order, each with the key the generator gives
// that record, and returns the number of lines.
func checkFile(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open the destination's file: %v", err)
	}
	defer func() { _ = f.Close() }()
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 64<<10), 1<<20)
	lines := 0
	for scanner.Scan() {
		lines++
		var line struct {
			Position []byte `json:"position"`
			Key      []byte `json:"key"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			t.Fatalf("line %d of the destination's file is not a record: %v", lines, err)
		}
		if want := strconv.Itoa(lines); string(line.Position) != want {
			t.Fatalf("line %d of the destination's file holds position %q, want %q: every position exactly once, in order", lines, line.Position, want)
		}
		want, err := sequence.Record(sourceConfig, uint64(lines))
		if err != nil {
			t.Fatalf("sequence.Record: %v", err)
		}
		if !bytes.Equal(line.Key, want.Key.Bytes()) {
			t.Fatalf("line %d of the destination's file holds key %q, want the generator's %q", lines, line.Key, want.Key.Bytes())
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read the destination's file: %v", err)
	}
	if lines != totalRecords {
		t.Errorf("the destination's file has %d lines, want %d", lines, totalRecords)
	}
	return lines
}

// chooseSeed returns the seed from NOTHINGLOST_SEED, or a new one.
func chooseSeed(t *testing.T) uint64 {
	t.Helper()
	if v := os.Getenv(seedVariable); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q is not a seed (a decimal number): %v", seedVariable, v, err)
		}
		return seed
	}
	return rand.Uint64()
}

// chooseKillPoints returns restarts positions, one in each of restarts
// equal stretches around evenly spaced points, so that two kills are at
// least a third of a stretch apart (more records than the streams buffer)
// and the last is far from the end.
func chooseKillPoints(rng *rand.Rand) []int {
	stretch := totalRecords / (restarts + 1)
	points := make([]int, restarts)
	for i := range points {
		center := (i + 1) * stretch
		points[i] = center - stretch/3 + rng.IntN(2*stretch/3)
	}
	return points
}

// kill kills the connector process with SIGKILL.
func kill(t *testing.T, c *client.Client) {
	t.Helper()
	rc := c.ReattachConfig()
	if rc == nil || rc.Pid <= 0 {
		t.Fatal("the source's process ID is not known: cannot kill it")
	}
	process, err := os.FindProcess(rc.Pid)
	if err != nil {
		t.Fatalf("find the source's process %d: %v", rc.Pid, err)
	}
	if err := process.Kill(); err != nil {
		t.Fatalf("kill the source's process %d: %v", rc.Pid, err)
	}
}

// startConnector starts a standalone connector and closes it when the
// test ends.
func startConnector(ctx context.Context, t *testing.T, path string) *client.Client {
	t.Helper()
	c, err := client.New(ctx, client.Config{Path: path})
	if err != nil {
		t.Fatalf("start %s: %v", filepath.Base(path), err)
	}
	t.Cleanup(func() { _ = c.Close() }) // Close may be called more than once
	return c
}

// call runs fn with a context bounded by waitLimit and fails the test if
// it fails.
func call(ctx context.Context, t *testing.T, what string, fn func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, waitLimit)
	defer cancel()
	if err := fn(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
