package cpluginv1

import (
	"context"
	"errors"
	"io"
	"sync"
)

// runBuffer is how many records a Run stream holds in memory between the
// side that sends them and the side that receives them, like the flow
// control window of a gRPC stream. Acks are never blocked: a side never
// sends more acks than it received records.
const runBuffer = 128

// errSendClosed is returned by Send after CloseSend.
var errSendClosed = errors.New("send on a Run stream after CloseSend")

// errRunEnded is returned to a connector-side Send or Recv on a Run stream
// whose Run call has returned, as a gRPC stream fails once its call ended.
// Without it, a goroutine that a transport or a connector left waiting on
// the stream would wait until the host closed its side or cancelled ctx,
// which a host that already saw the end of the stream may never do.
var errRunEnded = errors.New("use of a Run stream after the connector's Run returned")

// SourceRun is the host's end of a source Run stream, returned by
// [RunSource]. It works the same for built-in and standalone connectors.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send.
type SourceRun struct {
	ctx        context.Context
	streamCtx  context.Context // ends with ctx or when Run returned; see errRunEnded
	records    chan SourceRunResponse
	acks       *queue[SourceRunRequest]
	sendClosed sync.Once
	done       chan struct{}
	err        error // the result of SourcePlugin.Run, set before done is closed
}

// RunSource calls plugin.Run in a new goroutine and returns the host's end of
// the stream. The stream ends when Run returns: after the connector's last
// record, Recv returns io.EOF if Run returned nil and Run's error otherwise.
// Cancelling ctx ends the stream on both sides with context.Canceled.
func RunSource(ctx context.Context, plugin SourcePlugin) *SourceRun {
	streamCtx, endStream := context.WithCancel(ctx)
	r := &SourceRun{
		ctx:       ctx,
		streamCtx: streamCtx,
		records:   make(chan SourceRunResponse, runBuffer),
		acks:      newQueue[SourceRunRequest](),
		done:      make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		defer endStream()
		r.err = plugin.Run(ctx, sourceRunConnectorEnd{r})
	}()
	return r
}

// Recv waits for the next record from the connector. Once ctx ends it
// returns ctx's error without waiting for the connector's Run to notice.
func (r *SourceRun) Recv() (SourceRunResponse, error) {
	select {
	case rec := <-r.records:
		return rec, nil
	case <-r.ctx.Done():
		return SourceRunResponse{}, r.ctx.Err()
	case <-r.done:
		// Records sent before Run returned are still delivered.
		select {
		case rec := <-r.records:
			return rec, nil
		default:
		}
		return SourceRunResponse{}, endOfRun(r.err)
	}
}

// Send sends an ack to the connector. It returns io.EOF if the stream has
// ended (Recv then reports why). The transport may read ack after Send has
// returned: do not modify it afterwards.
func (r *SourceRun) Send(ack SourceRunRequest) error {
	select {
	case <-r.done:
		return io.EOF
	default:
	}
	return r.acks.push(ack)
}

// CloseSend tells the connector that no more acks follow: its Recv returns
// io.EOF, after which a well-behaved connector returns from Run.
func (r *SourceRun) CloseSend() error {
	r.sendClosed.Do(r.acks.close)
	return nil
}

// Done is closed when the connector's Run has returned.
func (r *SourceRun) Done() <-chan struct{} { return r.done }

// Wait waits for the connector's Run to return and returns its error.
func (r *SourceRun) Wait() error {
	<-r.done
	return r.err
}

type sourceRunConnectorEnd struct{ r *SourceRun }

func (c sourceRunConnectorEnd) Send(rec SourceRunResponse) error {
	if c.r.streamCtx.Err() != nil {
		return streamEnded(c.r.ctx)
	}
	select {
	case c.r.records <- rec:
		return nil
	case <-c.r.streamCtx.Done():
		return streamEnded(c.r.ctx)
	}
}

func (c sourceRunConnectorEnd) Recv() (SourceRunRequest, error) {
	if c.r.streamCtx.Err() != nil {
		return SourceRunRequest{}, streamEnded(c.r.ctx)
	}
	ack, err := c.r.acks.pop(c.r.streamCtx)
	if err != nil && !errors.Is(err, io.EOF) {
		return SourceRunRequest{}, streamEnded(c.r.ctx)
	}
	return ack, err
}

// DestinationRun is the host's end of a destination Run stream, returned by
// [RunDestination]. It works the same for built-in and standalone connectors.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send.
type DestinationRun struct {
	ctx         context.Context
	streamCtx   context.Context // ends with ctx or when Run returned; see errRunEnded
	records     chan DestinationRunRequest
	sendClosed  chan struct{}
	closeRecord sync.Once
	acks        *queue[DestinationRunResponse]
	done        chan struct{}
	err         error // the result of DestinationPlugin.Run, set before done is closed
}

// RunDestination calls plugin.Run in a new goroutine and returns the host's
// end of the stream. The stream ends when Run returns: after the connector's
// last ack, Recv returns io.EOF if Run returned nil and Run's error otherwise.
// Cancelling ctx ends the stream on both sides with context.Canceled.
func RunDestination(ctx context.Context, plugin DestinationPlugin) *DestinationRun {
	streamCtx, endStream := context.WithCancel(ctx)
	r := &DestinationRun{
		ctx:        ctx,
		streamCtx:  streamCtx,
		records:    make(chan DestinationRunRequest, runBuffer),
		sendClosed: make(chan struct{}),
		acks:       newQueue[DestinationRunResponse](),
		done:       make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		defer endStream()
		defer r.acks.close()
		r.err = plugin.Run(ctx, destinationRunConnectorEnd{r})
	}()
	return r
}

// Send sends a record to the connector. It returns io.EOF if the stream has
// ended (Recv then reports why). The transport may read rec after Send has
// returned: do not modify it afterwards.
func (r *DestinationRun) Send(rec DestinationRunRequest) error {
	select {
	case <-r.sendClosed:
		return errSendClosed
	case <-r.done:
		// Checked first: with room in the buffer, the select below could
		// otherwise take a record nobody will receive.
		return io.EOF
	default:
	}
	select {
	case r.records <- rec:
		return nil
	case <-r.done:
		return io.EOF
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// Recv waits for the next ack from the connector. Once ctx ends it returns
// ctx's error without waiting for the connector's Run to notice.
func (r *DestinationRun) Recv() (DestinationRunResponse, error) {
	ack, err := r.acks.pop(r.ctx)
	if errors.Is(err, io.EOF) {
		<-r.done
		return DestinationRunResponse{}, endOfRun(r.err)
	}
	return ack, err
}

// CloseSend tells the connector that no more records follow: its Recv
// returns io.EOF once it has received the records already sent.
func (r *DestinationRun) CloseSend() error {
	r.closeRecord.Do(func() { close(r.sendClosed) })
	return nil
}

// Done is closed when the connector's Run has returned.
func (r *DestinationRun) Done() <-chan struct{} { return r.done }

// Wait waits for the connector's Run to return and returns its error.
func (r *DestinationRun) Wait() error {
	<-r.done
	return r.err
}

type destinationRunConnectorEnd struct{ r *DestinationRun }

func (c destinationRunConnectorEnd) Send(ack DestinationRunResponse) error {
	if c.r.streamCtx.Err() != nil {
		return streamEnded(c.r.ctx)
	}
	if err := c.r.acks.push(ack); err != nil {
		// The acks are closed only when Run returns: the connector never
		// closes its sending side, so errSendClosed would misname the cause.
		return streamEnded(c.r.ctx)
	}
	return nil
}

func (c destinationRunConnectorEnd) Recv() (DestinationRunRequest, error) {
	if c.r.streamCtx.Err() != nil {
		return DestinationRunRequest{}, streamEnded(c.r.ctx)
	}
	select {
	case rec := <-c.r.records:
		return rec, nil
	case <-c.r.sendClosed:
		select {
		case rec := <-c.r.records:
			return rec, nil
		default:
			return DestinationRunRequest{}, io.EOF
		}
	case <-c.r.streamCtx.Done():
		return DestinationRunRequest{}, streamEnded(c.r.ctx)
	}
}

// streamEnded is the error of a connector-side Send or Recv once the
// stream's context ended: the host's context error if the host cancelled,
// errRunEnded if Run has returned.
func streamEnded(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errRunEnded
}

func endOfRun(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// queue is an unbounded FIFO with one consumer, used for acks.
type queue[T any] struct {
	mu     sync.Mutex
	items  []T
	closed bool
	notify chan struct{} // holds a token when items or closed changed
}

func newQueue[T any]() *queue[T] {
	return &queue[T]{notify: make(chan struct{}, 1)}
}

func (q *queue[T]) push(v T) error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return errSendClosed
	}
	q.items = append(q.items, v)
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *queue[T]) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.signal()
}

func (q *queue[T]) signal() {
	select {
	case q.notify <- struct{}{}:
	default:
	}
}

// pop returns the oldest item, io.EOF once the queue is closed and empty, or
// ctx's error.
func (q *queue[T]) pop(ctx context.Context) (T, error) {
	var zero T
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			v := q.items[0]
			q.items[0] = zero
			q.items = q.items[1:]
			q.mu.Unlock()
			return v, nil
		}
		closed := q.closed
		q.mu.Unlock()
		if closed {
			return zero, io.EOF
		}
		select {
		case <-q.notify:
		case <-ctx.Done():
			return zero, ctx.Err()
		}
	}
}
