package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
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
		inflight: make(chan []byte, maxInFlight),
		limit:    make(chan struct{}),
		reached:  make(chan struct{}),
		refused:  make(chan struct{}),
		aborted:  make(chan struct{}),
		progress: make(chan struct{}, 1),
		digest:   NewPositionDigest(),
		inOrder:  true,
	}
	if err := p.open(ctx); err != nil {
		return p.result(false), err
	}
	p.move(ctx)
	p.teardown(ctx)
	if ctx.Err() != nil {
		// Aborted: the context's error first, so that callers see it.
		return p.result(true), errors.Join(append([]error{ctx.Err()}, p.errors()...)...)
	}
	return p.result(true), errors.Join(p.errors()...)
}

type pipe struct {
	cfg      Config
	counters *Counters
	src      *cpluginv1.SourceRun
	dst      *cpluginv1.DestinationRun
	elapsed  time.Duration
	cancel   context.CancelFunc // ends the Run streams (and calls made with runCtx)

	// inflight holds the positions sent to the destination and not acked
	// yet, oldest first.
	inflight chan []byte
	// sendMu is held while a record is sent to the destination, so that
	// CloseSend never runs concurrently with Send.
	sendMu sync.Mutex

	mu            sync.Mutex
	lastReceived  []byte // the last position received from the source
	lastForwarded []byte // the last position sent to the destination
	forwarded     int64  // records sent to the destination
	held          int64  // records received after the limit, not forwarded
	limitReached  bool   // cfg.Records records were forwarded
	stopAt        []byte // the source's Stop position, once known
	stopping      bool   // Stop was called
	stopReached   bool   // the record at stopAt arrived
	sealed        bool   // the destination is being stopped: forward nothing more
	closingDst    bool   // the host closed its side of the destination's stream
	dstFailed     bool   // the destination's stream ended before the host closed it
	aborting      bool   // the pipeline is ending at once
	errs          []error
	digest        *PositionDigest
	positions     [][]byte
	first, last   []byte
	inOrder       bool
	refusal       string

	limitOnce, reachedOnce, refusedOnce, abortOnce sync.Once
	limit, reached, refused, aborted               chan struct{}
	progress                                       chan struct{} // a token after every ack

	acked         atomic.Int64 // acks processed, positive or negative
	ackedToSource atomic.Int64
	refusals      atomic.Int64
}

// fail records an error of the run.
func (p *pipe) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aborting && (errors.Is(err, context.Canceled) || errors.Is(err, errDestinationGone)) {
		// A consequence of the abort, which has its own error.
		return
	}
	p.errs = append(p.errs, err)
}

// abort ends the pipeline at once: the Run streams end, and every wait
// returns. first, if not nil, is recorded as the first error: the reason
// the pipeline ends.
func (p *pipe) abort(first error) {
	p.mu.Lock()
	p.aborting = true
	if first != nil {
		p.errs = append([]error{first}, p.errs...)
	}
	p.mu.Unlock()
	p.abortOnce.Do(func() {
		close(p.aborted)
		if p.cancel != nil {
			p.cancel()
		}
	})
}

func (p *pipe) isAborted() bool {
	select {
	case <-p.aborted:
		return true
	default:
		return false
	}
}

func (p *pipe) errors() []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]error(nil), p.errs...)
}

func (p *pipe) result(started bool) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := Result{
		Started:           started,
		Produced:          p.forwarded,
		Written:           p.counters.Written.Load(),
		AckedToSource:     p.ackedToSource.Load(),
		Held:              p.held,
		Refused:           p.refusals.Load(),
		Refusal:           p.refusal,
		Bytes:             p.counters.Bytes.Load(),
		Elapsed:           p.elapsed,
		FirstPosition:     p.first,
		LastPosition:      p.last,
		InOrder:           p.inOrder,
		ProducedDigest:    p.digest.Sum(),
		Positions:         p.positions,
		DestinationFailed: p.dstFailed,
	}
	return r
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
			return errors.Join(append([]error{first}, p.errors()...)...)
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

// errDestinationGone is the end of the source reader when the destination's
// stream ended under it: the destination's reader reports why.
var errDestinationGone = errors.New("the destination's Run stream ended")

// move runs both streams until the pipeline should stop, then stops it:
// the source first, up to its Stop position, then the destination, whose
// acks it waits for, and then it closes both streams. Every wait also ends
// when the pipeline is aborted (ctx ended, or the destination failed).
func (p *pipe) move(ctx context.Context) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.mu.Lock()
	p.cancel = cancel
	p.mu.Unlock()
	stopAbortWatch := context.AfterFunc(ctx, func() { p.abort(nil) })
	defer stopAbortWatch()

	start := time.Now()
	defer func() { p.elapsed = time.Since(start) }()
	p.src = cpluginv1.RunSource(runCtx, p.cfg.Source)
	p.dst = cpluginv1.RunDestination(runCtx, p.cfg.Destination)
	srcDone := make(chan error, 1)
	go func() { srcDone <- p.readSource(runCtx) }()
	dstDone := make(chan error, 1)
	go func() {
		err := p.readAcks()
		p.mu.Lock()
		// The end is expected once the host closed its side, or when the
		// pipeline is aborted for another reason.
		failed := !p.closingDst && !p.aborting && ctx.Err() == nil
		p.dstFailed = failed
		p.mu.Unlock()
		if failed {
			if err == nil {
				err = errors.New("the destination ended its Run stream before the host closed it")
			}
			p.abort(fmt.Errorf("destination: %w", err))
		}
		dstDone <- err
	}()

	sourceEnded := false
	select {
	case <-p.limit:
	case <-p.cfg.Stop:
	case <-p.refused:
	case <-p.aborted:
		return
	case err := <-srcDone:
		sourceEnded = true
		if errors.Is(err, errDestinationGone) {
			// The destination's reader says why, and aborts.
			<-p.aborted
			return
		}
		if err == nil {
			err = errors.New("the source ended its Run stream before it was stopped")
		}
		p.fail(fmt.Errorf("source: %w", err))
	}

	// Stop the source, and receive the records up to its Stop position.
	if !sourceEnded {
		var stop cpluginv1.SourceStopResponse
		err := p.call(runCtx, func(ctx context.Context) error {
			var err error
			// Through the stream, which then refuses a record after the
			// Stop position.
			stop, err = p.src.Stop(ctx)
			return err
		})
		if p.isAborted() {
			return
		}
		if err != nil {
			p.fail(fmt.Errorf("stop source: %w", err))
			p.setStop(nil, false)
		} else {
			p.setStop(stop.LastPosition, true)
			timer := time.NewTimer(p.cfg.Timeout)
			select {
			case <-p.reached:
			case <-p.aborted:
				timer.Stop()
				return
			case err := <-srcDone:
				sourceEnded = true
				if errors.Is(err, errDestinationGone) {
					<-p.aborted
					timer.Stop()
					return
				}
				p.fail(fmt.Errorf("source: the Run stream ended before the Stop position %q: %w", stop.LastPosition, endErr(err)))
			case <-timer.C:
				p.fail(fmt.Errorf("source: the stream did not reach the Stop position %q within %v", stop.LastPosition, p.cfg.Timeout))
				p.setStop(nil, false)
			}
			timer.Stop()
		}
	}

	// Stop the destination at the last record it got, and wait for the acks.
	lastSent, forwarded := p.seal()
	err := p.call(runCtx, func(ctx context.Context) error {
		_, err := p.cfg.Destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: lastSent})
		return err
	})
	if p.isAborted() {
		return
	}
	if err != nil {
		p.fail(fmt.Errorf("stop destination: %w", err))
	}
	if !p.waitAcked(forwarded) {
		if p.isAborted() {
			return
		}
		p.fail(fmt.Errorf("destination: %d of %d records were acked within %v of Stop", p.acked.Load(), forwarded, p.cfg.Timeout))
	}
	p.elapsed = time.Since(start)

	// Close both streams; each Run then ends.
	_ = p.src.CloseSend()
	if !sourceEnded {
		if err := p.wait(srcDone); err != nil {
			p.fail(fmt.Errorf("source: %w", err))
		}
	}
	p.mu.Lock()
	p.closingDst = true
	p.mu.Unlock()
	p.sendMu.Lock()
	_ = p.dst.CloseSend()
	p.sendMu.Unlock()
	if err := p.wait(dstDone); err != nil {
		p.fail(fmt.Errorf("destination: %w", err))
	}
}

// wait returns the result of a stream reader, or an error after the
// timeout or once the pipeline is aborted.
func (p *pipe) wait(done <-chan error) error {
	timer := time.NewTimer(p.cfg.Timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-p.aborted:
		return nil
	case <-timer.C:
		return fmt.Errorf("Run did not end within %v after the stream was closed", p.cfg.Timeout)
	}
}

func endErr(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// setStop records the source's Stop position (known is false if Stop
// failed or its position was not reached in time) and wakes the mover if
// the stream is already there.
func (p *pipe) setStop(position []byte, known bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopping = true
	p.stopAt = position
	switch {
	case !known:
	case len(position) == 0, string(position) == string(p.lastReceived):
		p.stopReached = true
	default:
		return
	}
	p.reachedOnce.Do(func() { close(p.reached) })
}

// seal stops forwarding records and returns the last one forwarded and how
// many were.
func (p *pipe) seal() ([]byte, int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sealed = true
	return p.lastForwarded, p.forwarded
}

// readSource receives records from the source and sends the first
// cfg.Records of them on to the destination, until the source's stream
// ends (nil after the host closed it).
func (p *pipe) readSource(ctx context.Context) error {
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
		p.lastReceived = pos
		// The stream (cpluginv1.SourceRun) refuses a record after the
		// Stop position, so none arrives once it was reached.
		reachedNow := p.stopping && string(pos) == string(p.stopAt)
		if reachedNow {
			p.stopReached = true
		}
		// After cfg.Records records, or once the destination is stopping,
		// a record stays unacked at the source: a restart delivers it
		// again.
		forward := !p.sealed && !p.limitReached
		if forward {
			p.lastForwarded = pos
			p.forwarded++
			p.digest.Add(pos)
			if p.cfg.KeepPositions {
				p.positions = append(p.positions, pos)
			}
			if p.first == nil {
				p.first = pos
			}
			p.last = pos
			if p.cfg.Records > 0 && p.forwarded == p.cfg.Records {
				p.limitReached = true
				p.limitOnce.Do(func() { close(p.limit) })
			}
		} else {
			p.held++
		}
		p.mu.Unlock()
		if reachedNow {
			p.reachedOnce.Do(func() { close(p.reached) })
		}
		if !forward {
			continue
		}

		select {
		case p.inflight <- pos:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.counters.Bytes.Add(recordSize(rec))
		p.counters.Produced.Add(1)
		p.sendMu.Lock()
		err = p.dst.Send(cpluginv1.DestinationRunRequest{Record: rec})
		p.sendMu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return errDestinationGone
		}
	}
}

// readAcks receives the destination's acks and acks each record back to
// the source. The host's end of the stream (cpluginv1.DestinationRun)
// refuses an ack that is out of order, unknown, repeated or empty, so every
// ack that arrives here names the oldest record in flight. After a negative
// ack it stops acking the source: acks to the source keep the record order,
// so the refused record and those after it stay unacked, and a restart
// delivers them again.
func (p *pipe) readAcks() error {
	forward := true
	for {
		ack, err := p.dst.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var refused *cpluginv1.ContractError
			if errors.As(err, &refused) {
				p.mu.Lock()
				p.inOrder = false
				p.mu.Unlock()
			}
			return err
		}
		// Every ack names the oldest record in flight (see above), which
		// the source reader queued before it sent the record.
		<-p.inflight
		switch {
		case ack.Error != "":
			if p.refusals.Add(1) == 1 {
				p.mu.Lock()
				p.refusal = ack.Error
				p.mu.Unlock()
				p.fail(fmt.Errorf("destination: refused record %q: %s", ack.AckPosition, ack.Error))
				p.refusedOnce.Do(func() { close(p.refused) })
			}
			forward = false
		default:
			p.counters.Written.Add(1)
			if forward {
				if err := p.src.Send(cpluginv1.SourceRunRequest{AckPosition: ack.AckPosition}); err == nil {
					p.ackedToSource.Add(1)
				}
			}
		}
		p.acked.Add(1)
		select {
		case p.progress <- struct{}{}:
		default:
		}
	}
}

// waitAcked waits until n acks were processed; it returns false after the
// timeout or once the pipeline is aborted.
func (p *pipe) waitAcked(n int64) bool {
	deadline := time.NewTimer(p.cfg.Timeout)
	defer deadline.Stop()
	for p.acked.Load() < n {
		select {
		case <-p.progress:
		case <-p.aborted:
			return false
		case <-deadline.C:
			return p.acked.Load() >= n
		}
	}
	return true
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
