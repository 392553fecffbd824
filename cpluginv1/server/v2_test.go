package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// These tests play a host of protocol v2 over raw gRPC (as the Conduit
// server is), so that they can send batches of any shape.

// TestServeNegotiatesProtocolVersion runs what Serve runs, in the test's
// process, for hosts that list different protocol versions in
// PLUGIN_PROTOCOL_VERSIONS: the connector serves the highest version it
// shares with the host (the lowest it serves for a host that lists none),
// only that version's services, and logs the version at debug level.
func TestServeNegotiatesProtocolVersion(t *testing.T) {
	for _, tt := range []struct {
		name   string
		listed string // PLUGIN_PROTOCOL_VERSIONS; "" unset
		opts   []Option
		want   int
	}{
		{"host lists 1 and 2", "1,2", nil, 2},
		{"host lists 2 and 1", "2,1", nil, 2},
		{"host lists 1", "1", nil, 1},
		{"host lists none", "", nil, 1},
		{"connector serves only 1", "1,2", []Option{WithProtocolVersions(ProtocolVersion1)}, 1},
		{"connector serves only 2", "2", []Option{WithProtocolVersions(ProtocolVersion2)}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// go-plugin reads the variable from the process's environment.
			t.Setenv("PLUGIN_PROTOCOL_VERSIONS", tt.listed)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			env := map[string]string{EnvLogLevel: "debug"}
			var stderr lockedBuffer
			reattach := make(chan *plugin.ReattachConfig, 1)
			closed := make(chan struct{})
			served := make(chan error, 1)
			spec := specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) {
				return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{Name: "negotiated"}}, nil
			})
			go func() {
				served <- serve(Connector{Specifier: spec}, tt.opts, func(k string) string { return env[k] }, &stderr,
					&plugin.ServeTestConfig{Context: ctx, ReattachConfigCh: reattach, CloseCh: closed})
			}()
			var rc *plugin.ReattachConfig
			select {
			case rc = <-reattach:
			case err := <-served:
				t.Fatalf("serve returned before serving: %v", err)
			case <-ctx.Done():
				t.Fatalf("waiting for the server to start: %v", ctx.Err())
			}
			defer func() {
				cancel()
				<-closed
				if err := <-served; err != nil {
					t.Errorf("serve = %v, want nil", err)
				}
			}()
			if rc.ProtocolVersion != tt.want {
				t.Errorf("negotiated protocol version %d, want %d", rc.ProtocolVersion, tt.want)
			}
			conn, err := grpc.NewClient("passthrough:///connector",
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
					var d net.Dialer
					return d.DialContext(ctx, rc.Addr.Network(), rc.Addr.String())
				}),
				grpc.WithTransportCredentials(insecure.NewCredentials()),
			)
			if err != nil {
				t.Fatalf("grpc.NewClient: %v", err)
			}
			defer func() { _ = conn.Close() }()

			v1, err1 := connectorv1.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv1.Specifier_Specify_Request{})
			v2, err2 := connectorv2.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv2.Specifier_Specify_Request{})
			if tt.want == 2 {
				if err2 != nil || v2.GetSpecification().GetName() != "negotiated" {
					t.Errorf("v2 Specify = %v, %v; want the connector's name", v2, err2)
				}
				if status.Code(err1) != codes.Unimplemented {
					t.Errorf("v1 Specify = %v, %v; want UNIMPLEMENTED: only the negotiated version is served", v1, err1)
				}
			} else {
				if err1 != nil || v1.GetName() != "negotiated" {
					t.Errorf("v1 Specify = %v, %v; want the connector's name", v1, err1)
				}
				if status.Code(err2) != codes.Unimplemented {
					t.Errorf("v2 Specify = %v, %v; want UNIMPLEMENTED: only the negotiated version is served", v2, err2)
				}
			}
			want := fmt.Sprintf(`"@message":"serving connector protocol","protocol_version":%d`, tt.want)
			if got := strings.Count(stderr.String(), `"serving connector protocol"`); got != 1 || !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr holds %d lines about the protocol served, want one holding %s:\n%s", got, want, stderr.String())
			}
		})
	}
}

func TestWithProtocolVersionsRefusesUnknownVersions(t *testing.T) {
	for _, versions := range [][]int{nil, {0}, {1, 3}} {
		if _, err := NewGRPCServer(Connector{}, WithProtocolVersions(versions...)); err == nil {
			t.Errorf("NewGRPCServer with protocol versions %v succeeded, want an error", versions)
		}
	}
}

// NewGRPCServer serves the versions of WithProtocolVersions only.
func TestNewGRPCServerServesTheVersionsGiven(t *testing.T) {
	ctx := guardTestContext(t)
	for _, tt := range []struct {
		versions []int
		v1, v2   codes.Code
	}{
		{nil, codes.OK, codes.OK},
		{[]int{1}, codes.OK, codes.Unimplemented},
		{[]int{2}, codes.Unimplemented, codes.OK},
		{[]int{2, 1, 2}, codes.OK, codes.OK},
	} {
		var opts []Option
		if tt.versions != nil {
			opts = append(opts, WithProtocolVersions(tt.versions...))
		}
		s, err := NewGRPCServer(Connector{Specifier: specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) {
			return cpluginv1.SpecifierSpecifyResponse{}, nil
		})}, opts...)
		if err != nil {
			t.Fatalf("NewGRPCServer: %v", err)
		}
		conn := serveBufconn(t, s)
		_, err1 := connectorv1.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv1.Specifier_Specify_Request{})
		_, err2 := connectorv2.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv2.Specifier_Specify_Request{})
		if status.Code(err1) != tt.v1 || status.Code(err2) != tt.v2 {
			t.Errorf("versions %v: v1 Specify = %v, v2 Specify = %v; want %v and %v", tt.versions, err1, err2, tt.v1, tt.v2)
		}
	}
}

// The specification of protocol v2 has no required flag: it becomes a
// validation of type required, unless the parameter has one already.
func TestSpecifyV2(t *testing.T) {
	ctx := guardTestContext(t)
	spec := cpluginv1.Specification{
		Name: "spec", Summary: "s", Description: "d", Version: "v1.0.0", Author: "a",
		SourceParams: map[string]cpluginv1.Parameter{
			"flag-only": {
				Required: true, Type: cpluginv1.ParameterTypeInt, Default: "1", Description: "x",
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}},
			},
			"both":       {Required: true, Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
			"validation": {Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
			"flag-alone": {Required: true},
			"optional":   {Type: cpluginv1.ParameterTypeDuration},
		},
		DestinationParams: map[string]cpluginv1.Parameter{"path": {Type: cpluginv1.ParameterTypeFile}},
	}
	conn := dialConnector(t, Connector{Specifier: specFunc(func() (cpluginv1.SpecifierSpecifyResponse, error) {
		return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
	})})
	resp, err := connectorv2.NewSpecifierPluginClient(conn).Specify(ctx, &connectorv2.Specifier_Specify_Request{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	got := resp.GetSpecification()
	if got.GetName() != "spec" || got.GetSummary() != "s" || got.GetDescription() != "d" || got.GetVersion() != "v1.0.0" || got.GetAuthor() != "a" {
		t.Errorf("specification = %v, want the connector's", got)
	}
	required := &configv1.Validation{Type: configv1.Validation_TYPE_REQUIRED}
	want := map[string][]*configv1.Validation{
		"flag-only":  {{Type: configv1.Validation_TYPE_GREATER_THAN, Value: "0"}, required},
		"both":       {required},
		"validation": {required},
		"flag-alone": {required},
		"optional":   nil,
	}
	for name, validations := range want {
		p := got.GetSourceParams()[name]
		if p == nil {
			t.Errorf("parameter %q is missing", name)
			continue
		}
		if fmt.Sprint(p.GetValidations()) != fmt.Sprint(validations) {
			t.Errorf("parameter %q has validations %v, want %v", name, p.GetValidations(), validations)
		}
	}
	if p := got.GetSourceParams()["flag-only"]; p.GetType() != configv1.Parameter_TYPE_INT || p.GetDefault() != "1" || p.GetDescription() != "x" {
		t.Errorf("parameter flag-only = %v, want type int, default 1, description x", p)
	}
	if p := got.GetDestinationParams()["path"]; p.GetType() != configv1.Parameter_TYPE_FILE {
		t.Errorf("destination parameter path = %v, want type file", p)
	}
}

// recordingSource sends records pos-1 to pos-n, each with one Send, then
// hands every ack it receives to acks until Recv fails, which it reports
// on ended.
type recordingSource struct {
	cpluginv1.UnimplementedSourcePlugin
	n     int
	start chan []byte // the position Start got
	acks  chan []byte
	ended chan error
}

func (s recordingSource) Start(_ context.Context, req cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	s.start <- req.Position
	return cpluginv1.SourceStartResponse{}, nil
}

func (s recordingSource) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	for i := 1; i <= s.n; i++ {
		if err := stream.Send(cpluginv1.SourceRunResponse{Record: testRecord(i)}); err != nil {
			return err
		}
	}
	for {
		req, err := stream.Recv()
		if err != nil {
			s.ended <- err
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		s.acks <- req.AckPosition
	}
}

// A v2 host's batch of acks reaches the connector one ack per Recv, in
// order; an empty batch means nothing; every record travels in a message
// of its own; Open is Start.
func TestSourceV2UnbatchesAcks(t *testing.T) {
	ctx := guardTestContext(t)
	src := recordingSource{n: 5, start: make(chan []byte, 1), acks: make(chan []byte, 5), ended: make(chan error, 1)}
	conn := dialConnector(t, Connector{Source: src})
	client := connectorv2.NewSourcePluginClient(conn)
	if _, err := client.Open(ctx, &connectorv2.Source_Open_Request{Position: []byte("resume-here")}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := receive(ctx, t, src.start, "Start"); string(got) != "resume-here" {
		t.Errorf("Start got position %q, want the one Open carried", got)
	}
	stream, err := client.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 1; i <= 5; i++ {
		msg, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv message %d: %v", i, err)
		}
		if len(msg.GetRecords()) != 1 || string(msg.GetRecords()[0].GetPosition()) != fmt.Sprintf("pos-%d", i) {
			t.Fatalf("message %d holds %v, want record pos-%d alone", i, msg.GetRecords(), i)
		}
	}
	for _, batch := range [][][]byte{{}, {[]byte("pos-1"), []byte("pos-2"), []byte("pos-3")}, nil, {[]byte("pos-4"), []byte("pos-5")}} {
		if err := stream.Send(&connectorv2.Source_Run_Request{AckPositions: batch}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	for i := 1; i <= 5; i++ {
		if got := receive(ctx, t, src.acks, "an ack"); string(got) != fmt.Sprintf("pos-%d", i) {
			t.Fatalf("ack %d = %q, want pos-%d", i, got, i)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if err := receive(ctx, t, src.ended, "the end of the connector's Run"); !errors.Is(err, io.EOF) {
		t.Errorf("the connector's Recv after CloseSend = %v, want io.EOF", err)
	}
	if msg, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after CloseSend = (%v, %v), want io.EOF: the Run ends normally", msg, err)
	}
}

// testSourceV2RejectsAck plays a v2 host that receives the connector's
// three records and acks them in the batches given; the connector must
// refuse the bad ack as it does on v1, naming the element.
func testSourceV2RejectsAck(t *testing.T, batches [][][]byte, code codes.Code, sentinel error, want string) {
	t.Helper()
	ctx := guardTestContext(t)
	seen := make(chan connectorView, 1)
	cc := dialConnector(t, Connector{Source: guardedSource{n: 3, seen: seen}})
	stream, err := connectorv2.NewSourcePluginClient(cc).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	for i := 1; i <= 3; i++ {
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("Recv record %d: %v", i, err)
		}
	}
	for _, batch := range batches {
		if err := stream.Send(&connectorv2.Source_Run_Request{AckPositions: batch}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	view := receive(ctx, t, seen, "the connector's Run to see the refusal")
	checkRefusal(t, "the connector's Recv", view.recvErr, want, sentinel)
	checkRefusal(t, "the connector's Send after the refusal", view.sendErr, want, sentinel)
	if !errors.Is(view.ctxErr, context.Canceled) {
		t.Errorf("the connector's Run context ended with %v, want context.Canceled", view.ctxErr)
	}
	_, err = stream.Recv()
	checkStatus(t, err, code, want)
}

func TestSourceV2RejectsAckOutOfOrder(t *testing.T) {
	testSourceV2RejectsAck(t, [][][]byte{{[]byte("pos-1"), []byte("pos-3")}}, codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 2 from the host in ack_positions[1] of Run request 1, for position "pos-3", is out of order (it names record 3)`+oldest2+"; acks follow the order of the records")
}

func TestSourceV2RejectsAckNeverSent(t *testing.T) {
	testSourceV2RejectsAck(t, [][][]byte{{[]byte("pos-1")}, nil, {[]byte("pos-2"), []byte("pos-9")}}, codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 3 from the host in ack_positions[1] of Run request 3, for position "pos-9", names no record the connector sent`+
			`: the oldest record not acked yet is record 3 (position "pos-3")`)
}

func TestSourceV2RejectsDuplicateAck(t *testing.T) {
	testSourceV2RejectsAck(t, [][][]byte{{[]byte("pos-1"), []byte("pos-1")}}, codes.FailedPrecondition, cpluginv1.ErrFailedPrecondition,
		`ack 2 from the host in ack_positions[1] of Run request 1, for position "pos-1", repeats the ack of record 1`+oldest2)
}

func TestSourceV2RejectsEmptyAck(t *testing.T) {
	testSourceV2RejectsAck(t, [][][]byte{{}, {nil}}, codes.InvalidArgument, cpluginv1.ErrInvalidArgument,
		"ack 1 from the host in ack_positions[0] of Run request 2: the position is empty; an ack names the record it acknowledges by the record's position"+oldest1)
}

// A v2 host's batches of records reach the connector one record per Recv,
// in order (an empty batch means nothing), and every ack travels in a
// message of its own.
func TestDestinationV2UnbatchesRecords(t *testing.T) {
	ctx := guardTestContext(t)
	cc := dialConnector(t, Connector{Destination: guardedDestination{seen: make(chan connectorView, 1)}})
	stream, err := connectorv2.NewDestinationPluginClient(cc).Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	rec := func(i int) *opencdcv1.Record {
		return &opencdcv1.Record{Position: fmt.Appendf(nil, "pos-%d", i), Operation: opencdcv1.Operation_OPERATION_UPDATE}
	}
	for _, batch := range [][]*opencdcv1.Record{{rec(1), rec(2), rec(3)}, {}, {rec(4), rec(5)}} {
		if err := stream.Send(&connectorv2.Destination_Run_Request{Records: batch}); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	for i := 1; i <= 5; i++ {
		msg, err := stream.Recv()
		if err != nil {
			t.Fatalf("Recv message %d: %v", i, err)
		}
		if len(msg.GetAcks()) != 1 || string(msg.GetAcks()[0].GetPosition()) != fmt.Sprintf("pos-%d", i) || msg.GetAcks()[0].GetError() != "" {
			t.Fatalf("message %d holds %v, want the ack of pos-%d alone", i, msg.GetAcks(), i)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatalf("CloseSend: %v", err)
	}
	if msg, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("Recv after CloseSend = (%v, %v), want io.EOF", msg, err)
	}
}

// A bad record in a v2 batch is refused as on v1, naming the element.
func TestDestinationV2RejectsRecord(t *testing.T) {
	for _, tt := range []struct {
		name string
		bad  *opencdcv1.Record
		want string
	}{
		{
			"no position", &opencdcv1.Record{Operation: opencdcv1.Operation_OPERATION_DELETE},
			"record 2 from the host in records[1] of Run request 1: position is empty; every record needs one, as acks name records by their position",
		},
		{
			"undefined operation", &opencdcv1.Record{Position: []byte("pos-2")},
			`record 2 from the host in records[1] of Run request 1 (position "pos-2"): operation is 0, want create (1), update (2), delete (3) or snapshot (4)`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := guardTestContext(t)
			seen := make(chan connectorView, 1)
			cc := dialConnector(t, Connector{Destination: guardedDestination{seen: seen}})
			stream, err := connectorv2.NewDestinationPluginClient(cc).Run(ctx)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			good := &opencdcv1.Record{Position: []byte("pos-1"), Operation: opencdcv1.Operation_OPERATION_CREATE}
			if err := stream.Send(&connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{good, tt.bad}}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if msg, err := stream.Recv(); err != nil || len(msg.GetAcks()) != 1 || string(msg.GetAcks()[0].GetPosition()) != "pos-1" {
				t.Fatalf("Recv = (%v, %v), want the ack of pos-1", msg, err)
			}
			view := receive(ctx, t, seen, "the connector's Run to see the refusal")
			checkRefusal(t, "the connector's Recv", view.recvErr, tt.want, cpluginv1.ErrInvalidArgument)
			_, err = stream.Recv()
			checkStatus(t, err, codes.InvalidArgument, tt.want)
		})
	}
}

// sizeReportingDestination reports the error of its first Recv.
type sizeReportingDestination struct {
	cpluginv1.UnimplementedDestinationPlugin
	recvErr chan error
}

func (d sizeReportingDestination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	_, err := stream.Recv()
	d.recvErr <- err
	return err
}

// A v2 message over the connector's receive limit fails as a v1 message
// does: the connector's Recv returns the one-sentence error, and the Run
// call ends with RESOURCE_EXHAUSTED.
func TestDestinationV2MessageOverReceiveLimit(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", version), func(t *testing.T) {
			ctx := guardTestContext(t)
			dst := sizeReportingDestination{recvErr: make(chan error, 1)}
			s, err := NewGRPCServer(Connector{Destination: dst}, WithMaxReceiveSize(1024))
			if err != nil {
				t.Fatalf("NewGRPCServer: %v", err)
			}
			conn := serveBufconn(t, s)
			big := &opencdcv1.Record{Position: make([]byte, 2048), Operation: opencdcv1.Operation_OPERATION_CREATE}
			var recv func() error
			if version == 1 {
				stream, err := connectorv1.NewDestinationPluginClient(conn).Run(ctx)
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				_ = stream.Send(&connectorv1.Destination_Run_Request{Record: big})
				recv = func() error { _, err := stream.Recv(); return err }
			} else {
				stream, err := connectorv2.NewDestinationPluginClient(conn).Run(ctx)
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				_ = stream.Send(&connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{big}})
				recv = func() error { _, err := stream.Recv(); return err }
			}
			got := receive(ctx, t, dst.recvErr, "the connector's Recv")
			want := "record of 2056 bytes is larger than the connector's receive limit of 1024 bytes (the host sets it with " +
				"CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE, from client.Config.MaxSendSize, unless the connector sets server.WithMaxReceiveSize)"
			checkRefusal(t, "the connector's Recv", got, want, cpluginv1.ErrMessageTooLarge)
			if err := recv(); status.Code(err) != codes.ResourceExhausted {
				t.Errorf("the Run call ended with %v, want RESOURCE_EXHAUSTED", err)
			}
		})
	}
}

// panickingSource panics in Run.
type panickingSource struct {
	cpluginv1.UnimplementedSourcePlugin
}

func (panickingSource) Run(context.Context, cpluginv1.SourceRunStream) error {
	panic("run exploded")
}

// A panic in the connector's Run is isolated on v2 as on v1: the Run call
// ends with INTERNAL, and the connector keeps serving.
func TestSourceV2RunPanic(t *testing.T) {
	ctx := guardTestContext(t)
	var log lockedBuffer
	s, err := NewGRPCServer(Connector{Source: panickingSource{}}, WithLogger(slog.New(slog.NewJSONHandler(&log, nil))))
	if err != nil {
		t.Fatalf("NewGRPCServer: %v", err)
	}
	client := connectorv2.NewSourcePluginClient(serveBufconn(t, s))
	stream, err := client.Run(ctx)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	_, err = stream.Recv()
	checkStatus(t, err, codes.Internal, "panic: run exploded")
	for _, want := range []string{`"msg":"connector panicked"`, `"method":"Source.Run"`, `"stack":`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log does not hold %s:\n%s", want, log.String())
		}
	}
	// Still serving: the next call gets the connector's answer.
	if _, err := client.Stop(ctx, &connectorv2.Source_Stop_Request{}); status.Code(err) != codes.Unimplemented {
		t.Errorf("Stop after the panic = %v, want UNIMPLEMENTED (the connector's own answer)", err)
	}
}
