package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/internal/cerrors"
)

// runPumped is the body of a Run call, the same for a source and a
// destination: it opens the gRPC stream with open, starts pumpHost to copy
// the host's messages to it, and hands each message from the connector to
// deliver until the stream ends. The messages are decoded by the codec
// (package wire) straight into M, a cpluginv1 type, in one value per
// stream.
func runPumped[S interface{ RecvMsg(any) error }, M any](
	ctx context.Context,
	open func(context.Context) (S, error),
	pumpHost func(*pump, S),
	deliver func(M) error,
) error {
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	grpcStream, err := open(ctx)
	if err != nil {
		return cerrors.FromStatus(err)
	}

	p := &pump{parent: parent, cancel: cancel}
	_, p.sourceRun = any((*M)(nil)).(*cpluginv1.SourceRunResponse)
	go pumpHost(p, grpcStream)

	msg := new(M)
	for {
		if err := grpcStream.RecvMsg(msg); err != nil {
			return p.result(err)
		}
		if err := deliver(*msg); err != nil {
			return err
		}
	}
}

// pump is the goroutine of a Run that copies the host's messages (acks or
// records) to the gRPC stream. It remembers why it failed, so that Run can
// return that reason instead of the cancellation or stream failure it
// caused.
type pump struct {
	parent context.Context // Run's context: its end is not the pump's failure
	cancel context.CancelFunc

	// sourceRun is true on a source's Run, where records flow from the
	// connector to the host, and false on a destination's: it tells which
	// size limit a message over one broke.
	sourceRun bool

	// mu is held while the pump sends on the gRPC stream, so that Run,
	// which takes it once the stream failed, sees the error of a Send that
	// made the stream fail (a message over the size limit): gRPC ends the
	// stream inside that Send, before the Send returns.
	mu  sync.Mutex
	err error
}

// send sends one message with sendMsg. It returns false if the pump must
// stop: the stream ended (Run learns why from Recv) or the send failed.
func (p *pump) send(op string, sendMsg func() error) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := sendMsg()
	if err == nil {
		return true
	}
	if !errors.Is(err, io.EOF) {
		// The host's own limit (or transport) refused the message.
		p.err = cerrors.TooLarge(err, p.hostSends(), cerrors.HostSend)
		if p.err == nil {
			p.err = fmt.Errorf("%s: %w", op, cerrors.FromStatus(err))
		}
		p.cancel()
	}
	return false
}

// fail records that the pump could not go on (the host's stream failed or a
// record could not be converted) and ends the gRPC stream.
func (p *pump) fail(err error) {
	if p.parent.Err() != nil {
		// The host cancelled the Run: gRPC reports that as well.
		return
	}
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
	p.cancel()
}

// result returns Run's result once the gRPC stream's Recv failed with
// recvErr: the pump's error if the pump failed first, nil at the
// connector's normal end (io.EOF), and the connector's or transport's
// error otherwise.
func (p *pump) result(recvErr error) error {
	p.mu.Lock()
	err := p.err
	p.mu.Unlock()
	if err != nil {
		return err
	}
	if errors.Is(recvErr, io.EOF) {
		return nil
	}
	if tooLarge := p.tooLarge(recvErr); tooLarge != nil {
		return tooLarge
	}
	return cerrors.FromStatus(recvErr)
}

// hostSends names the messages the host sends on the Run.
func (p *pump) hostSends() string {
	if p.sourceRun {
		return "ack"
	}
	return "record"
}

// tooLarge rewords gRPC's error for a message over a size limit that ended
// the stream, naming the limit (see cerrors.TooLarge), or returns nil. The
// host's own send limit fails the pump's Send instead (see send). When the
// receiver refused the message, it is taken to be a record, refused by
// whoever receives records: an ack holds a position (and a destination's
// an error text), so in practice it is not the message too large.
func (p *pump) tooLarge(recvErr error) error {
	sent, ok := cerrors.SizeLimitSent(recvErr)
	switch {
	case !ok:
		return nil
	case sent && p.sourceRun:
		return cerrors.TooLarge(recvErr, "record", cerrors.ConnectorSend)
	case sent:
		return cerrors.TooLarge(recvErr, "ack", cerrors.ConnectorSend)
	case p.sourceRun:
		return cerrors.TooLarge(recvErr, "record", cerrors.HostReceive)
	default:
		return cerrors.TooLarge(recvErr, "record", cerrors.ConnectorReceive)
	}
}
