package pipeline

import (
	"bytes"
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
	// Records stops the source after this many records; 0 runs until Stop
	// is closed (or the source ends its stream).
	Records int64
	// Stop, when closed, stops the pipeline gracefully, as after Records
	// records. May be nil.
	Stop <-chan struct{}
	// Timeout bounds every call and every wait while stopping; zero means
	// DefaultTimeout.
	Timeout time.Duration
}

// Counters are updated while the pipeline runs; read them from any
// goroutine to show progress.
type Counters struct {
	// Produced counts records received from the source (and sent on to the
	// destination).
	Produced atomic.Int64
	// Written counts records the destination acked positively.
	Written atomic.Int64
	// Bytes counts the bytes of the produced records: position, key and
	// payload (structured data as JSON).
	Bytes atomic.Int64
}

// Result is what a pipeline run did, and the evidence that nothing was lost.
type Result struct {
	// Produced, Written and AckedToSource count records: received from the
	// source, acked positively by the destination, and acked back to the
	// source.
	Produced, Written, AckedToSource int64
	// Refused counts negative acks from the destination.
	Refused int64
	// Refusal is the reason the destination gave for the first negative ack.
	Refusal string
	// Bytes is Counters.Bytes at the end.
	Bytes int64
	// Elapsed is the time from opening the streams to the last ack.
	Elapsed time.Duration
	// FirstPosition and LastPosition are the first and last positions the
	// source produced.
	FirstPosition, LastPosition []byte
	// InOrder is true if every destination ack named the oldest record not
	// acked yet: each record was acked exactly once, in order.
	InOrder bool
	// ProducedDigest and AckedDigest are SHA-256 digests of the sequence of
	// positions produced by the source and of those acked back to it.
	ProducedDigest, AckedDigest [sha256.Size]byte
}

// NoLoss reports whether every position the source produced was written
// and acked back to the source exactly once, in order.
func (r Result) NoLoss() bool {
	return r.InOrder && r.Refused == 0 &&
		r.Produced == r.Written && r.Written == r.AckedToSource &&
		r.ProducedDigest == r.AckedDigest
}

// Run configures and starts both connectors, moves records until
// cfg.Records records went through (or cfg.Stop is closed), stops both the
// way the protocol says, and tears them down. counters may be nil. The
// Result is filled in even when Run returns an error.
func Run(ctx context.Context, cfg Config, counters *Counters) (Result, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if counters == nil {
		counters = &Counters{}
	}
	p := &pipe{
		cfg:          cfg,
		counters:     counters,
		inflight:     make(chan []byte, maxInFlight),
		limit:        make(chan struct{}),
		reached:      make(chan struct{}),
		failed:       make(chan struct{}),
		progress:     make(chan struct{}, 1),
		producedHash: sha256.New(),
		ackedHash:    sha256.New(),
		inOrder:      true,
	}
	if err := p.open(ctx); err != nil {
		return p.result(0), err
	}
	defer p.teardown(ctx)
	p.move(ctx)
	return p.result(p.elapsed), p.err()
}

type pipe struct {
	cfg      Config
	counters *Counters
	src      *cpluginv1.SourceRun
	dst      *cpluginv1.DestinationRun
	elapsed  time.Duration
	teardown func(context.Context)

	// inflight holds the positions sent to the destination and not acked
	// yet, oldest first.
	inflight chan []byte

	mu          sync.Mutex
	lastSent    []byte
	stopAt      []byte // the source's Stop position, once known
	stopping    bool   // Stop was called
	stopReached bool   // the record at stopAt went through: no record may follow
	sealed      bool   // the destination is being stopped: forward nothing more
	errs        []error

	limitOnce, reachedOnce, failOnce sync.Once
	limit, reached, failed           chan struct{}
	progress                         chan struct{} // a token after every ack

	// Guarded by mu: written by the readers, read for the result.
	producedHash hash.Hash
	ackedHash    hash.Hash
	first, last  []byte
	inOrder      bool
	refusal      string

	acked         atomic.Int64 // acks processed, positive or negative
	ackedToSource atomic.Int64
	refused       atomic.Int64
}

func (p *pipe) fail(err error) {
	p.mu.Lock()
	p.errs = append(p.errs, err)
	p.mu.Unlock()
	p.failOnce.Do(func() { close(p.failed) })
}

func (p *pipe) err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}

func (p *pipe) result(elapsed time.Duration) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := Result{
		Produced:      p.counters.Produced.Load(),
		Written:       p.counters.Written.Load(),
		AckedToSource: p.ackedToSource.Load(),
		Refused:       p.refused.Load(),
		Refusal:       p.refusal,
		Bytes:         p.counters.Bytes.Load(),
		Elapsed:       elapsed,
		FirstPosition: p.first,
		LastPosition:  p.last,
		InOrder:       p.inOrder,
	}
	copy(r.ProducedDigest[:], p.producedHash.Sum(nil))
	copy(r.AckedDigest[:], p.ackedHash.Sum(nil))
	return r
}

// call runs fn with the pipeline's timeout.
func (p *pipe) call(ctx context.Context, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	return fn(ctx)
}

// lifecycleErr treats Unimplemented as success, as hosts do.
func lifecycleErr(err error) error {
	if errors.Is(err, cpluginv1.ErrUnimplemented) {
		return nil
	}
	return err
}

// open configures and starts both connectors, and sets p.teardown.
func (p *pipe) open(ctx context.Context) error {
	src, dst := p.cfg.Source, p.cfg.Destination
	torn := false
	p.teardown = func(ctx context.Context) {
		if torn {
			return
		}
		torn = true
		if err := p.call(ctx, func(ctx context.Context) error {
			_, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
			return err
		}); err != nil {
			p.fail(fmt.Errorf("teardown source: %w", err))
		}
		if err := p.call(ctx, func(ctx context.Context) error {
			_, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
			return err
		}); err != nil {
			p.fail(fmt.Errorf("teardown destination: %w", err))
		}
	}
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"configure source", func(ctx context.Context) error {
			_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: p.cfg.SourceConfig})
			return err
		}},
		{"configure destination", func(ctx context.Context) error {
			_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: p.cfg.DestinationConfig})
			return err
		}},
		{"source lifecycle on created", func(ctx context.Context) error {
			_, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: p.cfg.SourceConfig})
			return lifecycleErr(err)
		}},
		{"destination lifecycle on created", func(ctx context.Context) error {
			_, err := dst.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: p.cfg.DestinationConfig})
			return lifecycleErr(err)
		}},
		{"start destination", func(ctx context.Context) error {
			_, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{})
			return err
		}},
		{"start source", func(ctx context.Context) error {
			_, err := src.Start(ctx, cpluginv1.SourceStartRequest{})
			return err
		}},
	}
	for _, step := range steps {
		if err := p.call(ctx, step.fn); err != nil {
			err = fmt.Errorf("%s: %w", step.what, err)
			p.teardown(ctx)
			return errors.Join(append([]error{err}, p.errs...)...)
		}
	}
	return nil
}

// move runs both streams until the pipeline should stop, then stops it.
func (p *pipe) move(ctx context.Context) {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	p.src = cpluginv1.RunSource(runCtx, p.cfg.Source)
	p.dst = cpluginv1.RunDestination(runCtx, p.cfg.Destination)
	srcDone := make(chan error, 1)
	go func() { srcDone <- p.readSource(runCtx) }()
	dstDone := make(chan error, 1)
	go func() { dstDone <- p.readAcks() }()

	sourceEnded := false
	select {
	case <-p.limit:
	case <-p.cfg.Stop:
	case <-p.failed:
	case <-ctx.Done():
		p.fail(ctx.Err())
		return
	case err := <-srcDone:
		sourceEnded = true
		if err == nil {
			err = errors.New("the source ended its Run stream before it was stopped")
		}
		p.fail(fmt.Errorf("source: %w", err))
	}

	// Stop the source, and let the records up to its Stop position through.
	if !sourceEnded {
		var stop cpluginv1.SourceStopResponse
		err := p.call(ctx, func(ctx context.Context) error {
			var err error
			// Through the stream, which then refuses a record after the
			// Stop position.
			stop, err = p.src.Stop(ctx)
			return err
		})
		if err != nil {
			p.fail(fmt.Errorf("stop source: %w", err))
			p.setStop(nil, false)
		} else {
			p.setStop(stop.LastPosition, true)
			select {
			case <-p.reached:
			case err := <-srcDone:
				sourceEnded = true
				p.fail(fmt.Errorf("source: the Run stream ended before the Stop position %q: %w", stop.LastPosition, endErr(err)))
			case <-time.After(p.cfg.Timeout):
				p.fail(fmt.Errorf("source: the stream did not reach the Stop position %q within %v", stop.LastPosition, p.cfg.Timeout))
				p.setStop(nil, false)
			}
		}
	}

	// Stop the destination at the last record it got, and wait for the acks.
	lastSent := p.seal()
	if err := p.call(ctx, func(ctx context.Context) error {
		_, err := p.cfg.Destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: lastSent})
		return err
	}); err != nil {
		p.fail(fmt.Errorf("stop destination: %w", err))
	}
	if !p.waitAcked(p.counters.Produced.Load()) {
		p.fail(fmt.Errorf("destination: %d of %d records were acked within %v of Stop", p.acked.Load(), p.counters.Produced.Load(), p.cfg.Timeout))
	}
	p.elapsed = time.Since(start)

	// Close both streams; each Run then ends.
	_ = p.src.CloseSend()
	if !sourceEnded {
		if err := wait(srcDone, p.cfg.Timeout); err != nil {
			p.fail(fmt.Errorf("source: %w", err))
		}
	}
	_ = p.dst.CloseSend()
	if err := wait(dstDone, p.cfg.Timeout); err != nil {
		p.fail(fmt.Errorf("destination: %w", err))
	}
}

// wait returns the result of a stream reader, or an error after timeout.
func wait(done <-chan error, timeout time.Duration) error {
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		return fmt.Errorf("Run did not end within %v after the stream was closed", timeout)
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
	case len(position) == 0, bytes.Equal(position, p.lastSent):
		p.stopReached = true
	default:
		return
	}
	p.reachedOnce.Do(func() { close(p.reached) })
}

// seal stops forwarding records and returns the last one forwarded.
func (p *pipe) seal() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sealed = true
	return p.lastSent
}

// readSource receives records from the source and sends them on to the
// destination until the source's stream ends (nil after the host closed
// it).
func (p *pipe) readSource(ctx context.Context) error {
	var length [binary.MaxVarintLen64]byte
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
		switch {
		case p.stopReached:
			stopAt := p.stopAt
			p.mu.Unlock()
			// The source broke a rule: the record is not the pipeline's
			// to deliver.
			p.fail(fmt.Errorf("source: sent record %q after its Stop position %q", pos, stopAt))
			continue
		case p.sealed:
			// Stop failed and the destination is stopping. The record
			// stays unacked, so a restart delivers it again.
			p.mu.Unlock()
			continue
		}
		p.lastSent = pos
		p.producedHash.Write(length[:binary.PutUvarint(length[:], uint64(len(pos)))])
		p.producedHash.Write(pos)
		if p.first == nil {
			p.first = pos
		}
		p.last = pos
		if p.stopping && bytes.Equal(pos, p.stopAt) {
			p.stopReached = true
			p.reachedOnce.Do(func() { close(p.reached) })
		}
		p.mu.Unlock()

		select {
		case p.inflight <- pos:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.counters.Bytes.Add(recordSize(rec))
		if err := p.dst.Send(cpluginv1.DestinationRunRequest{Record: rec}); err != nil {
			return fmt.Errorf("send record %q to the destination: %w", pos, err)
		}
		n := p.counters.Produced.Add(1)
		if p.cfg.Records > 0 && n == p.cfg.Records {
			p.limitOnce.Do(func() { close(p.limit) })
		}
	}
}

// readAcks receives the destination's acks, checks that each names the
// oldest record in flight, and acks the record back to the source. After a
// negative ack it stops acking the source: acks to the source keep the
// record order, so the refused record and those after it stay unacked, and
// a restart delivers them again.
func (p *pipe) readAcks() error {
	var length [binary.MaxVarintLen64]byte
	forward := true
	for {
		ack, err := p.dst.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var refused *cpluginv1.ContractError
		if errors.As(err, &refused) {
			// The host's end of the stream refused an ack that breaks the
			// protocol's rules (out of order, unknown, duplicated, empty).
			p.outOfOrder(fmt.Errorf("destination: %w", err))
			return err
		}
		if err != nil {
			return err
		}
		var want []byte
		select {
		case want = <-p.inflight:
		default:
			p.outOfOrder(fmt.Errorf("destination: acked %q, but no record is waiting for an ack", ack.AckPosition))
			forward = false
			continue
		}
		switch {
		case !bytes.Equal(ack.AckPosition, want):
			p.outOfOrder(fmt.Errorf("destination: acked %q, but the oldest record not acked yet is %q", ack.AckPosition, want))
			forward = false
		case ack.Error != "":
			if p.refused.Add(1) == 1 {
				p.mu.Lock()
				p.refusal = ack.Error
				p.mu.Unlock()
				p.fail(fmt.Errorf("destination: refused record %q: %s", want, ack.Error))
			}
			forward = false
		default:
			p.counters.Written.Add(1)
			if forward {
				p.mu.Lock()
				p.ackedHash.Write(length[:binary.PutUvarint(length[:], uint64(len(want)))])
				p.ackedHash.Write(want)
				p.mu.Unlock()
				if err := p.src.Send(cpluginv1.SourceRunRequest{AckPosition: want}); err == nil {
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

func (p *pipe) outOfOrder(err error) {
	p.mu.Lock()
	p.inOrder = false
	p.mu.Unlock()
	p.fail(err)
}

// waitAcked waits until n acks were processed.
func (p *pipe) waitAcked(n int64) bool {
	deadline := time.NewTimer(p.cfg.Timeout)
	defer deadline.Stop()
	for p.acked.Load() < n {
		select {
		case <-p.progress:
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
