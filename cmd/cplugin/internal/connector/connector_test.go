package connector

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

func TestOpenUnknownBuiltinListsTheKnownOnes(t *testing.T) {
	_, err := Open(context.Background(), "builtin:nope", Options{})
	if err == nil || !strings.Contains(err.Error(), "builtin:jsonlines, builtin:sequence") {
		t.Fatalf("Open: %v, want an error listing the built-in connectors", err)
	}
}

func TestBuiltinOffersOnlyItsPlugins(t *testing.T) {
	for _, observed := range []bool{false, true} {
		var opts Options
		if observed {
			opts.Observer = func(string, proto.Message) {}
		}
		inst, err := Open(context.Background(), "builtin:sequence", opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = inst.Destination.Configure(context.Background(), cpluginv1.DestinationConfigureRequest{})
		if !errors.Is(err, cpluginv1.ErrUnimplemented) {
			t.Errorf("observed %v: destination Configure of the generator: %v, want ErrUnimplemented", observed, err)
		}
		if _, err := inst.Source.Configure(context.Background(), cpluginv1.SourceConfigureRequest{}); err != nil {
			t.Errorf("observed %v: source Configure: %v", observed, err)
		}
		inst.Close()
		inst.Close() // a second Close is harmless
	}
}

func TestObserverSeesWireMessages(t *testing.T) {
	var (
		mu      sync.Mutex
		methods []string
		spec    *connectorv1.Specifier_Specify_Response
	)
	inst, err := Open(context.Background(), "builtin:jsonlines", Options{Observer: func(method string, msg proto.Message) {
		mu.Lock()
		defer mu.Unlock()
		methods = append(methods, method)
		if m, ok := msg.(*connectorv1.Specifier_Specify_Response); ok {
			spec = m
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if _, err := inst.Specifier.Specify(context.Background(), cpluginv1.SpecifierSpecifyRequest{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if spec.GetName() != "jsonlines" || len(methods) != 1 || methods[0] != "/connector.v1.SpecifierPlugin/Specify" {
		t.Errorf("observed %v with spec %v, want one Specify response naming file", methods, spec)
	}
}

// The client decodes a Run stream's records with a codec of its own, into
// the cpluginv1 types: the observer must still see each record as the
// protobuf message that arrived.
func TestObserverSeesRunStreamRecords(t *testing.T) {
	var (
		mu        sync.Mutex
		positions []string
	)
	inst, err := Open(context.Background(), "builtin:sequence", Options{Observer: func(method string, msg proto.Message) {
		if m, ok := msg.(*connectorv1.Source_Run_Response); ok && method == connectorv1.SourcePlugin_Run_FullMethodName {
			mu.Lock()
			defer mu.Unlock()
			positions = append(positions, string(m.GetRecord().GetPosition()))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.ProtocolVersion != client.ProtocolVersion1 {
		t.Errorf("protocol version %d, want 1 (the default for a built-in connector with an observer)", inst.ProtocolVersion)
	}
	readThree(t, inst, &mu, &positions)
}

// TestObserverSeesV2Batches: over protocol v2 the observer sees each Run
// message as it crossed the wire, a connectorv2 batch (here of one record,
// as the server sends every record at once).
func TestObserverSeesV2Batches(t *testing.T) {
	var (
		mu        sync.Mutex
		positions []string
	)
	inst, err := Open(context.Background(), "builtin:sequence", Options{
		ProtocolVersions: []int{client.ProtocolVersion2},
		Observer: func(method string, msg proto.Message) {
			if m, ok := msg.(*connectorv2.Source_Run_Response); ok && method == connectorv2.SourcePlugin_Run_FullMethodName {
				mu.Lock()
				defer mu.Unlock()
				for _, r := range m.GetRecords() {
					positions = append(positions, string(r.GetPosition()))
				}
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.ProtocolVersion != client.ProtocolVersion2 {
		t.Errorf("protocol version %d, want 2", inst.ProtocolVersion)
	}
	readThree(t, inst, &mu, &positions)
}

// readThree reads three records from the sequence source of inst and
// checks that the observer saw exactly them, in order, in *positions.
func readThree(t *testing.T, inst *Instance, mu *sync.Mutex, positions *[]string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := inst.Source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "3"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := inst.Source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatal(err)
	}
	run := cpluginv1.RunSource(ctx, inst.Source)
	var want []string
	for range 3 {
		rec, err := run.Recv()
		if err != nil {
			t.Fatalf("Recv: %v", err)
		}
		want = append(want, string(rec.Record.Position))
	}
	cancel()
	_ = run.Wait()

	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(*positions, want) {
		t.Errorf("the observer saw records at positions %q, want %q", *positions, want)
	}
}

func TestBuiltinWithoutObserverSpeaksNoVersion(t *testing.T) {
	inst, err := Open(context.Background(), "builtin:jsonlines", Options{ProtocolVersions: []int{client.ProtocolVersion2}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if inst.ProtocolVersion != 0 {
		t.Errorf("protocol version %d, want 0: a built-in connector called directly crosses no wire", inst.ProtocolVersion)
	}
}

func TestStartErrorNamesTheConnectorOnce(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/missing"
	_, err := Open(context.Background(), path, Options{})
	var start *StartError
	if !errors.As(err, &start) || start.Ref != path || start.TimedOut {
		t.Fatalf("Open: %v, want a *StartError for %s that did not time out", err, path)
	}
	if n := strings.Count(err.Error(), path); n != 1 || strings.Contains(start.Reason, path) {
		t.Errorf("error %q names %s %d times, reason %q; want the error to name it once, the reason not at all", err, path, n, start.Reason)
	}
}
