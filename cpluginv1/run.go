package cpluginv1

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/positions"
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
// It holds both sides to the protocol's rules for records and acks, with a
// [ContractError]:
//
//   - Recv refuses a record that breaks the contract's rules (an empty
//     position; an operation other than create, update, delete and
//     snapshot), with an error wrapping ErrInvalidArgument, and a record that
//     comes after the record at the position [SourceRun.Stop] returned, with
//     an error wrapping ErrFailedPrecondition. Either ends the stream: the
//     connector's Run context is cancelled, and Recv and Wait return the
//     error from then on.
//   - Send refuses an ack that is out of order, for a position the host has
//     not received, or for a record acked already, with an error wrapping
//     ErrFailedPrecondition, and an empty ack position with one wrapping
//     ErrInvalidArgument. The ack is not sent and the stream stays open:
//     these are the host's own mistakes.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send. Stop may be called from any goroutine.
type SourceRun struct {
	ctx        context.Context
	runCtx     context.Context    // the connector's Run context: ends with ctx or when the connector broke the contract
	endRun     context.CancelFunc // ends runCtx
	streamCtx  context.Context    // ends with runCtx or when Run returned; see errRunEnded
	plugin     SourcePlugin
	records    chan SourceRunResponse
	acks       *queue[SourceRunRequest]
	sendClosed sync.Once
	closedSend atomic.Bool // CloseSend was called
	done       chan struct{}
	err        error // the result of SourcePlugin.Run, set before done is closed
	violation  atomic.Pointer[ContractError]

	mu       sync.Mutex        // guards the fields below, which Recv, Send and Stop share
	received positions.Tracker // the records received, in order, and their acks
	stopped  bool              // Stop returned
	stopLast []byte            // the last position Stop returned
	reached  int               // the number of the record at stopLast once it arrived, else 0
}

// RunSource calls plugin.Run in a new goroutine and returns the host's end of
// the stream. The stream ends when Run returns: after the connector's last
// record, Recv returns io.EOF if Run returned nil and Run's error otherwise.
// Cancelling ctx ends the stream on both sides with context.Canceled.
func RunSource(ctx context.Context, plugin SourcePlugin) *SourceRun {
	runCtx, endRun := context.WithCancel(ctx)
	streamCtx, endStream := context.WithCancel(runCtx)
	r := &SourceRun{
		ctx:       ctx,
		runCtx:    runCtx,
		endRun:    endRun,
		streamCtx: streamCtx,
		plugin:    plugin,
		records:   make(chan SourceRunResponse, runBuffer),
		acks:      newQueue[SourceRunRequest](),
		done:      make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		defer endStream()
		r.err = plugin.Run(runCtx, sourceRunConnectorEnd{r})
	}()
	return r
}

// Recv waits for the next record from the connector. Once ctx ends it
// returns ctx's error without waiting for the connector's Run to notice. A
// record that breaks the protocol's rules ends the stream: see [SourceRun].
func (r *SourceRun) Recv() (SourceRunResponse, error) {
	if v := r.violation.Load(); v != nil {
		return SourceRunResponse{}, v
	}
	rec, err := r.recv()
	if err != nil {
		return SourceRunResponse{}, err
	}
	if err := r.accept(rec.Record); err != nil {
		return SourceRunResponse{}, err
	}
	return rec, nil
}

func (r *SourceRun) recv() (SourceRunResponse, error) {
	if r.runCtx.Err() == nil {
		// The common case, a record waiting, without the cost of the
		// select below.
		select {
		case rec := <-r.records:
			return rec, nil
		default:
		}
	}
	select {
	case rec := <-r.records:
		return rec, nil
	case <-r.runCtx.Done():
		if v := r.violation.Load(); v != nil {
			return SourceRunResponse{}, v
		}
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

// accept checks a record from the connector and remembers its position, or
// ends the stream if the record breaks the protocol's rules.
func (r *SourceRun) accept(rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if v := r.violation.Load(); v != nil {
		return v // Stop found a violation while this record was on its way
	}
	n := r.received.Sent() + 1
	if problem := recordProblem(rec); problem != "" {
		return r.fail(invalidArgument("record " + strconv.Itoa(n) + " from the source" + problem))
	}
	if r.stopped {
		switch {
		case len(r.stopLast) == 0:
			return r.fail(emptyStopPosition(n, rec.Position))
		case r.reached > 0:
			return r.fail(afterStopPosition(n, rec.Position, r.reached, r.stopLast))
		case bytes.Equal(rec.Position, r.stopLast):
			r.reached = n
		}
	}
	r.received.Push(rec.Position)
	return nil
}

// fail ends the stream because the connector broke the protocol's rules:
// Recv and Wait return v from now on, and the connector's Run context is
// cancelled. It returns the first violation. Called with r.mu held.
func (r *SourceRun) fail(v *ContractError) error {
	r.violation.CompareAndSwap(nil, v)
	r.endRun()
	return r.violation.Load()
}

// Send sends an ack to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read ack after Send has returned: do not modify it
// afterwards. An ack that breaks the protocol's rules is not sent: see
// [SourceRun].
func (r *SourceRun) Send(ack SourceRunRequest) error {
	if err := r.ctx.Err(); err != nil {
		// The host cancelled the Run: the ack would reach nobody.
		return err
	}
	select {
	case <-r.done:
		return io.EOF
	default:
	}
	if r.closedSend.Load() {
		return errSendClosed
	}
	if err := r.checkAck(ack.AckPosition); err != nil {
		return err
	}
	return r.acks.push(ack)
}

func (r *SourceRun) checkAck(position []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.violation.Load() != nil {
		return io.EOF
	}
	if len(position) == 0 {
		return invalidArgument(positions.EmptyAck)
	}
	res := r.received.Ack(position)
	if res.Verdict == positions.Expected {
		return nil
	}
	return failedPrecondition(positions.DescribeAck("ack for position "+positions.Format(position), res, &r.received, "the host received from the source"))
}

// Stop calls the connector's Stop and remembers the last position it
// returned, so that the stream holds the connector to it: a record after
// the one at that position (any record, if the position is empty, which
// says that the source has sent no record) ends the stream with an error
// wrapping ErrFailedPrecondition that names both positions. A host that
// calls SourcePlugin.Stop itself instead gets no such check.
//
// Stop returns the connector's response and error unchanged; a violation
// found when it returns (the host has already received a record after the
// last position) is reported by Recv and Wait, as one found later.
func (r *SourceRun) Stop(ctx context.Context) (SourceStopResponse, error) {
	resp, err := r.plugin.Stop(ctx, SourceStopRequest{})
	if err != nil {
		return resp, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = true
	r.stopLast = bytes.Clone(resp.LastPosition)
	n := r.received.Sent()
	if len(r.stopLast) == 0 {
		if n > 0 {
			newest, _ := r.received.Position(n)
			_ = r.fail(emptyStopPosition(n, newest)) // reported by Recv and Wait
		}
		return resp, nil
	}
	if k, ok := r.received.Find(r.stopLast); ok {
		r.reached = k
		if k < n {
			next, _ := r.received.Position(k + 1)
			_ = r.fail(afterStopPosition(k+1, next, k, r.stopLast)) // reported by Recv and Wait
		}
	}
	return resp, nil
}

// CloseSend tells the connector that no more acks follow: its Recv returns
// io.EOF, after which a well-behaved connector returns from Run.
func (r *SourceRun) CloseSend() error {
	r.closedSend.Store(true)
	r.sendClosed.Do(r.acks.close)
	return nil
}

// Done is closed when the connector's Run has returned.
func (r *SourceRun) Done() <-chan struct{} { return r.done }

// Wait waits for the connector's Run to return and returns its error, or
// the [ContractError] that ended the stream.
func (r *SourceRun) Wait() error {
	<-r.done
	if v := r.violation.Load(); v != nil {
		return v
	}
	return r.err
}

type sourceRunConnectorEnd struct{ r *SourceRun }

func (c sourceRunConnectorEnd) Send(rec SourceRunResponse) error {
	if c.r.streamCtx.Err() != nil {
		return streamEnded(c.r.runCtx)
	}
	select {
	case c.r.records <- rec: // the common case, room in the buffer
		return nil
	default:
	}
	select {
	case c.r.records <- rec:
		return nil
	case <-c.r.streamCtx.Done():
		return streamEnded(c.r.runCtx)
	}
}

func (c sourceRunConnectorEnd) Recv() (SourceRunRequest, error) {
	if c.r.streamCtx.Err() != nil {
		return SourceRunRequest{}, streamEnded(c.r.runCtx)
	}
	ack, err := c.r.acks.pop(c.r.streamCtx)
	if err != nil && !errors.Is(err, io.EOF) {
		return SourceRunRequest{}, streamEnded(c.r.runCtx)
	}
	return ack, err
}

// DestinationRun is the host's end of a destination Run stream, returned by
// [RunDestination]. It works the same for built-in and standalone connectors.
//
// It holds both sides to the protocol's rules for records and acks, with a
// [ContractError]:
//
//   - Send refuses a record that breaks the contract's rules (an empty
//     position; an operation other than create, update, delete and
//     snapshot) with an error wrapping ErrInvalidArgument. The record is not
//     sent and the stream stays open: it is the host's own mistake.
//   - Recv refuses an ack that is out of order, for a position the host has
//     not sent, or for a record acked already, with an error wrapping
//     ErrFailedPrecondition that names the ack's position and the one
//     expected, and an empty ack position with one wrapping
//     ErrInvalidArgument. Either ends the stream: the connector's Run
//     context is cancelled, and Recv and Wait return the error from then on.
//
// Recv and Send may be called from different goroutines at the same time;
// neither may be called from two goroutines at once, and CloseSend must not
// run concurrently with Send.
type DestinationRun struct {
	ctx         context.Context
	runCtx      context.Context    // the connector's Run context: ends with ctx or when the connector broke the contract
	endRun      context.CancelFunc // ends runCtx
	streamCtx   context.Context    // ends with runCtx or when Run returned; see errRunEnded
	records     chan DestinationRunRequest
	sendClosed  chan struct{}
	closeRecord sync.Once
	acks        *queue[DestinationRunResponse]
	done        chan struct{}
	err         error // the result of DestinationPlugin.Run, set before done is closed
	violation   atomic.Pointer[ContractError]

	mu   sync.Mutex        // guards sent, which Send and Recv share
	sent positions.Tracker // the records sent, in order, and their acks
}

// RunDestination calls plugin.Run in a new goroutine and returns the host's
// end of the stream. The stream ends when Run returns: after the connector's
// last ack, Recv returns io.EOF if Run returned nil and Run's error otherwise.
// Cancelling ctx ends the stream on both sides with context.Canceled.
func RunDestination(ctx context.Context, plugin DestinationPlugin) *DestinationRun {
	runCtx, endRun := context.WithCancel(ctx)
	streamCtx, endStream := context.WithCancel(runCtx)
	r := &DestinationRun{
		ctx:        ctx,
		runCtx:     runCtx,
		endRun:     endRun,
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
		r.err = plugin.Run(runCtx, destinationRunConnectorEnd{r})
	}()
	return r
}

// Send sends a record to the connector. It returns ctx's error once the host
// cancelled the Run, and io.EOF if the stream has ended (Recv then reports
// why). The transport may read rec after Send has returned: do not modify it
// afterwards. A record that breaks the protocol's rules is not sent: see
// [DestinationRun].
func (r *DestinationRun) Send(rec DestinationRunRequest) error {
	if err := r.ctx.Err(); err != nil {
		// The host cancelled the Run: without this check the select below
		// could still take the record while the buffer has room.
		return err
	}
	// Two selects of one case each cost less than one of two.
	select {
	case <-r.sendClosed:
		return errSendClosed
	default:
	}
	select {
	case <-r.done:
		// Checked first: with room in the buffer, the select below could
		// otherwise take a record nobody will receive.
		return io.EOF
	default:
	}
	if err := r.track(rec.Record); err != nil {
		return err
	}
	select {
	case r.records <- rec: // the common case, room in the buffer
		return nil
	default:
	}
	select {
	case r.records <- rec:
		return nil
	case <-r.done:
		return io.EOF
	case <-r.runCtx.Done():
		if r.violation.Load() != nil {
			return io.EOF
		}
		return r.ctx.Err()
	}
}

// track checks a record the host is about to send and remembers its
// position, before the record can reach the connector and be acked.
func (r *DestinationRun) track(rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.violation.Load() != nil {
		return io.EOF
	}
	if problem := recordProblem(rec); problem != "" {
		return invalidArgument("record " + strconv.Itoa(r.sent.Sent()+1) + " to the destination" + problem)
	}
	r.sent.Push(rec.Position)
	return nil
}

// Recv waits for the next ack from the connector. Once ctx ends it returns
// ctx's error without waiting for the connector's Run to notice. An ack
// that breaks the protocol's rules ends the stream: see [DestinationRun].
func (r *DestinationRun) Recv() (DestinationRunResponse, error) {
	if v := r.violation.Load(); v != nil {
		return DestinationRunResponse{}, v
	}
	ack, err := r.acks.pop(r.runCtx)
	if errors.Is(err, io.EOF) {
		<-r.done
		return DestinationRunResponse{}, endOfRun(r.err)
	}
	if err != nil {
		return DestinationRunResponse{}, r.ctx.Err()
	}
	if err := r.checkAck(ack.AckPosition); err != nil {
		return DestinationRunResponse{}, err
	}
	return ack, nil
}

func (r *DestinationRun) checkAck(position []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(position) == 0 {
		n := strconv.Itoa(r.sent.Acked() + 1)
		return r.fail(invalidArgument("ack " + n + " from the destination: " + positions.EmptyAck + positions.OldestNotAcked(&r.sent)))
	}
	res := r.sent.Ack(position)
	if res.Verdict == positions.Expected {
		return nil
	}
	// An ack other than the expected one changed nothing: the count is
	// still the one before it. (Formatted only now: the expected ack is the
	// hot path.)
	n := strconv.Itoa(r.sent.Acked() + 1)
	return r.fail(failedPrecondition(positions.DescribeAck("ack "+n+" from the destination, for position "+positions.Format(position)+",", res, &r.sent, "the host sent")))
}

// fail ends the stream because the connector broke the protocol's rules:
// Recv and Wait return v from now on, and the connector's Run context is
// cancelled. It returns the first violation. Called with r.mu held.
func (r *DestinationRun) fail(v *ContractError) error {
	r.violation.CompareAndSwap(nil, v)
	r.endRun()
	return r.violation.Load()
}

// CloseSend tells the connector that no more records follow: its Recv
// returns io.EOF once it has received the records already sent.
func (r *DestinationRun) CloseSend() error {
	r.closeRecord.Do(func() { close(r.sendClosed) })
	return nil
}

// Done is closed when the connector's Run has returned.
func (r *DestinationRun) Done() <-chan struct{} { return r.done }

// Wait waits for the connector's Run to return and returns its error, or
// the [ContractError] that ended the stream.
func (r *DestinationRun) Wait() error {
	<-r.done
	if v := r.violation.Load(); v != nil {
		return v
	}
	return r.err
}

type destinationRunConnectorEnd struct{ r *DestinationRun }

func (c destinationRunConnectorEnd) Send(ack DestinationRunResponse) error {
	if c.r.streamCtx.Err() != nil {
		return streamEnded(c.r.runCtx)
	}
	if err := c.r.acks.push(ack); err != nil {
		// The acks are closed only when Run returns: the connector never
		// closes its sending side, so errSendClosed would misname the cause.
		return streamEnded(c.r.runCtx)
	}
	return nil
}

func (c destinationRunConnectorEnd) Recv() (DestinationRunRequest, error) {
	if c.r.streamCtx.Err() != nil {
		return DestinationRunRequest{}, streamEnded(c.r.runCtx)
	}
	select {
	case rec := <-c.r.records: // the common case, a record waiting
		return rec, nil
	default:
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
		return DestinationRunRequest{}, streamEnded(c.r.runCtx)
	}
}

// ContractError is the error with which the host's end of a Run stream
// ([SourceRun], [DestinationRun]) refuses a message that breaks the
// protocol's rules for records and acks. Its message names the record or
// ack, the field or position at fault and what was expected. errors.Is
// reports ErrInvalidArgument for a message that breaks the contract's
// validation rules (an empty position, an undefined operation) and
// ErrFailedPrecondition for one that comes out of the protocol's order (an
// ack out of order, for a position never sent, or for a record acked
// already; a record after the last position Stop returned).
//
// From Recv (and Wait) it means that the connector broke the rule and the
// stream has ended; from Send, that the host did and its message was not
// sent.
type ContractError struct {
	msg      string
	sentinel error
}

// Error returns the message.
func (e *ContractError) Error() string { return e.msg }

// Unwrap returns ErrInvalidArgument or ErrFailedPrecondition.
func (e *ContractError) Unwrap() error { return e.sentinel }

func invalidArgument(msg string) *ContractError {
	return &ContractError{msg: msg, sentinel: ErrInvalidArgument}
}

func failedPrecondition(msg string) *ContractError {
	return &ContractError{msg: msg, sentinel: ErrFailedPrecondition}
}

// recordProblem returns what breaks the contract's rules for records in
// rec (see positions.RecordProblem), or "". The connector-side guard in
// cpluginv1/server checks the same rules, with the same words.
func recordProblem(rec Record) string {
	return positions.RecordProblem(rec.Position, int32(rec.Operation))
}

// afterStopPosition is the violation of record n at position, which came
// after record last at position stop, the last position Stop returned.
func afterStopPosition(n int, position []byte, last int, stop []byte) *ContractError {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came after record " + strconv.Itoa(last) + " (position " + positions.Format(stop) +
		"), the last position Stop returned; a source sends nothing after that record")
}

// emptyStopPosition is the violation of record n at position, received
// although Stop returned an empty last position.
func emptyStopPosition(n int, position []byte) *ContractError {
	return failedPrecondition("record " + strconv.Itoa(n) + " from the source (position " + positions.Format(position) +
		") came although Stop returned an empty last position, which says that the source has sent no record")
}

// streamEnded is the error of a connector-side Send or Recv once the
// stream's context ended: the Run context's error if the host cancelled or
// the stream ended because the connector broke the protocol's rules,
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
	mu sync.Mutex
	// items[head:] are queued. pop advances head rather than reslicing, so
	// that once the queue drains push appends into the same array again
	// instead of allocating a new one for every few acks.
	items  []T
	head   int
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
		if q.head < len(q.items) {
			v := q.items[q.head]
			q.items[q.head] = zero
			q.head++
			switch {
			case q.head == len(q.items):
				q.items, q.head = q.items[:0], 0
			case q.head >= 1024 && q.head > len(q.items)/2:
				// A queue that never drains: move what is left to the front.
				n := copy(q.items, q.items[q.head:])
				clear(q.items[n:])
				q.items, q.head = q.items[:n], 0
			}
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
