package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// These tests play a host that is not built on cpluginv1 (an older Conduit,
// a host in another language): they talk to the connector over raw gRPC,
// so they can send what cpluginv1's own host side refuses to send.

// guardTestContext bounds a test; a hang fails it with a message (see
// testwait.Context).
func guardTestContext(t *testing.T) context.Context {
	t.Helper()
	return testwait.Context(t, 10*time.Second)
}

// dialConnector serves conn in the test's process and returns a gRPC
// connection to it.
func dialConnector(t *testing.T, conn Connector) *grpc.ClientConn {
	t.Helper()
	srv, err := NewGRPCServer(conn)
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	listener := bufconn.Listen(1 << 20)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	cc, err := grpc.NewClient("passthrough:///connector",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return listener.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
	)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() {
		_ = cc.Close()
		srv.Stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return cc
}

// receive returns the next value of ch, or fails the test when ctx ends.
func receive[T any](ctx context.Context, t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	return testwait.Receive(ctx, t, ch, what)
}

// connectorView is what the test connector's Run saw after the host broke
// a rule.
type connectorView struct {
	recvErr error // the stream's Recv
	sendErr error // a Send after that (source only)
	ctxErr  error // the Run context, once it ended
}

// guardedSource sends records pos-1 to pos-n, receives acks until Recv
// fails, tries one more Send, waits for its context to end and reports all
// that on seen. Its Run then returns nil, which must not hide the host's
// fault.
type guardedSource struct {
	cpluginv1.UnimplementedSourcePlugin
	n    int
	seen chan connectorView
}

func (s guardedSource) Run(ctx context.Context, stream cpluginv1.SourceRunStream) error {
	for i := 1; i <= s.n; i++ {
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: testRecord(i)}); err != nil {
			return err
		}
	}
	var view connectorView
	for {
		if _, view.recvErr = stream.Recv(); view.recvErr != nil {
			break
		}
	}
	if errors.Is(view.recvErr, io.EOF) {
		return nil // the host closed the stream: a normal end
	}
	view.sendErr = stream.Send(cpluginv1.SourceRunResponse{Record: testRecord(s.n + 1)})
	<-ctx.Done()
	view.ctxErr = ctx.Err()
	s.seen <- view
	return nil
}

func testRecord(i int) cpluginv1.Record {
	return cpluginv1.Record{Position: fmt.Appendf(nil, "pos-%d", i), Operation: cpluginv1.OperationCreate}
}

// checkRefusal checks that err (an error the connector saw) wraps sentinel
// and has the message want.
func checkRefusal(t *testing.T, what string, err error, want string, sentinel error) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Errorf("%s = %v, want an error wrapping %v", what, err, sentinel)
	}
	if err == nil || err.Error() != want {
		t.Errorf("%s: message\n%v, want\n%q", what, err, want)
	}
}

// checkStatus checks that the host's end of the gRPC stream ended with
// status code and message want.
func checkStatus(t *testing.T, err error, code codes.Code, want string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok || st.Code() != code || st.Message() != want {
		t.Errorf("the Run call ended with %v, want status %v with message\n%q", err, code, want)
	}
}

// testSourceConnectorRejectsAck plays a host that receives the connector's
// three records, sends good acks for the first acked ones and then bad.
// The connector must refuse it: its Recv and Send fail, its Run context
// ends, and the Run call ends with code and message want.
func testSourceConnectorRejectsAck(t *testing.T, acked int, bad []byte, code codes.Code, sentinel error, want string) {
	t.Helper()
	ctx := guardTestContext(t)
	seen := make(chan connectorView, 1)
	cc := dialConnector(t, Connector{Source: guardedSource{n: 3, seen: seen}})
	stream, err := connectorv1.NewSourcePluginClient(cc).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 1; i <= 2; i++ {
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("Recv record %d: %v", i, err)
		}
	}
	for i := 1; i <= acked; i++ {
		if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: fmt.Appendf(nil, "pos-%d", i)}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: bad}); err != nil {
		t.Fatalf("Send the bad ack: %v", err)
	}

	view := receive(ctx, t, seen, "the connector's Run to see the refusal")
	checkRefusal(t, "the connector's Recv", view.recvErr, want, sentinel)
	checkRefusal(t, "the connector's Send after the refusal", view.sendErr, want, sentinel)
	if !errors.Is(view.ctxErr, context.Canceled) {
		t.Errorf("the connector's Run context ended with %v, want context.Canceled", view.ctxErr)
	}
	for {
		msg, err := stream.Recv()
		if err == nil {
			if got := string(msg.GetRecord().GetPosition()); got != "pos-3" {
				t.Errorf("after the bad ack the host received record %q; only pos-3, sent before, may still arrive", got)
			}
			continue
		}
		checkStatus(t, err, code, want)
		break
	}
}

const (
	oldest1 = `: the oldest record not acked yet is record 1 (position "pos-1")`
	oldest2 = `: the oldest record not acked yet is record 2 (position "pos-2")`
)

func TestSourceConnectorRejectsAckOutOfOrder(t *testing.T) {
	testSourceConnectorRejectsAck(t, 0, []byte("pos-2"), codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 1 from the host, for position "pos-2", is out of order (it names record 2)`+oldest1+"; acks follow the order of the records")
}

func TestSourceConnectorRejectsAckNeverSent(t *testing.T) {
	testSourceConnectorRejectsAck(t, 1, []byte("pos-9"), codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 2 from the host, for position "pos-9", names no record the connector sent`+oldest2)
}

func TestSourceConnectorRejectsDuplicateAck(t *testing.T) {
	testSourceConnectorRejectsAck(t, 1, []byte("pos-1"), codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 2 from the host, for position "pos-1", repeats the ack of record 1`+oldest2)
}

func TestSourceConnectorRejectsEmptyAck(t *testing.T) {
	testSourceConnectorRejectsAck(t, 0, nil, codes.InvalidArgument, cpluginv1.ErrInvalidArgument,
		"ack 1 from the host: ack_position is empty; an ack names the record it acknowledges by the record's position"+oldest1)
}

// A host that acks in order, as old Conduit hosts do, is not disturbed.
func TestSourceConnectorAcceptsAcksInOrder(t *testing.T) {
	ctx := guardTestContext(t)
	cc := dialConnector(t, Connector{Source: guardedSource{n: 3, seen: make(chan connectorView, 1)}})
	stream, err := connectorv1.NewSourcePluginClient(cc).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 1; i <= 3; i++ {
		msg, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv record %d: %v", i, err)
		}
		if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: msg.GetRecord().GetPosition()}); err != nil {
			t.Fatalf("Send ack %d: %v", i, err)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if msg, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after CloseSend = (%v, %v), want io.EOF: the Run ends normally", msg, err)
	}
}

// guardedDestination acks every record it receives until Recv fails,
// waits for its context to end and reports what it saw. Its Run then
// returns nil, which must not hide the host's fault.
type guardedDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	seen chan connectorView
}

func (d guardedDestination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	var view connectorView
	for {
		var req cpluginv1.DestinationRunRequest
		if req, view.recvErr = stream.Recv(); view.recvErr != nil {
			break
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
	}
	if errors.Is(view.recvErr, io.EOF) {
		return nil
	}
	<-ctx.Done()
	view.ctxErr = ctx.Err()
	d.seen <- view
	return nil
}

// testDestinationConnectorRejectsRecord plays a host that sends a good
// record and then bad. The connector must refuse it: its Recv fails, its
// Run context ends, and the Run call ends with INVALID_ARGUMENT and want.
func testDestinationConnectorRejectsRecord(t *testing.T, bad *opencdcv1.Record, want string) {
	t.Helper()
	ctx := guardTestContext(t)
	seen := make(chan connectorView, 1)
	cc := dialConnector(t, Connector{Destination: guardedDestination{seen: seen}})
	stream, err := connectorv1.NewDestinationPluginClient(cc).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	good := &opencdcv1.Record{Position: []byte("pos-1"), Operation: opencdcv1.Operation_OPERATION_CREATE}
	for _, rec := range []*opencdcv1.Record{good, bad} {
		if err := stream.Send(&connectorv1.Destination_Run_Request{Record: rec}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	if ack, err := stream.Recv(); err != nil || string(ack.GetAckPosition()) != "pos-1" {
		t.Fatalf("Recv = (%v, %v), want the ack of pos-1", ack, err)
	}
	view := receive(ctx, t, seen, "the connector's Run to see the refusal")
	checkRefusal(t, "the connector's Recv", view.recvErr, want, cpluginv1.ErrInvalidArgument)
	if !errors.Is(view.ctxErr, context.Canceled) {
		t.Errorf("the connector's Run context ended with %v, want context.Canceled", view.ctxErr)
	}
	ack, err := stream.Recv()
	if err == nil {
		t.Fatalf("Recv after the bad record = ack %q, want the end of the Run call", ack.GetAckPosition())
	}
	checkStatus(t, err, codes.InvalidArgument, want)
}

func TestDestinationConnectorRejectsRecordWithoutPosition(t *testing.T) {
	testDestinationConnectorRejectsRecord(t, &opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_DELETE},
		"record 2 from the host: position is empty; every record needs one, as acks name records by their position")
}

// A Run message without its required record arrives as an empty record.
func TestDestinationConnectorRejectsMissingRecord(t *testing.T) {
	testDestinationConnectorRejectsRecord(t, nil,
		"record 2 from the host: position is empty; every record needs one, as acks name records by their position")
}

func TestDestinationConnectorRejectsRecordWithUndefinedOperation(t *testing.T) {
	for _, op := range []opencdcv1.Operation{opencdcv1.Operation_OPERATION_UNSPECIFIED, 5} {
		t.Run(op.String(), func(t *testing.T) {
			testDestinationConnectorRejectsRecord(t, &opencdcv1.Record{Position: []byte("pos-2"), Operation: op},
				fmt.Sprintf(`record 2 from the host (position "pos-2"): operation is %d, want create (1), update (2), delete (3) or snapshot (4)`, op))
		})
	}
}
