// Package runpipe is the in-memory Run stream between a host and a
// connector's Run method called in the host's process: package cpluginv1
// uses it for a plugin that no transport wraps (package builtin's plugins,
// mocks, a connector handed over as is). It plays the part a gRPC stream
// plays for a standalone connector, with the same bounds: what the
// connector sends waits in a buffer of a fixed size, as does what the host
// sends, and a full buffer blocks the sender (backpressure) instead of
// growing.
//
// Out is what the connector sends (records of a source, acks of a
// destination), In what the host sends (acks to a source, records to a
// destination). The pipe holds the values as they are: ownership passes
// with each Send.
package runpipe

import (
	"context"
	"errors"
	"io"
	"sync"
)

// ErrRunEnded is returned to a connector-side Send or Recv once the
// connector's Run has returned, as a gRPC stream fails once its call ended.
// Without it, a goroutine that a connector left waiting on the stream would
// wait until the host closed its side or cancelled, which a host that
// already saw the end of the stream may never do.
var ErrRunEnded = errors.New("use of a Run stream after the connector's Run returned")

// Pipe is one Run stream. The connector's Run gets the connector end
// ([Pipe.ConnectorSend], [Pipe.ConnectorRecv]); the host uses [Pipe.Recv],
// [Pipe.Send] and [Pipe.CloseSend]; whoever called Run reports its result
// with [Pipe.Finish].
type Pipe[Out, In any] struct {
	runCtx    context.Context // the connector's Run context
	streamCtx context.Context // ends with runCtx or when Run returned
	endStream context.CancelFunc

	out      chan Out
	in       chan In
	inClosed chan struct{} // closed by CloseSend
	closeIn  sync.Once

	ended chan struct{} // closed when the connector's Run returned
	err   error         // Run's result, set before ended is closed
}

// New returns a pipe for a Run whose context is runCtx, buffering up to
// outSize values from the connector and inSize from the host.
func New[Out, In any](runCtx context.Context, outSize, inSize int) *Pipe[Out, In] {
	streamCtx, endStream := context.WithCancel(runCtx) //nolint:gosec // Finish calls endStream when the connector's Run returns
	return &Pipe[Out, In]{
		runCtx:    runCtx,
		streamCtx: streamCtx,
		endStream: endStream,
		out:       make(chan Out, outSize),
		in:        make(chan In, inSize),
		inClosed:  make(chan struct{}),
		ended:     make(chan struct{}),
	}
}

// Finish records that the connector's Run returned err. Values it sent
// before are still delivered to the host; then the host's Recv returns
// io.EOF (err nil) or err.
func (p *Pipe[Out, In]) Finish(err error) {
	p.err = err
	p.endStream()
	close(p.ended)
}

// Ended is closed once Finish was called.
func (p *Pipe[Out, In]) Ended() <-chan struct{} { return p.ended }

// Err returns what the connector's Run returned, once Ended is closed.
func (p *Pipe[Out, In]) Err() error {
	<-p.ended
	return p.err
}

// ConnectorSend sends v to the host, waiting while the buffer is full. It
// fails once the stream ended (see streamEnded).
func (p *Pipe[Out, In]) ConnectorSend(v Out) error {
	if p.streamCtx.Err() != nil {
		return p.streamEnded()
	}
	select {
	case p.out <- v: // the common case, room in the buffer
		return nil
	default:
	}
	select {
	case p.out <- v:
		return nil
	case <-p.streamCtx.Done():
		return p.streamEnded()
	}
}

// ConnectorRecv returns the host's next value, io.EOF once the host closed
// its side and every value before was received, or an error once the
// stream ended.
func (p *Pipe[Out, In]) ConnectorRecv() (In, error) {
	var zero In
	if p.streamCtx.Err() != nil {
		return zero, p.streamEnded()
	}
	select {
	case v := <-p.in: // the common case, a value waiting
		return v, nil
	default:
	}
	select {
	case v := <-p.in:
		return v, nil
	case <-p.inClosed:
		select {
		case v := <-p.in:
			return v, nil
		default:
			return zero, io.EOF
		}
	case <-p.streamCtx.Done():
		return zero, p.streamEnded()
	}
}

// streamEnded is the error of the connector end once the stream's context
// ended: the Run context's error if the host cancelled it, ErrRunEnded if
// Run has returned.
func (p *Pipe[Out, In]) streamEnded() error {
	if err := p.runCtx.Err(); err != nil {
		return err
	}
	return ErrRunEnded
}

// Recv returns the connector's next value. Once Run returned and every
// value it sent was received, it returns io.EOF if Run returned nil and
// Run's error otherwise. Once the Run context ends it returns its error at
// once, without waiting for Run to notice.
func (p *Pipe[Out, In]) Recv() (Out, error) {
	var zero Out
	if p.runCtx.Err() == nil {
		select {
		case v := <-p.out: // the common case, without the cost of the select below
			return v, nil
		default:
		}
	}
	select {
	case v := <-p.out:
		return v, nil
	case <-p.runCtx.Done():
		return zero, p.runCtx.Err()
	case <-p.ended:
		// Values sent before Run returned are still delivered.
		select {
		case v := <-p.out:
			return v, nil
		default:
		}
		if p.err == nil {
			return zero, io.EOF
		}
		return zero, p.err
	}
}

// Send sends v to the connector, waiting while the buffer is full. It
// returns io.EOF once Run has returned and the Run context's error once it
// ended.
func (p *Pipe[Out, In]) Send(v In) error {
	if err := p.runCtx.Err(); err != nil {
		return err
	}
	select {
	case <-p.ended:
		// Checked first: with room in the buffer, the select below could
		// otherwise take a value nobody will receive.
		return io.EOF
	default:
	}
	select {
	case p.in <- v: // the common case, room in the buffer
		return nil
	default:
	}
	select {
	case p.in <- v:
		return nil
	case <-p.ended:
		return io.EOF
	case <-p.runCtx.Done():
		return p.runCtx.Err()
	}
}

// CloseSend tells the connector that no more values follow: its
// ConnectorRecv returns io.EOF once it has received the values sent before.
func (p *Pipe[Out, In]) CloseSend() error {
	p.closeIn.Do(func() { close(p.inClosed) })
	return nil
}
