package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// DefaultTimeout bounds every call to a connector and every wait while the
// pipeline stops, unless Config.Timeout says otherwise.
const DefaultTimeout = 30 * time.Second

// maxInFlight is how many records may be on their way through the
// destination at once; the source waits beyond that.
const maxInFlight = 1 << 16

// Config configures a pipeline run.
type Config struct {
	// Source and Destination are the connectors' plugins, fresh (not yet
	// configured).
	Source      cpluginv1.SourcePlugin
	Destination cpluginv1.DestinationPlugin
	// SourceConfig and DestinationConfig are passed to Configure.
	SourceConfig      map[string]string
	DestinationConfig map[string]string
	// Records is exactly how many records the pipeline moves: it sends the
	// first Records records the source produces to the destination, acks
	// them back to the source and stops the source. Records the source
	// sent after those, before its Stop took effect, are received (the
	// protocol asks the host to read up to the Stop position) but neither
	// sent to the destination nor acked, so a restart delivers them again;
	// Result.Held counts them. 0 moves records until Stop is closed (or the
	// source ends its stream). Negative values are refused.
	Records int64
	// Stop, when closed, stops the pipeline gracefully: the source is
	// stopped, every record it sent up to its Stop position is moved (up to
	// Records), and both connectors are torn down. May be nil. Ending the
	// context given to Run aborts the pipeline instead.
	Stop <-chan struct{}
	// Timeout bounds every call and every wait while stopping; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// KeepPositions makes Result.Positions hold the position of every
	// record moved, in order, for a comparison with what the destination
	// wrote.
	KeepPositions bool
}

// Counters are updated while the pipeline runs; read them from any
// goroutine to show progress.
type Counters struct {
	// Produced counts records taken from the source and sent on to the
	// destination.
	Produced atomic.Int64
	// Written counts records the destination acked positively.
	Written atomic.Int64
	// Bytes counts the bytes of the produced records: position, key and
	// payload (structured data as JSON).
	Bytes atomic.Int64
}

// Result is what a pipeline run did, and the evidence that nothing was lost.
type Result struct {
	// Started is true once both connectors were configured and started, so
	// that records could flow; the other fields are zero otherwise.
	Started bool
	// Produced, Written and AckedToSource count records: taken from the
	// source and sent to the destination, acked positively by the
	// destination, and acked back to the source.
	Produced, Written, AckedToSource int64
	// Held counts the records the source sent after the Config.Records-th
	// (before its Stop took effect): received, but neither sent to the
	// destination nor acked back, so a restart of the source delivers them
	// again.
	Held int64
	// Refused counts negative acks from the destination.
	Refused int64
	// Refusal is the reason the destination gave for the first negative ack.
	Refusal string
	// Bytes is Counters.Bytes at the end.
	Bytes int64
	// Elapsed is the time from opening the streams to the last ack.
	Elapsed time.Duration
	// FirstPosition and LastPosition are the first and last positions
	// produced.
	FirstPosition, LastPosition []byte
	// InOrder is false if the host's end of the destination's Run stream
	// (cpluginv1.DestinationRun) refused an ack: out of order, for a
	// position never sent, repeated, or empty. It is the one place acks are
	// judged; the pipeline relies on it.
	InOrder bool
	// ProducedDigest is the [PositionDigest] of the positions produced, in
	// order.
	ProducedDigest [sha256.Size]byte
	// Positions holds the positions produced, in order, if
	// Config.KeepPositions was set.
	Positions [][]byte
	// DestinationFailed is true if the destination's Run stream ended
	// before the pipeline closed it (the destination failed, or broke the
	// protocol): the pipeline then ended at once, and the error says why,
	// the destination's own error first.
	DestinationFailed bool
}

// NoLoss reports whether every record produced was acked positively by the
// destination and acked back to the source exactly once, in order (as far
// as the acks tell: see [Result.InOrder]).
func (r Result) NoLoss() bool {
	return r.InOrder && r.Refused == 0 && r.Produced == r.Written && r.Written == r.AckedToSource
}

// PositionDigest is the SHA-256 digest the pipeline reports over a sequence
// of positions: each position is hashed after its length (as a uvarint), so
// that two different sequences never hash the same bytes. The zero value is
// not usable: use [NewPositionDigest].
type PositionDigest struct {
	h      hash.Hash
	length [binary.MaxVarintLen64]byte
}

// NewPositionDigest returns an empty digest.
func NewPositionDigest() *PositionDigest { return &PositionDigest{h: sha256.New()} }

// Add adds the next position of the sequence.
func (d *PositionDigest) Add(position []byte) {
	d.h.Write(d.length[:binary.PutUvarint(d.length[:], uint64(len(position)))])
	d.h.Write(position)
}

// Sum returns the digest of the positions added so far.
func (d *PositionDigest) Sum() [sha256.Size]byte {
	var out [sha256.Size]byte
	copy(out[:], d.h.Sum(nil))
	return out
}

// StepError is the error of a step that prepares or ends a connector: Step
// is "configure", "send LifecycleOnCreated to", "start" or "teardown", Role
// is "source" or "destination", and the message reads "configure source:
// ...".
type StepError struct {
	Role string
	Step string
	Err  error
}

// Error names the step and the connector's error.
func (e *StepError) Error() string { return e.Step + " " + e.Role + ": " + e.Err.Error() }

// Unwrap returns the connector's error.
func (e *StepError) Unwrap() error { return e.Err }

// Run configures and starts both connectors, moves records until
// cfg.Records records went through (or cfg.Stop is closed), stops both the
// way the protocol says, and tears them down. A destination whose Run
// stream ends before the pipeline closes it ends the pipeline at once, as
// does the end of ctx (then without Teardown, and Run returns ctx's error).
// counters may be nil. The Result is filled in even when Run returns an
// error.
func Run(ctx context.Context, cfg Config, counters *Counters) (Result, error) {
	if cfg.Records < 0 {
		return Result{InOrder: true}, fmt.Errorf("records is %d; want 0 (until stopped) or more", cfg.Records)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if counters == nil {
		counters = &Counters{}
	}
	p := &pipe{
		cfg:      cfg,
		counters: counters,
		digest:   NewPositionDigest(),
		inflight: make(chan []byte, maxInFlight),
		wake:     make(chan struct{}, 1),
		limit:    math.MaxInt64,
	}
	if cfg.Records > 0 {
		p.limit = cfg.Records
	}
	if err := p.open(ctx); err != nil {
		return p.result(false), err
	}
	p.move(ctx)
	p.teardown(ctx)
	errs := p.errs
	if p.failure != nil {
		// The destination failed: its own error first.
		errs = append([]error{p.failure}, errs...)
	}
	if ctx.Err() != nil {
		// Aborted: the context's error first, so that callers see it.
		errs = append([]error{ctx.Err()}, errs...)
	}
	return p.result(true), errors.Join(errs...)
}

// pipe is one run of the pipeline. Three goroutines share it:
//
//   - Run's goroutine calls the connectors' methods (Configure, Start,
//     Stop, Teardown), decides when to stop, and closes the streams;
//   - forward receives the source's records and sends them on to the
//     destination;
//   - ackBack receives the destination's acks and acks back to the source.
//
// The end of ctx ends the pipeline at once (an abort): the context given to
// Run ended, or the destination failed. Every wait and every call on the
// streams returns then.
type pipe struct {
	// Set before forward and ackBack start; read-only after.
	cfg      Config
	counters *Counters
	ctx      context.Context    // the streams' context
	abort    context.CancelFunc // ends ctx
	src      *cpluginv1.SourceRun
	dst      *cpluginv1.DestinationRun

	// Run's goroutine's.
	elapsed time.Duration

	// forward's; Run's goroutine reads them once srcEnded is set.
	srcErr    error // how the source's stream ended: nil after the host closed it
	held      int64 // records received but not sent on
	digest    *PositionDigest
	positions [][]byte
	first     []byte

	// ackBack's; Run's goroutine reads them once dstEnded is set.
	dstErr        error // how the destination's stream ended: nil after the host closed it
	failure       error // why the destination failed: its stream ended before the host closed it
	ackedToSource int64
	refusals      int64
	refusal       string
	badAck        bool // DestinationRun refused an ack

	// inflight holds the positions of the records sent to the destination
	// and not acked yet, oldest first: forward queues one before it sends a
	// record, waiting while maxInFlight are, and ackBack takes one for each
	// ack. (Its buffer of positions, rather than of empty tokens, counts as
	// live heap and so makes garbage collections a third rarer: BenchmarkPipe
	// is 10-15% slower with chan struct{}.)
	inflight chan []byte
	// dstSend is held around forward's Send and Run's goroutine's CloseSend
	// on the destination's stream, srcSend around ackBack's Send and Run's
	// goroutine's CloseSend on the source's: a stream's Send and CloseSend
	// must not run concurrently. (Run's goroutine closes the source's stream
	// once ackBack has sent every ack back; only after the wait for the acks
	// timed out may ackBack still have one to send, and once srcClosed is
	// set it does not send it.)
	dstSend   sync.Mutex
	srcSend   sync.Mutex
	srcClosed bool // guarded by srcSend: Run's goroutine closed the source's stream

	// What the goroutines tell each other, guarded by mu; the comment says
	// who writes it. A worker that changes what Run's goroutine waits for
	// (see await) then sends a token on wake.
	mu       sync.Mutex
	wake     chan struct{}
	received []byte  // forward: the last position received from the source
	sent     int64   // forward: records sent on to the destination
	last     []byte  // forward: the position of the last of them
	srcEnded bool    // forward: it returned (the source's stream ended, or an abort)
	acked    int64   // ackBack: acks received, positive or negative
	refused  bool    // ackBack: the destination refused a record, so the pipeline stops
	dstEnded bool    // ackBack: it returned (the destination's stream ended)
	limit    int64   // Run's: forward sends no more records on; lowered to sent to seal the stream
	stopAt   []byte  // Run's: the source's Stop position, once Stop returned it
	closing  bool    // Run's: the host closed the destination's stream, so its end is expected
	errs     []error // anyone: the errors of the run, in order
}

// fail records an error of the run.
func (p *pipe) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, err)
}

// aborted reports whether the pipeline is ending at once.
func (p *pipe) aborted() bool { return p.ctx.Err() != nil }

// holds reports whether cond, called with mu held, is true.
func (p *pipe) holds(cond func() bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return cond()
}

// poke wakes Run's goroutine if it waits in await.
func (p *pipe) poke() {
	select {
	case p.wake <- struct{}{}:
	default: // a token is waiting already
	}
}

// await waits until cond (see holds) is true, and returns true. It returns
// false once stop is closed (nil: never), timeout passes (0: no limit) or
// the pipeline is aborted, whichever comes first.
func (p *pipe) await(timeout time.Duration, stop <-chan struct{}, cond func() bool) bool {
	var expired <-chan time.Time
	if timeout > 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	for !p.holds(cond) {
		select {
		case <-p.wake:
		case <-stop:
			return false
		case <-expired:
			return p.holds(cond)
		case <-p.ctx.Done():
			return false
		}
	}
	return true
}

func (p *pipe) result(started bool) Result {
	return Result{
		Started:           started,
		Produced:          p.sent,
		Written:           p.counters.Written.Load(),
		AckedToSource:     p.ackedToSource,
		Held:              p.held,
		Refused:           p.refusals,
		Refusal:           p.refusal,
		Bytes:             p.counters.Bytes.Load(),
		Elapsed:           p.elapsed,
		FirstPosition:     p.first,
		LastPosition:      p.last,
		InOrder:           !p.badAck,
		ProducedDigest:    p.digest.Sum(),
		Positions:         p.positions,
		DestinationFailed: p.failure != nil,
	}
}

// call runs fn with the pipeline's timeout.
func (p *pipe) call(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	return fn(ctx)
}

// lifecycleErr treats Unimplemented as success, as hosts built with this
// module do. (The Conduit server does not: `cplugin check` fails a
// connector that answers a lifecycle event with Unimplemented.)
func lifecycleErr(err error) error {
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		return nil
	}
	return err
}

// open configures and starts both connectors. On failure it tears down
// what it configured and returns the failing step's error (a *StepError)
// first.
func (p *pipe) open(ctx context.Context) error {
	src, dst := p.cfg.Source, p.cfg.Destination
	steps := []struct {
		role, step string
		fn         func(context.Context) error
	}{
		{"source", "configure", func(ctx context.Context) error {
			_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: p.cfg.SourceConfig})
			return err
		}},
		{"destination", "configure", func(ctx context.Context) error {
			_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: p.cfg.DestinationConfig})
			return err
		}},
		{"source", "send LifecycleOnCreated to", func(ctx context.Context) error {
			_, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: p.cfg.SourceConfig})
			return lifecycleErr(err)
		}},
		{"destination", "send LifecycleOnCreated to", func(ctx context.Context) error {
			_, err := dst.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: p.cfg.DestinationConfig})
			return lifecycleErr(err)
		}},
		{"destination", "start", func(ctx context.Context) error {
			_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
			return err
		}},
		{"source", "start", func(ctx context.Context) error {
			_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
			return err
		}},
	}
	for _, step := range steps {
		if err := p.call(ctx, step.fn); err != nil {
			first := &StepError{Role: step.role, Step: step.step, Err: err}
			p.teardown(ctx)
			return errors.Join(append([]error{first}, p.errs...)...)
		}
	}
	return nil
}

// teardown tears both connectors down, unless ctx has ended (an abort):
// then the connectors are closed without it. A plugin the connector does
// not offer answers Unimplemented, which is not an error here.
func (p *pipe) teardown(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	if err := p.call(ctx, func(ctx context.Context) error {
		_, err := p.cfg.Source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
		return err
	}); err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		p.fail(&StepError{Role: "source", Step: "teardown", Err: err})
	}
	if err := p.call(ctx, func(ctx context.Context) error {
		_, err := p.cfg.Destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	}); err != nil && !errors.Is(err, cpluginv1.ErrUnimplemented) {
		p.fail(&StepError{Role: "destination", Step: "teardown", Err: err})
	}
}

// move opens both Run streams, starts forward and ackBack on them, stops
// the pipeline when it should (see stop), and returns once both have
// ended.
func (p *pipe) move(ctx context.Context) {
	p.ctx, p.abort = context.WithCancel(ctx)
	start := time.Now()
	p.src = cpluginv1.RunSource(p.ctx, p.cfg.Source)
	p.dst = cpluginv1.RunDestination(p.ctx, p.cfg.Destination)
	go p.forward()
	go p.ackBack()
	p.stop()
	p.elapsed = time.Since(start)

	// End what still runs (after an abort, or a Run that did not end in
	// time): forward and ackBack return at once then.
	p.abort()
	for !p.holds(func() bool { return p.srcEnded && p.dstEnded }) {
		<-p.wake
	}
}

// stop waits until cfg.Records records went through, cfg.Stop is closed,
// the destination refuses a record or the source's stream ends, and then
// stops the pipeline: the source first, up to its Stop position, then the
// destination, whose acks it waits for, and then it closes both streams.
// It returns at once when the pipeline is aborted.
func (p *pipe) stop() {
	p.await(0, p.cfg.Stop, func() bool { return p.sent >= p.limit || p.refused || p.srcEnded })
	if p.aborted() {
		return
	}
	sourceEnded := p.holds(func() bool { return p.srcEnded && p.sent < p.limit && !p.refused })
	if sourceEnded {
		p.fail(fmt.Errorf("source: %w", cmp.Or(p.srcErr, errors.New("the source ended its Run stream before it was stopped"))))
	} else {
		sourceEnded = p.stopSource()
	}
	if p.aborted() {
		return
	}
	p.stopDestination()
	if p.aborted() {
		return
	}
	p.closeStreams(sourceEnded)
}

// stopSource stops the source and waits until its stream has brought the
// record at the Stop position. It reports whether the stream ended first.
func (p *pipe) stopSource() (ended bool) {
	var stop cpluginv1.SourceStopResponse
	err := p.call(p.ctx, func(ctx context.Context) error {
		var err error
		// Through the stream, which then refuses a record after the Stop
		// position.
		stop, err = p.src.Stop(ctx)
		return err
	})
	if p.aborted() {
		return false
	}
	if err != nil {
		p.fail(fmt.Errorf("stop source: %w", err))
		return false
	}
	at := stop.LastPosition
	p.mu.Lock()
	p.stopAt = at
	p.mu.Unlock()
	reached := func() bool { return len(at) == 0 || bytes.Equal(p.received, at) }
	p.await(p.cfg.Timeout, nil, func() bool { return reached() || p.srcEnded })
	switch {
	case p.aborted(), p.holds(reached):
		return false
	case p.holds(func() bool { return p.srcEnded }):
		p.fail(fmt.Errorf("source: the Run stream ended before the Stop position %q: %w", at, cmp.Or(p.srcErr, io.EOF)))
		return true
	default:
		p.fail(fmt.Errorf("source: the stream did not reach the Stop position %q within %v", at, p.cfg.Timeout))
		return false
	}
}

// stopDestination seals the stream to the destination (forward sends no
// more records on), stops the destination at the last record sent, and
// waits for the acks of all records sent.
func (p *pipe) stopDestination() {
	p.mu.Lock()
	p.limit = p.sent
	last, sent := p.last, p.sent
	p.mu.Unlock()
	err := p.call(p.ctx, func(ctx context.Context) error {
		_, err := p.cfg.Destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: last})
		return err
	})
	if p.aborted() {
		return
	}
	if err != nil {
		p.fail(fmt.Errorf("stop destination: %w", err))
	}
	if !p.await(p.cfg.Timeout, nil, func() bool { return p.acked >= sent }) && !p.aborted() {
		p.mu.Lock()
		acked := p.acked
		p.mu.Unlock()
		p.fail(fmt.Errorf("destination: %d of %d records were acked within %v of Stop", acked, sent, p.cfg.Timeout))
	}
}

// closeStreams closes the host's side of the source's stream and then of
// the destination's, and waits for each Run to end (the source's only if
// its stream has not ended already).
func (p *pipe) closeStreams(sourceEnded bool) {
	p.srcSend.Lock()
	p.srcClosed = true
	_ = p.src.CloseSend()
	p.srcSend.Unlock()
	if !sourceEnded && !p.awaitEnd("source", func() bool { return p.srcEnded }, &p.srcErr) {
		return
	}
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.dstSend.Lock()
	_ = p.dst.CloseSend()
	p.dstSend.Unlock()
	p.awaitEnd("destination", func() bool { return p.dstEnded }, &p.dstErr)
}

// awaitEnd waits until ended, and records how the stream of role ended (err
// is its worker's) if not as it should. It returns false if the pipeline
// was aborted.
func (p *pipe) awaitEnd(role string, ended func() bool, err *error) bool {
	done := p.await(p.cfg.Timeout, nil, ended)
	switch {
	case p.aborted():
		return false
	case !done:
		p.fail(fmt.Errorf("%s: Run did not end within %v after the stream was closed", role, p.cfg.Timeout))
	case *err != nil:
		p.fail(fmt.Errorf("%s: %w", role, *err))
	}
	return true
}

// forward receives records from the source and sends the first
// cfg.Records of them on to the destination, until the source's stream
// ends.
func (p *pipe) forward() {
	err := p.forwardRecords()
	p.mu.Lock()
	p.srcErr, p.srcEnded = err, true
	p.mu.Unlock()
	p.poke()
}

func (p *pipe) forwardRecords() error {
	for {
		resp, err := p.src.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		rec := resp.Record
		pos := rec.Position

		p.mu.Lock()
		p.received = pos
		// After cfg.Records records, or once the destination is being
		// stopped, a record stays unacked at the source: a restart
		// delivers it again.
		send := p.sent < p.limit
		if send {
			p.sent++
			p.last = pos
		}
		// Run's goroutine waits for the cfg.Records-th record, and for the
		// one at the Stop position. (The stream, cpluginv1.SourceRun,
		// refuses a record after that one.)
		wake := send && p.sent == p.limit || len(p.stopAt) > 0 && bytes.Equal(pos, p.stopAt)
		p.mu.Unlock()
		if wake {
			p.poke()
		}
		if !send {
			p.held++
			continue
		}
		p.digest.Add(pos)
		if p.cfg.KeepPositions {
			p.positions = append(p.positions, pos)
		}
		if p.first == nil {
			p.first = pos
		}
		if err := p.sendOn(rec); err != nil {
			return err
		}
	}
}

// sendOn sends a record on to the destination, once it may be in flight.
func (p *pipe) sendOn(rec cpluginv1.Record) error {
	select {
	case p.inflight <- rec.Position:
	case <-p.ctx.Done():
		return p.ctx.Err()
	}
	p.counters.Bytes.Add(recordSize(rec))
	p.counters.Produced.Add(1)
	p.dstSend.Lock()
	err := p.dst.Send(cpluginv1.DestinationRunRequest{Record: rec})
	p.dstSend.Unlock()
	if err != nil {
		// The destination's stream ended: ackBack says why, and aborts.
		<-p.ctx.Done()
		return p.ctx.Err()
	}
	return nil
}

// ackBack receives the destination's acks and acks each record back to the
// source, until the destination's stream ends. If it ends before the host
// closed it, the destination failed: ackBack aborts the pipeline, and its
// error comes first.
func (p *pipe) ackBack() {
	err := p.receiveAcks()
	p.mu.Lock()
	if !p.closing && !p.aborted() {
		p.failure = fmt.Errorf("destination: %w", cmp.Or(err, errors.New("the destination ended its Run stream before the host closed it")))
	}
	p.dstErr, p.dstEnded = err, true
	failed := p.failure != nil
	p.mu.Unlock()
	if failed {
		p.abort()
	}
	p.poke()
}

// receiveAcks receives acks until the destination's stream ends (nil after
// the host closed it). The host's end of the stream
// (cpluginv1.DestinationRun) refuses an ack that is out of order, unknown,
// repeated or empty, so every ack that arrives here names the oldest record
// in flight. After a negative ack it stops acking the source: acks to the
// source keep the record order, so the refused record and those after it
// stay unacked, and a restart delivers them again. An ack that comes after
// the host closed the source's stream is not acked back either.
func (p *pipe) receiveAcks() error {
	for {
		ack, err := p.dst.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var refused *cpluginv1.ContractError
			p.badAck = errors.As(err, &refused)
			return err
		}
		<-p.inflight // the acked record's position (DestinationRun checked it)
		firstRefusal := false
		if ack.Error != "" {
			p.refusals++
			if firstRefusal = p.refusals == 1; firstRefusal {
				p.refusal = ack.Error
			}
		} else {
			p.counters.Written.Add(1)
			if p.refusals == 0 && p.ackSource(ack.AckPosition) {
				p.ackedToSource++
			}
		}

		p.mu.Lock()
		p.acked++
		if firstRefusal {
			p.refused = true
			p.errs = append(p.errs, fmt.Errorf("destination: refused record %q: %s", ack.AckPosition, ack.Error))
		}
		// Run's goroutine waits for the first refusal, and for the ack of
		// the last record once the stream is sealed.
		wake := firstRefusal || p.acked == p.sent && p.sent >= p.limit
		p.mu.Unlock()
		if wake {
			p.poke()
		}
	}
}

// ackSource acks the record at position back to the source, unless the
// host has closed the source's stream, and reports whether it did.
func (p *pipe) ackSource(position []byte) bool {
	p.srcSend.Lock()
	defer p.srcSend.Unlock()
	return !p.srcClosed && p.src.Send(cpluginv1.SourceRunRequest{AckPosition: position}) == nil
}

// recordSize is the size of what a record carries: position, key and
// payload, structured data counted as JSON.
func recordSize(r cpluginv1.Record) int64 {
	n := len(r.Position)
	for _, d := range []cpluginv1.Data{r.Key, r.Payload.Before, r.Payload.After} {
		switch d := d.(type) {
		case cpluginv1.RawData:
			n += len(d)
		case cpluginv1.StructuredData:
			n += len(d.Bytes())
		}
	}
	return int64(n)
}
