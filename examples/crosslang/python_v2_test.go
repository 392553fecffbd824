package crosslang

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/contract"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
)

// The Python example serves protocol v1 and v2 (the TypeScript example only
// v1). The tests in this file run it on v2 and check how it negotiates.

// pythonConnector builds the Python example and returns its entrypoint.
func pythonConnector(t *testing.T) string {
	t.Helper()
	for _, lang := range languages {
		if lang.name == "python" {
			return filepath.Join(prepare(t, lang), "connector")
		}
	}
	t.Fatal("no python example")
	return ""
}

// TestPythonNegotiatesProtocolVersion: the connector speaks the highest
// version the host lists (1 when the host lists none), says so in its
// handshake line and serves that version's services only.
func TestPythonNegotiatesProtocolVersion(t *testing.T) {
	entrypoint := pythonConnector(t)
	for _, c := range []struct {
		offered string
		want    int
	}{{"", 1}, {"1", 1}, {"2", 2}, {"1,2", 2}, {"2,1", 2}, {"3,2,1", 2}} {
		t.Run("offered_"+strings.ReplaceAll(c.offered, ",", "_"), func(t *testing.T) {
			p := launchVersion(t, entrypoint, c.offered, c.want)
			_, errV1 := connectorv1.NewSpecifierPluginClient(p.conn).Specify(callContext(t), &connectorv1.Specifier_Specify_Request{})
			_, errV2 := connectorv2.NewSpecifierPluginClient(p.conn).Specify(callContext(t), &connectorv2.Specifier_Specify_Request{})
			served, other := errV1, errV2
			if c.want == 2 {
				served, other = errV2, errV1
			}
			if served != nil {
				t.Errorf("Specify of the negotiated version %d: %v", c.want, served)
			}
			if status.Code(other) != codes.Unimplemented {
				t.Errorf("Specify of the version not negotiated: %v, want Unimplemented", other)
			}
		})
	}
	t.Run("no_common_version", func(t *testing.T) {
		cmd := exec.Command(entrypoint)
		cmd.Env = append(os.Environ(), magicCookieKey+"="+magicCookieValue, "PLUGIN_PROTOCOL_VERSIONS=3,4")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if code := cmd.ProcessState.ExitCode(); code != 1 {
			t.Errorf("exit status %d (%v), want 1", code, err)
		}
		if len(out) != 0 {
			t.Errorf("printed %q on stdout, want no handshake line", out)
		}
		if msg := stderr.String(); !strings.Contains(msg, "1, 2") || !strings.Contains(msg, "3,4") {
			t.Errorf("message %q does not name the versions served (1, 2) and offered (3,4)", msg)
		}
	})
}

func TestPythonV2Specify(t *testing.T) {
	p := launchVersion(t, pythonConnector(t), "1,2", 2)
	resp, err := connectorv2.NewSpecifierPluginClient(p.conn).Specify(callContext(t), &connectorv2.Specifier_Specify_Request{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	if err := contract.Validate(resp); err != nil {
		t.Errorf("Specify response breaks the contract: %v", err)
	}
	spec := resp.GetSpecification()
	if spec.GetName() != "python-example" {
		t.Errorf("name %q, want python-example", spec.GetName())
	}
	records := spec.GetSourceParams()["records"]
	if records.GetDefault() != "0" || records.GetType().String() != "TYPE_INT" || len(records.GetValidations()) != 1 ||
		records.GetValidations()[0].GetType().String() != "TYPE_GREATER_THAN" || records.GetValidations()[0].GetValue() != "-1" {
		t.Errorf("source parameter records is %v, want default 0, TYPE_INT, greater than -1 (translated by field name from v1)", records)
	}
	if spec.GetSourceParams()["payload.format"].GetDescription() == "" {
		t.Error("source parameter payload.format has no description")
	}
	if spec.GetDestinationParams()["path"].GetType().String() != "TYPE_FILE" {
		t.Errorf("destination parameter path is %v, want TYPE_FILE", spec.GetDestinationParams()["path"])
	}
	if _, ok := spec.GetDestinationParams()["max.line.size"]; !ok {
		t.Error("destination parameter max.line.size is not specified")
	}
}

// TestPythonV2SourceBatches runs the source on v2: records arrive in
// batches, once and in order; acks go back in batches whose boundaries do
// not match the record batches; Stop drains, and Open resumes after the
// last acked position.
func TestPythonV2SourceBatches(t *testing.T) {
	entrypoint := pythonConnector(t)
	p := launchVersion(t, entrypoint, "1,2", 2)
	source := connectorv2.NewSourcePluginClient(p.conn)
	if _, err := source.LifecycleOnDeleted(callContext(t), &connectorv2.Source_Lifecycle_OnDeleted_Request{Config: map[string]string{"records": "1"}}); err != nil {
		t.Errorf("LifecycleOnDeleted as the first call: %v, want success", err)
	}
	if _, err := source.Teardown(callContext(t), &connectorv2.Source_Teardown_Request{}); err != nil {
		t.Errorf("Teardown after LifecycleOnDeleted: %v", err)
	}

	p = launchVersion(t, entrypoint, "1,2", 2)
	source = connectorv2.NewSourcePluginClient(p.conn)
	config := map[string]string{"records": "300"}
	if _, err := source.Configure(callContext(t), &connectorv2.Source_Configure_Request{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := source.LifecycleOnCreated(callContext(t), &connectorv2.Source_Lifecycle_OnCreated_Request{Config: config}); err != nil {
		t.Errorf("LifecycleOnCreated: %v, want success", err)
	}
	if _, err := source.Open(callContext(t), &connectorv2.Source_Open_Request{Position: []byte("10")}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	stream, err := source.Run(callContext(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	const ackBatch = 7 // deliberately not the source's batch size
	var received, pending [][]byte
	messages, largest := 0, 0
	recv := func() {
		t.Helper()
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("Run Recv: %v", err)
		}
		if err := contract.Validate(resp); err != nil {
			t.Fatalf("Run.Response breaks the contract: %v", err)
		}
		if len(resp.GetRecords()) == 0 {
			t.Fatal("Run.Response without records")
		}
		messages++
		largest = max(largest, len(resp.GetRecords()))
		for _, rec := range resp.GetRecords() {
			received = append(received, rec.GetPosition())
			pending = append(pending, rec.GetPosition())
		}
	}
	ack := func(n int) {
		t.Helper()
		n = min(n, len(pending))
		if err := stream.Send(&connectorv2.Source_Run_Request{AckPositions: pending[:n]}); err != nil {
			t.Fatalf("send acks: %v", err)
		}
		pending = pending[n:]
	}
	for len(received) < 100 {
		recv()
		for len(pending) >= ackBatch {
			ack(ackBatch)
		}
	}
	// An empty ack batch means nothing.
	ack(0)
	stop, err := source.Stop(callContext(t), &connectorv2.Source_Stop_Request{})
	if err != nil {
		t.Fatalf("Stop: %v", err)
	}
	for !bytes.Equal(received[len(received)-1], stop.GetLastPosition()) {
		recv()
	}
	ack(len(pending))
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF { //nolint:errorlint // gRPC streams return io.EOF itself
		t.Fatalf("Recv after Stop's last position and CloseSend: %v, want io.EOF", err)
	}
	for i, position := range received {
		if want := strconv.Itoa(i + 11); string(position) != want {
			t.Fatalf("record %d has position %q, want %q (after Open from 10)", i+1, position, want)
		}
	}
	if largest < 2 {
		t.Errorf("every Run.Response held one record (%d messages): the v2 source sends batches", messages)
	}
	t.Logf("%d records in %d messages, largest batch %d", len(received), messages, largest)
	if _, err := source.Teardown(callContext(t), &connectorv2.Source_Teardown_Request{}); err != nil {
		t.Errorf("Teardown: %v", err)
	}
}

// TestPythonV2SourceRefusesAcksOutOfOrder: every ack of a batch is checked
// against the record order.
func TestPythonV2SourceRefusesAcksOutOfOrder(t *testing.T) {
	p := launchVersion(t, pythonConnector(t), "2", 2)
	source := connectorv2.NewSourcePluginClient(p.conn)
	if _, err := source.Configure(callContext(t), &connectorv2.Source_Configure_Request{Config: map[string]string{"records": "5"}}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := source.Open(callContext(t), &connectorv2.Source_Open_Request{}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	stream, err := source.Run(callContext(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("Run Recv: %v", err)
	}
	if err := stream.Send(&connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("1"), []byte("3")}}); err != nil {
		t.Fatalf("send acks: %v", err)
	}
	for {
		_, err := stream.Recv()
		if err == nil {
			continue
		}
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("Run after acks 1, 3: %v, want InvalidArgument", err)
		}
		break
	}
	if _, err := source.Teardown(callContext(t), &connectorv2.Source_Teardown_Request{}); err != nil {
		t.Errorf("Teardown: %v", err)
	}
}

// TestPythonV2DestinationBatches sends the destination batches of records
// on v2: every record gets exactly one ack, in order, the unwritable ones a
// negative one.
func TestPythonV2DestinationBatches(t *testing.T) {
	p := launchVersion(t, pythonConnector(t), "1,2", 2)
	destination := connectorv2.NewDestinationPluginClient(p.conn)
	path := filepath.Join(t.TempDir(), "out.jsonl")
	config := map[string]string{"path": path, "max.line.size": strconv.Itoa(maxLineSize)}
	if _, err := destination.Configure(callContext(t), &connectorv2.Destination_Configure_Request{Config: config}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if _, err := destination.Open(callContext(t), &connectorv2.Destination_Open_Request{}); err != nil {
		t.Fatalf("Open: %v", err)
	}
	stream, err := destination.Run(callContext(t))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	records := testRecords()
	for _, batch := range [][]*opencdcv1.Record{records[:3], nil, records[3:]} {
		if err := stream.Send(&connectorv2.Destination_Run_Request{Records: batch}); err != nil {
			t.Fatalf("send batch: %v", err)
		}
	}
	stopped := make(chan error, 1)
	go func() {
		_, err := destination.Stop(callContext(t), &connectorv2.Destination_Stop_Request{LastPosition: records[len(records)-1].GetPosition()})
		stopped <- err
	}()
	var acks []*connectorv2.Destination_Run_Response_Ack
	for len(acks) < len(records) {
		resp, err := stream.Recv()
		if err != nil {
			t.Fatalf("receive acks after %d: %v", len(acks), err)
		}
		if err := contract.Validate(resp); err != nil {
			t.Errorf("Run.Response breaks the contract: %v", err)
		}
		acks = append(acks, resp.GetAcks()...)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if len(acks) != len(records) {
		t.Fatalf("%d acks for %d records", len(acks), len(records))
	}
	for i, ack := range acks {
		if !bytes.Equal(ack.GetPosition(), records[i].GetPosition()) {
			t.Errorf("ack %d is for position %q, want %q", i+1, ack.GetPosition(), records[i].GetPosition())
		}
		wantNack := i == 2 || i == 4
		if gotNack := ack.GetError() != ""; gotNack != wantNack {
			t.Errorf("ack %d: error %q, want a negative ack: %v", i+1, ack.GetError(), wantNack)
		}
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != io.EOF { //nolint:errorlint // gRPC streams return io.EOF itself
		t.Errorf("Recv after CloseSend: %v, want io.EOF", err)
	}
	if _, err := destination.Teardown(callContext(t), &connectorv2.Destination_Teardown_Request{}); err != nil {
		t.Errorf("Teardown: %v", err)
	}
	if got, want := readPositions(t, path), []string{"p1", "p2", "p4"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("the file holds positions %v, want %v", got, want)
	}
}

// TestPythonThroughClientWithEachProtocolVersion runs the Python source into
// the Python destination through this repository's Go host with the host
// offering v1 only, v2 only and both (the default): the connector speaks
// the highest offered version, and on each every record arrives once, in
// order, with its acks in order.
func TestPythonThroughClientWithEachProtocolVersion(t *testing.T) {
	entrypoint := pythonConnector(t)
	for _, c := range []struct {
		name    string
		offered []int
		want    int
	}{
		{"v1", []int{client.ProtocolVersion1}, 1},
		{"v2", []int{client.ProtocolVersion2}, 2},
		{"default", nil, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			const count = 300
			source := startClientVersions(t, entrypoint, c.offered)
			destination := startClientVersions(t, entrypoint, c.offered)
			for _, cl := range []*client.Client{source, destination} {
				if got := cl.ProtocolVersion(); got != c.want {
					t.Fatalf("ProtocolVersion() = %d with versions %v offered, want %d", got, c.offered, c.want)
				}
			}
			path := filepath.Join(t.TempDir(), "out.jsonl")
			ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
			defer cancel()
			if err := pipeRecords(ctx, source.Source(), destination.Destination(), count, path); err != nil {
				t.Fatal(err)
			}
			positions := readPositions(t, path)
			if len(positions) != count {
				t.Fatalf("the destination wrote %d records, want %d", len(positions), count)
			}
			for i, position := range positions {
				if want := strconv.Itoa(i + 1); position != want {
					t.Fatalf("record %d in the file has position %q, want %q", i+1, position, want)
				}
			}
		})
	}
}
