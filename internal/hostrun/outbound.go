package hostrun

import (
	"io"
	"sync"
	"sync/atomic"

	"github.com/connectorkit/conduit-connector-protocol/internal/rules"
)

// outbound is what both engines do with what the host sends (acks to a
// source, records to a destination): check each element in order, under
// the engine's lock, send those before the first that breaks a rule, and
// refuse that one (the stream stays open: it is the host's own mistake).
type outbound[T any] struct {
	run         *runEnd
	mu          *sync.Mutex          // the engine's lock, which guards what checkLocked reads and writes
	checkLocked func(T) *rules.Error // checks one element and records it, or refuses it; called with mu held
	send        func([]T) error      // the transport's Send
	sendOne     func(T) error        // the transport's SendOne, if it carries one element per message
	closeSend   func() error         // the transport's CloseSend
	one         [1]T                 // SendOne's batch of one for any other transport
	closedSend  atomic.Bool          // CloseSend was called
}

// Send sends elements to the connector, in order. It returns ctx's error
// once the host cancelled the Run, and io.EOF if the stream has ended (Recv
// then reports why). An element that breaks the protocol's rules is refused
// with a rules.Error, and neither it nor those after it are sent; those
// before it are. Send does not keep the slice after it returns.
func (out *outbound[T]) Send(batch []T) error {
	if err := out.run.sendable(out.closedSend.Load()); err != nil {
		return err
	}
	n, refusal := out.checkAll(batch)
	if n > 0 {
		if err := out.send(batch[:n]); err != nil {
			return err
		}
	}
	return refusal
}

// checkAll checks the elements in order and returns how many keep to the
// rules, and the refusal of the next one (io.EOF once a violation of the
// connector's ended the stream), if any.
func (out *outbound[T]) checkAll(batch []T) (int, error) {
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.run.violation.Load() != nil {
		return 0, io.EOF
	}
	for i, el := range batch {
		if refusal := out.checkLocked(el); refusal != nil {
			return i, refusal
		}
	}
	return len(batch), nil
}

// SendOne is Send for one element, for the API that sends them one at a
// time (cpluginv1's): through the transport's SendOne where it has one.
func (out *outbound[T]) SendOne(el T) error {
	if err := out.run.sendable(out.closedSend.Load()); err != nil {
		return err
	}
	if err := out.checkSingle(el); err != nil {
		return err
	}
	if out.sendOne != nil {
		return out.sendOne(el)
	}
	out.one[0] = el
	err := out.send(out.one[:])
	var zero T
	out.one[0] = zero
	return err
}

// checkSingle is checkAll for one element.
func (out *outbound[T]) checkSingle(el T) error {
	out.mu.Lock()
	defer out.mu.Unlock()
	if out.run.violation.Load() != nil {
		return io.EOF
	}
	if refusal := out.checkLocked(el); refusal != nil {
		return refusal
	}
	return nil
}

// CloseSend tells the connector that nothing more follows from the host.
func (out *outbound[T]) CloseSend() error {
	out.closedSend.Store(true)
	return out.closeSend()
}
