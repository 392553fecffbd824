package crosslang

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/connectorkit/conduit-connector-protocol/contract"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// forEachLanguage runs test once per example connector, as a subtest named
// after the language, with the example built.
func forEachLanguage(t *testing.T, test func(t *testing.T, dir string)) {
	for _, lang := range languages {
		t.Run(lang.name, func(t *testing.T) {
			test(t, prepare(t, lang))
		})
	}
}

func TestHandshakeRefusesToRunWithoutCookie(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		cmd := exec.Command(filepath.Join(dir, "connector"))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("run without the magic cookie: got %v, want a non-zero exit", err)
		}
		if !strings.Contains(out.String(), "not meant to be run by hand") {
			t.Errorf("output %q does not tell a human what the program is", out.String())
		}
	})
}

func TestHandshakeRefusesUnknownProtocolVersions(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		cmd := exec.Command(filepath.Join(dir, "connector"))
		cmd.Env = append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=3,4")
		out, err := cmd.Output()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("run with PLUGIN_PROTOCOL_VERSIONS=3,4: got %v, want a non-zero exit", err)
		}
		if len(out) != 0 {
			t.Errorf("printed %q on stdout, want no handshake line", out)
		}
	})
}

func TestHealthAndSpecification(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		health, err := healthpb.NewHealthClient(p.conn).Check(callContext(t), &healthpb.HealthCheckRequest{Service: "plugin"})
		if err != nil {
			t.Fatalf("health Check: %v", err)
		}
		if health.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of service plugin is %v, want SERVING", health.GetStatus())
		}

		spec, err := connectorv1.NewSpecifierPluginClient(p.conn).Specify(callContext(t), &connectorv1.Specifier_Specify_Request{})
		if err != nil {
			t.Fatalf("Specify: %v", err)
		}
		if err := contract.Validate(spec); err != nil {
			t.Errorf("Specify response breaks the contract: %v", err)
		}
		for _, name := range []string{"records", "payload.format"} {
			if _, ok := spec.GetSourceParams()[name]; !ok {
				t.Errorf("source parameter %q is not specified", name)
			}
		}
		for _, name := range []string{"path", "max.line.size"} {
			if _, ok := spec.GetDestinationParams()[name]; !ok {
				t.Errorf("destination parameter %q is not specified", name)
			}
		}
	})
}

// TestUnimplementedCallsAnswerUnimplemented: a method or a service the
// connector does not know answers UNIMPLEMENTED, never another code.
func TestUnimplementedCallsAnswerUnimplemented(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		calls := map[string]func() error{
			// A method the contract may gain in a later minor version.
			"SourcePlugin/NotYetInvented": func() error {
				return p.conn.Invoke(callContext(t), "/connector.v1.SourcePlugin/NotYetInvented", &emptypb.Empty{}, &emptypb.Empty{})
			},
			"a service the connector does not have": func() error {
				return p.conn.Invoke(callContext(t), "/connector.v2.SourcePlugin/Configure", &emptypb.Empty{}, &emptypb.Empty{})
			},
		}
		for name, call := range calls {
			if code := status.Code(call()); code != codes.Unimplemented {
				t.Errorf("%s: code %v, want Unimplemented", name, code)
			}
		}
	})
}

// lifecycleCall is one lifecycle event sent to a connector.
type lifecycleCall struct {
	name string
	call func(ctx context.Context) error
}

// sourceLifecycle returns the source's three lifecycle events, each with
// config as the configuration it carries.
func sourceLifecycle(source connectorv1.SourcePluginClient, config map[string]string) (created, updated, deleted lifecycleCall) {
	created = lifecycleCall{"source LifecycleOnCreated", func(ctx context.Context) error {
		_, err := source.LifecycleOnCreated(ctx, &connectorv1.Source_Lifecycle_OnCreated_Request{Config: config})
		return err
	}}
	updated = lifecycleCall{"source LifecycleOnUpdated", func(ctx context.Context) error {
		_, err := source.LifecycleOnUpdated(ctx, &connectorv1.Source_Lifecycle_OnUpdated_Request{ConfigBefore: config, ConfigAfter: config})
		return err
	}}
	deleted = lifecycleCall{"source LifecycleOnDeleted", func(ctx context.Context) error {
		_, err := source.LifecycleOnDeleted(ctx, &connectorv1.Source_Lifecycle_OnDeleted_Request{Config: config})
		return err
	}}
	return created, updated, deleted
}

// destinationLifecycle returns the destination's three lifecycle events,
// each with config as the configuration it carries.
func destinationLifecycle(destination connectorv1.DestinationPluginClient, config map[string]string) (created, updated, deleted lifecycleCall) {
	created = lifecycleCall{"destination LifecycleOnCreated", func(ctx context.Context) error {
		_, err := destination.LifecycleOnCreated(ctx, &connectorv1.Destination_Lifecycle_OnCreated_Request{Config: config})
		return err
	}}
	updated = lifecycleCall{"destination LifecycleOnUpdated", func(ctx context.Context) error {
		_, err := destination.LifecycleOnUpdated(ctx, &connectorv1.Destination_Lifecycle_OnUpdated_Request{ConfigBefore: config, ConfigAfter: config})
		return err
	}}
	deleted = lifecycleCall{"destination LifecycleOnDeleted", func(ctx context.Context) error {
		_, err := destination.LifecycleOnDeleted(ctx, &connectorv1.Destination_Lifecycle_OnDeleted_Request{Config: config})
		return err
	}}
	return created, updated, deleted
}

// mustSucceed fails the test unless each lifecycle event is answered with
// success: the Conduit server fails the pipeline on any error, also on
// UNIMPLEMENTED.
func mustSucceed(t *testing.T, when string, calls ...lifecycleCall) {
	t.Helper()
	for _, c := range calls {
		if err := c.call(callContext(t)); err != nil {
			t.Errorf("%s %s: %v (code %v), want success: the Conduit server fails the pipeline on any error, UNIMPLEMENTED included",
				c.name, when, err, status.Code(err))
		}
	}
}

// TestLifecycleEventsSucceed: a connector with nothing to do for a
// lifecycle event answers it with success (an empty response), in the
// order the Conduit server sends them: LifecycleOnCreated or
// LifecycleOnUpdated after Configure and before Start, and
// LifecycleOnDeleted after Configure. The connector then starts and runs
// as usual.
func TestLifecycleEventsSucceed(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		config := map[string]string{"records": "2"}
		source := connectorv1.NewSourcePluginClient(p.conn)
		if _, err := source.Configure(callContext(t), &connectorv1.Source_Configure_Request{Config: config}); err != nil {
			t.Fatalf("source Configure: %v", err)
		}
		created, updated, _ := sourceLifecycle(source, config)
		mustSucceed(t, "after Configure", created, updated)
		if _, err := source.Start(callContext(t), &connectorv1.Source_Start_Request{}); err != nil {
			t.Fatalf("source Start after the lifecycle events: %v", err)
		}
		stream, err := source.Run(callContext(t))
		if err != nil {
			t.Fatalf("source Run: %v", err)
		}
		if rec := recvRecord(t, stream); string(rec.GetPosition()) != "1" {
			t.Errorf("first record after the lifecycle events has position %q, want \"1\"", rec.GetPosition())
		}
		if _, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{}); err != nil {
			t.Errorf("source Teardown: %v", err)
		}

		destinationConfig := map[string]string{"path": filepath.Join(t.TempDir(), "out.jsonl")}
		destination := connectorv1.NewDestinationPluginClient(p.conn)
		if _, err := destination.Configure(callContext(t), &connectorv1.Destination_Configure_Request{Config: destinationConfig}); err != nil {
			t.Fatalf("destination Configure: %v", err)
		}
		created, updated, deleted := destinationLifecycle(destination, destinationConfig)
		mustSucceed(t, "after Configure", created, updated, deleted)
		if _, err := destination.Teardown(callContext(t), &connectorv1.Destination_Teardown_Request{}); err != nil {
			t.Errorf("destination Teardown: %v", err)
		}
	})
}

// TestLifecycleOnDeletedAsTheFirstCall: the Conduit server deletes a
// connector by starting it and sending LifecycleOnDeleted, with the last
// configuration it had, and then Teardown, with no Configure before. Both
// answer success, for the source and the destination alike.
func TestLifecycleOnDeletedAsTheFirstCall(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		for _, plugin := range []string{"source", "destination"} {
			t.Run(plugin, func(t *testing.T) {
				p := launch(t, filepath.Join(dir, "connector"))
				var deleted lifecycleCall
				var teardown func() error
				if plugin == "source" {
					source := connectorv1.NewSourcePluginClient(p.conn)
					_, _, deleted = sourceLifecycle(source, map[string]string{"records": "10", "payload.format": "structured"})
					teardown = func() error {
						_, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{})
						return err
					}
				} else {
					destination := connectorv1.NewDestinationPluginClient(p.conn)
					_, _, deleted = destinationLifecycle(destination, map[string]string{"path": filepath.Join(t.TempDir(), "out.jsonl")})
					teardown = func() error {
						_, err := destination.Teardown(callContext(t), &connectorv1.Destination_Teardown_Request{})
						return err
					}
				}
				mustSucceed(t, "as the first call", deleted)
				if err := teardown(); err != nil {
					t.Errorf("%s Teardown after LifecycleOnDeleted: %v", plugin, err)
				}
			})
		}
	})
}

func TestCallsOutOfOrderAnswerFailedPrecondition(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		source := connectorv1.NewSourcePluginClient(p.conn)
		if _, err := source.Start(callContext(t), &connectorv1.Source_Start_Request{}); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("source Start before Configure: %v, want FailedPrecondition", err)
		}
		if _, err := source.Stop(callContext(t), &connectorv1.Source_Stop_Request{}); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("source Stop before Start: %v, want FailedPrecondition", err)
		}
		stream, err := source.Run(callContext(t))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("source Run before Start: %v, want FailedPrecondition", err)
		}
		destination := connectorv1.NewDestinationPluginClient(p.conn)
		if _, err := destination.Start(callContext(t), &connectorv1.Destination_Start_Request{}); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("destination Start before Configure: %v, want FailedPrecondition", err)
		}
		// LifecycleOnCreated and LifecycleOnUpdated come after Configure
		// (only LifecycleOnDeleted may come first).
		created, updated, _ := sourceLifecycle(source, nil)
		for _, c := range []lifecycleCall{created, updated} {
			if err := c.call(callContext(t)); status.Code(err) != codes.FailedPrecondition {
				t.Errorf("%s before Configure: %v, want FailedPrecondition", c.name, err)
			}
		}
		created, updated, _ = destinationLifecycle(destination, nil)
		for _, c := range []lifecycleCall{created, updated} {
			if err := c.call(callContext(t)); status.Code(err) != codes.FailedPrecondition {
				t.Errorf("%s before Configure: %v, want FailedPrecondition", c.name, err)
			}
		}
		// Teardown is allowed at any time, also before anything else.
		if _, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{}); err != nil {
			t.Errorf("source Teardown first: %v", err)
		}
		if _, err := destination.Teardown(callContext(t), &connectorv1.Destination_Teardown_Request{}); err != nil {
			t.Errorf("destination Teardown first: %v", err)
		}
	})
}

func TestInvalidConfigurationAnswersInvalidArgument(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		source := connectorv1.NewSourcePluginClient(p.conn)
		for _, config := range []map[string]string{
			{"records": "-1"},
			{"records": "many"},
			{"records": "²"},
			{"payload.format": "xml"},
			{"record": "3"}, // a typo must not fall back to the default
		} {
			_, err := source.Configure(callContext(t), &connectorv1.Source_Configure_Request{Config: config})
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("source Configure %v: %v, want InvalidArgument", config, err)
			}
		}
		if _, err := source.Configure(callContext(t), &connectorv1.Source_Configure_Request{}); err != nil {
			t.Fatalf("source Configure with the defaults: %v", err)
		}
		for _, position := range []string{"abc", "0", "+7", "7_0"} {
			_, err := source.Start(callContext(t), &connectorv1.Source_Start_Request{Position: []byte(position)})
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("source Start from a position %q that is not the source's: %v, want InvalidArgument", position, err)
			}
		}
		destination := connectorv1.NewDestinationPluginClient(p.conn)
		for _, config := range []map[string]string{
			{"path": t.TempDir()}, // a directory
			{"max.line.size": "-1"},
			{"paht": "out.jsonl"},
		} {
			_, err := destination.Configure(callContext(t), &connectorv1.Destination_Configure_Request{Config: config})
			if status.Code(err) != codes.InvalidArgument {
				t.Errorf("destination Configure %v: %v, want InvalidArgument", config, err)
			}
		}
	})
}

// sourceRun starts a configured source from position and returns its Run
// stream.
func sourceRun(t *testing.T, p *plugin, config map[string]string, position []byte) (connectorv1.SourcePluginClient, grpc.BidiStreamingClient[connectorv1.Source_Run_Request, connectorv1.Source_Run_Response]) {
	t.Helper()
	source := connectorv1.NewSourcePluginClient(p.conn)
	if _, err := source.Configure(callContext(t), &connectorv1.Source_Configure_Request{Config: config}); err != nil {
		t.Fatalf("source Configure: %v", err)
	}
	if _, err := source.Start(callContext(t), &connectorv1.Source_Start_Request{Position: position}); err != nil {
		t.Fatalf("source Start: %v", err)
	}
	stream, err := source.Run(callContext(t))
	if err != nil {
		t.Fatalf("source Run: %v", err)
	}
	return source, stream
}

// recvRecord receives one record and checks it against the contract.
func recvRecord(t *testing.T, stream grpc.BidiStreamingClient[connectorv1.Source_Run_Request, connectorv1.Source_Run_Response]) *opencdcv1.Record {
	t.Helper()
	resp, err := stream.Recv()
	if err != nil {
		t.Fatalf("source Run Recv: %v", err)
	}
	if err := contract.Validate(resp); err != nil {
		t.Fatalf("record breaks the contract: %v", err)
	}
	return resp.GetRecord()
}

func TestSourceStopDrainsAndRestartResumes(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		entrypoint := filepath.Join(dir, "connector")
		var lastPosition []byte
		var produced []string
		{
			p := launch(t, entrypoint)
			source, stream := sourceRun(t, p, nil, nil)
			// Ack a few records, then stop while more are in flight: the
			// source may already have sent records past the ones we read.
			for range 3 {
				rec := recvRecord(t, stream)
				var payload map[string]any
				if err := json.Unmarshal(rec.GetPayload().GetAfter().GetRawData(), &payload); err != nil {
					t.Fatalf("raw payload (the default format) of record %q is not JSON: %v", rec.GetPosition(), err)
				}
				produced = append(produced, string(rec.GetPosition()))
				if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: rec.GetPosition()}); err != nil {
					t.Fatalf("send ack: %v", err)
				}
			}
			stop, err := source.Stop(callContext(t), &connectorv1.Source_Stop_Request{})
			if err != nil {
				t.Fatalf("source Stop: %v", err)
			}
			lastPosition = stop.GetLastPosition()
			for produced[len(produced)-1] != string(lastPosition) {
				rec := recvRecord(t, stream)
				produced = append(produced, string(rec.GetPosition()))
				if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: rec.GetPosition()}); err != nil {
					t.Fatalf("send ack: %v", err)
				}
			}
			if err := stream.CloseSend(); err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != io.EOF { //nolint:errorlint // gRPC streams return io.EOF itself
				t.Fatalf("after Stop's last position and CloseSend, Recv returned %v, want io.EOF (no record after the Stop position)", err)
			}
			if _, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{}); err != nil {
				t.Fatalf("source Teardown: %v", err)
			}
		}
		for i, position := range produced {
			if want := strconv.Itoa(i + 1); position != want {
				t.Fatalf("record %d has position %q, want %q (positions %v)", i, position, want, produced)
			}
		}

		// A new process started from the last acked position continues
		// right after it.
		p := launch(t, entrypoint)
		source, stream := sourceRun(t, p, nil, lastPosition)
		rec := recvRecord(t, stream)
		last, _ := strconv.Atoi(string(lastPosition))
		if got, want := string(rec.GetPosition()), strconv.Itoa(last+1); got != want {
			t.Errorf("after a restart from %q the first record is %q, want %q", lastPosition, got, want)
		}
		// Teardown while Run is active ends the Run call.
		if _, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{}); err != nil {
			t.Fatalf("source Teardown during Run: %v", err)
		}
		for {
			if _, err := stream.Recv(); err != nil {
				break
			}
		}
	})
}

func TestSourceWithFewRecordsStopsAtTheLast(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		source, stream := sourceRun(t, p, map[string]string{"records": "3", "payload.format": "structured"}, nil)
		for i := 1; i <= 3; i++ {
			rec := recvRecord(t, stream)
			id := rec.GetPayload().GetAfter().GetStructuredData().GetFields()["id"]
			if id.GetNumberValue() != float64(i) {
				t.Errorf("structured payload of record %d has id %v, want %d", i, id, i)
			}
			if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: rec.GetPosition()}); err != nil {
				t.Fatal(err)
			}
		}
		stop, err := source.Stop(callContext(t), &connectorv1.Source_Stop_Request{})
		if err != nil {
			t.Fatalf("source Stop: %v", err)
		}
		if got := string(stop.GetLastPosition()); got != "3" {
			t.Errorf("Stop returned last position %q, want \"3\"", got)
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != io.EOF { //nolint:errorlint // gRPC streams return io.EOF itself
			t.Errorf("Recv after the last record and CloseSend: %v, want io.EOF", err)
		}
	})
}

// testRecords returns records for a destination. The examples cannot write
// two of them and must answer them with a negative ack: the third has no
// valid operation, and the fifth is longer than maxLineSize.
func testRecords() []*opencdcv1.Record {
	structured, _ := structpb.NewStruct(map[string]any{"id": 2.0, "name": "two"})
	return []*opencdcv1.Record{
		{
			Position:  []byte("p1"),
			Operation: opencdcv1.Operation_OPERATION_CREATE,
			Metadata:  map[string]string{"opencdc.collection": "things"},
			Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("k1")}},
			Payload:   &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte(`{"id":1}`)}}},
		},
		{
			Position:  []byte("p2"),
			Operation: opencdcv1.Operation_OPERATION_UPDATE,
			Payload: &opencdcv1.Change{
				Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("old")}},
				After:  &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: structured}},
			},
		},
		{Position: []byte("p3"), Operation: opencdcv1.Operation_OPERATION_UNSPECIFIED},
		{Position: []byte("p4"), Operation: opencdcv1.Operation_OPERATION_DELETE},
		{
			Position:  []byte("p5"),
			Operation: opencdcv1.Operation_OPERATION_SNAPSHOT,
			Payload:   &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: bytes.Repeat([]byte("x"), 2*maxLineSize)}}},
		},
	}
}

// maxLineSize is the destinations' max.line.size in the tests.
const maxLineSize = 1024

// destinationRun sends records to a started destination, stops it and
// returns the acks it sent, in order.
func destinationRun(t *testing.T, p *plugin, config map[string]string, records []*opencdcv1.Record) []*connectorv1.Destination_Run_Response {
	t.Helper()
	destination := connectorv1.NewDestinationPluginClient(p.conn)
	if _, err := destination.Configure(callContext(t), &connectorv1.Destination_Configure_Request{Config: config}); err != nil {
		t.Fatalf("destination Configure: %v", err)
	}
	if _, err := destination.Start(callContext(t), &connectorv1.Destination_Start_Request{}); err != nil {
		t.Fatalf("destination Start: %v", err)
	}
	stream, err := destination.Run(callContext(t))
	if err != nil {
		t.Fatalf("destination Run: %v", err)
	}
	for _, rec := range records {
		if err := stream.Send(&connectorv1.Destination_Run_Request{Record: rec}); err != nil {
			t.Fatalf("send record: %v", err)
		}
	}
	// Stop may arrive before the connector has read the records: it must
	// answer only after it acked the last one.
	stopped := make(chan error, 1)
	go func() {
		_, err := destination.Stop(callContext(t), &connectorv1.Destination_Stop_Request{LastPosition: records[len(records)-1].GetPosition()})
		stopped <- err
	}()
	var acks []*connectorv1.Destination_Run_Response
	for range records {
		ack, err := stream.Recv()
		if err != nil {
			t.Fatalf("receive ack %d: %v", len(acks)+1, err)
		}
		if err := contract.Validate(ack); err != nil {
			t.Errorf("ack breaks the contract: %v", err)
		}
		acks = append(acks, ack)
	}
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("destination Stop: %v", err)
		}
	case <-time.After(callTimeout):
		t.Fatal("destination Stop did not return after all acks were sent")
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF { //nolint:errorlint // gRPC streams return io.EOF itself
		t.Errorf("Recv after CloseSend: %v, want io.EOF", err)
	}
	if _, err := destination.Teardown(callContext(t), &connectorv1.Destination_Teardown_Request{}); err != nil {
		t.Errorf("destination Teardown: %v", err)
	}
	return acks
}

func TestDestinationWritesJSONLinesAndAcksInOrder(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		p := launch(t, filepath.Join(dir, "connector"))
		path := filepath.Join(t.TempDir(), "out.jsonl")
		records := testRecords()
		acks := destinationRun(t, p, map[string]string{"path": path, "max.line.size": strconv.Itoa(maxLineSize)}, records)
		for i, ack := range acks {
			if !bytes.Equal(ack.GetAckPosition(), records[i].GetPosition()) {
				t.Errorf("ack %d is for position %q, want %q", i+1, ack.GetAckPosition(), records[i].GetPosition())
			}
			wantNack := i == 2 || i == 4
			if gotNack := ack.GetError() != ""; gotNack != wantNack {
				t.Errorf("ack %d: error %q, want a negative ack: %v", i+1, ack.GetError(), wantNack)
			}
		}

		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = file.Close() }()
		var lines []map[string]any
		scanner := bufio.NewScanner(file)
		for scanner.Scan() {
			var line map[string]any
			if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
				t.Fatalf("line %q is not JSON: %v", scanner.Text(), err)
			}
			lines = append(lines, line)
		}
		if len(lines) != 3 {
			t.Fatalf("wrote %d lines, want 3 (every record but the negatively acked ones)", len(lines))
		}
		b64 := base64.StdEncoding.EncodeToString
		checks := []struct {
			line  int
			field any
			want  any
		}{
			{0, lines[0]["position"], b64([]byte("p1"))},
			{0, lines[0]["operation"], "create"},
			{0, lines[0]["key"], b64([]byte("k1"))},
			{0, lines[0]["metadata"].(map[string]any)["opencdc.collection"], "things"},
			{0, lines[0]["payload"].(map[string]any)["after"], b64([]byte(`{"id":1}`))},
			{1, lines[1]["operation"], "update"},
			{1, lines[1]["key"], nil},
			{1, lines[1]["payload"].(map[string]any)["before"], b64([]byte("old"))},
			{1, lines[1]["payload"].(map[string]any)["after"].(map[string]any)["name"], "two"},
			{2, lines[2]["position"], b64([]byte("p4"))},
			{2, lines[2]["operation"], "delete"},
		}
		for _, c := range checks {
			if c.field != c.want {
				t.Errorf("line %d: got %v, want %v (line %v)", c.line+1, c.field, c.want, lines[c.line])
			}
		}
	})
}

func TestBrokenVariantIsBroken(t *testing.T) {
	// Guards the checker tests below: if the broken variant stopped being
	// broken, "cplugin check fails on it" would prove nothing.
	for _, lang := range languages {
		t.Run(lang.name, func(t *testing.T) {
			dir := prepare(t, lang)
			p := launch(t, filepath.Join(dir, "connector-broken"))
			switch lang.name {
			case "python":
				acks := destinationRun(t, p, nil, testRecords()[:2])
				if string(acks[0].GetAckPosition()) != "p2" {
					t.Errorf("the broken Python destination acked %q first, want p2 (%s)", acks[0].GetAckPosition(), lang.fault)
				}
			case "typescript":
				source, stream := sourceRun(t, p, map[string]string{"records": "2"}, nil)
				for range 2 {
					rec := recvRecord(t, stream)
					if err := stream.Send(&connectorv1.Source_Run_Request{AckPosition: rec.GetPosition()}); err != nil {
						t.Fatal(err)
					}
				}
				stop, err := source.Stop(callContext(t), &connectorv1.Source_Stop_Request{})
				if err != nil {
					t.Fatal(err)
				}
				if got := string(stop.GetLastPosition()); got == "2" {
					t.Errorf("the broken TypeScript source's Stop returned the position it really sent last (%s)", lang.fault)
				}
				if _, err := source.Teardown(callContext(t), &connectorv1.Source_Teardown_Request{}); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
