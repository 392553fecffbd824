package interop_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// sdkRecords is how many records the SDK source produces in the first run.
const sdkRecords = 20

// startSDKConnector launches a new sdkconnector process with this
// repository's client, with the environment Conduit sets and the SDK
// requires, and closes it when the test ends.
func startSDKConnector(t *testing.T) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := client.New(ctx, client.Config{
		Path: sdkConnector.Path(t),
		// Only what the Config says: the test's environment must not decide
		// whether the connector starts.
		SkipHostEnv:         true,
		ConnectorID:         "interop-sdk-connector",
		Token:               "interop-token",
		UtilitiesGRPCTarget: "127.0.0.1:1", // never dialled: no schema service is used
		LogLevel:            "warn",
		Logger:              slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("start sdkconnector: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// testContext bounds every exchange with a connector, so a hang fails the
// test with a message instead of waiting for the test binary's timeout.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestSDKConnectorWithOurClient drives a connector written with the
// existing Go connector SDK through this repository's client over protocol
// v1, through the whole source and destination lifecycle.
func TestSDKConnectorWithOurClient(t *testing.T) {
	t.Run("refuses to start without the SDK's environment", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		// The client sets CONDUIT_CONNECTOR_TOKEN itself (it serves the
		// connector utilities); Config.Env wins over it, and an empty token
		// is what the SDK refuses.
		c, err := client.New(ctx, client.Config{Path: sdkConnector.Path(t), SkipHostEnv: true, Env: []string{client.EnvToken + "="}})
		if err == nil {
			_ = c.Close()
			t.Fatal("the SDK connector started without CONDUIT_CONNECTOR_TOKEN, want an error from client.New")
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("client.New waited for the start timeout instead of noticing the exit: %v", err)
		}
	})

	t.Run("specify", func(t *testing.T) {
		c := startSDKConnector(t)
		resp, err := c.Specifier().Specify(testContext(t), cpluginv1.SpecifierSpecifyRequest{})
		if err != nil {
			t.Fatalf("specify: %v", err)
		}
		spec := resp.Specification
		if spec.Name != contract.SDKConnectorName || spec.Version != contract.Version || spec.Author == "" || spec.Summary == "" {
			t.Errorf("specification = %q %q by %q (%q); want %q %q with author and summary",
				spec.Name, spec.Version, spec.Author, spec.Summary, contract.SDKConnectorName, contract.Version)
		}
		checkParameter(t, spec.SourceParams, contract.ParamRecords, cpluginv1.ParameterTypeInt, contract.RecordsDefault,
			cpluginv1.Validation{Type: cpluginv1.ValidationTypeGreaterThan, Value: "-1"})
		checkParameter(t, spec.SourceParams, contract.ParamAcksFile, cpluginv1.ParameterTypeString, "",
			cpluginv1.Validation{Type: cpluginv1.ValidationTypeRequired})
		checkParameter(t, spec.DestinationParams, contract.ParamOutputFile, cpluginv1.ParameterTypeString, "",
			cpluginv1.Validation{Type: cpluginv1.ValidationTypeRequired})
		if _, ok := spec.DestinationParams[contract.ParamNackPosition]; !ok {
			t.Errorf("destination parameter %q missing", contract.ParamNackPosition)
		}
	})

	t.Run("source rejects a bad configuration", func(t *testing.T) {
		src := startSDKConnector(t).Source()
		ctx := testContext(t)
		_, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{
			contract.ParamRecords:  "many",
			contract.ParamAcksFile: filepath.Join(t.TempDir(), "acks.txt"),
		}})
		// The SDK sends every error with the status code UNKNOWN, so only
		// the message carries its meaning; it must arrive unchanged.
		if err == nil || !strings.Contains(err.Error(), `"records"`) || !strings.Contains(err.Error(), "not an integer") {
			t.Fatalf("configure with records=many: got %v, want the SDK's validation error about %q", err, contract.ParamRecords)
		}
		if errors.Is(err, cpluginv1.ErrUnimplemented) || errors.Is(err, io.EOF) {
			t.Errorf("configure error %v matches a sentinel the connector did not send", err)
		}
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Errorf("teardown after a failed configure: %v", err)
		}
	})

	t.Run("source run before start fails the stream", func(t *testing.T) {
		src := startSDKConnector(t).Source()
		ctx := testContext(t)
		configureSDKSource(t, ctx, src, sdkRecords, filepath.Join(t.TempDir(), "acks.txt"))
		run := cpluginv1.RunSource(ctx, src)
		rec, err := run.Recv()
		if err == nil || errors.Is(err, io.EOF) {
			t.Fatalf("Recv on a Run before Start: got %v, %v; want the connector's error", rec, err)
		}
		t.Logf("the SDK's error for Run before Start: %v", err)
		if werr := run.Wait(); werr == nil || werr.Error() != err.Error() {
			t.Errorf("Wait = %v, want the error Recv reported (%v)", werr, err)
		}
		_ = run.CloseSend()
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Errorf("teardown: %v", err)
		}
	})

	t.Run("source", func(t *testing.T) {
		src := startSDKConnector(t).Source()
		ctx := testContext(t)
		acksFile := filepath.Join(t.TempDir(), "acks.txt")
		config := configureSDKSource(t, ctx, src, sdkRecords, acksFile)
		if _, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config}); err != nil {
			t.Fatalf("lifecycle on created: %v", err)
		}
		if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
			t.Fatalf("start: %v", err)
		}
		run := cpluginv1.RunSource(ctx, src)
		for index := 1; index <= 3; index++ {
			receiveSourceRecord(t, run, index)
		}
		sendSourceAcks(t, run, 1, 1)

		// Stop with two records unacked and, possibly, more in flight: the
		// SDK names the last record it sent, and the host drains up to it.
		stop, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
		if err != nil {
			t.Fatalf("stop: %v", err)
		}
		last, err := contract.ParsePosition(stop.LastPosition)
		if err != nil || last < 3 || last > sdkRecords {
			t.Fatalf("stop returned last position %q, want one of 3..%d", stop.LastPosition, sdkRecords)
		}
		for index := 4; index <= last; index++ {
			receiveSourceRecord(t, run, index)
		}
		sendSourceAcks(t, run, 2, last)
		endSourceRun(t, run)
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Fatalf("teardown: %v", err)
		}
		// The stream is ordered: the SDK ended Run only after the close,
		// which followed every ack, so the connector has seen them all.
		checkAcks(t, acksFile, 1, last)
	})

	t.Run("source resumes after a position in a new process", func(t *testing.T) {
		src := startSDKConnector(t).Source()
		ctx := testContext(t)
		acksFile := filepath.Join(t.TempDir(), "acks.txt")
		before := map[string]string{contract.ParamRecords: strconv.Itoa(sdkRecords), contract.ParamAcksFile: acksFile}
		after := configureSDKSource(t, ctx, src, 4, acksFile)
		if _, err := src.LifecycleOnUpdated(ctx, cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: after}); err != nil {
			t.Fatalf("lifecycle on updated: %v", err)
		}
		if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{Position: contract.Position(2)}); err != nil {
			t.Fatalf("start: %v", err)
		}
		run := cpluginv1.RunSource(ctx, src)
		receiveSourceRecord(t, run, 3)
		receiveSourceRecord(t, run, 4)
		sendSourceAcks(t, run, 3, 4)
		stop, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
		if err != nil {
			t.Fatalf("stop: %v", err)
		}
		if string(stop.LastPosition) != "4" {
			t.Fatalf("stop returned last position %q, want %q: the source had nothing left to send", stop.LastPosition, "4")
		}
		endSourceRun(t, run)
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Fatalf("teardown: %v", err)
		}
		checkAcks(t, acksFile, 3, 4)
	})

	t.Run("source lifecycle on deleted", func(t *testing.T) {
		src := startSDKConnector(t).Source()
		ctx := testContext(t)
		config := configureSDKSource(t, ctx, src, sdkRecords, filepath.Join(t.TempDir(), "acks.txt"))
		if _, err := src.LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Fatalf("lifecycle on deleted: %v", err)
		}
		if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Fatalf("teardown: %v", err)
		}
	})

	t.Run("destination rejects a bad configuration", func(t *testing.T) {
		dst := startSDKConnector(t).Destination()
		ctx := testContext(t)
		_, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{}})
		if err == nil || !strings.Contains(err.Error(), `"output_file"`) || !strings.Contains(err.Error(), "required") {
			t.Fatalf("configure without %s: got %v, want the SDK's error that it is required", contract.ParamOutputFile, err)
		}
		if _, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
			t.Errorf("teardown after a failed configure: %v", err)
		}
	})

	t.Run("destination", func(t *testing.T) {
		dst := startSDKConnector(t).Destination()
		ctx := testContext(t)
		outputFile := filepath.Join(t.TempDir(), "output.jsonl")
		const records, nackIndex = 5, 3
		config := map[string]string{
			contract.ParamOutputFile:   outputFile,
			contract.ParamNackPosition: string(contract.Position(nackIndex)),
		}
		if _, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: config}); err != nil {
			t.Fatalf("configure: %v", err)
		}
		if _, err := dst.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}); err != nil {
			t.Fatalf("lifecycle on created: %v", err)
		}
		if _, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
			t.Fatalf("start: %v", err)
		}
		run := cpluginv1.RunDestination(ctx, dst)
		// Records 4 and 5 go out before the ack of 3 (a negative ack) is
		// read: the stream stays open after a negative ack.
		for index := 1; index <= records; index++ {
			if err := run.Send(cpluginv1.DestinationRunRequest{Record: contractRecord(index)}); err != nil {
				t.Fatalf("send record %d: %v", index, err)
			}
		}
		var got, want []cpluginv1.DestinationRunResponse
		for index := 1; index <= records; index++ {
			ack, err := run.Recv()
			if err != nil {
				t.Fatalf("receive ack %d: %v", index, err)
			}
			got = append(got, ack)
			wantAck := cpluginv1.DestinationRunResponse{AckPosition: contract.Position(index)}
			if index == nackIndex {
				wantAck.Error = contract.NackError(wantAck.AckPosition)
			}
			want = append(want, wantAck)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("acks differ (-want +got):\n%s", diff)
		}
		if _, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: contract.Position(records)}); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if err := run.CloseSend(); err != nil {
			t.Fatalf("close send: %v", err)
		}
		if ack, err := run.Recv(); !errors.Is(err, io.EOF) {
			t.Fatalf("Recv after CloseSend = %v, %v; want io.EOF", ack, err)
		}
		if err := run.Wait(); err != nil {
			t.Fatalf("Run ended with %v, want nil", err)
		}
		if _, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
			t.Fatalf("teardown: %v", err)
		}
		var wantWritten []contract.WrittenRecord
		for index := 1; index <= records; index++ {
			if index != nackIndex {
				wantWritten = append(wantWritten, expectedWrittenRecord(index))
			}
		}
		written, err := contract.ReadWrittenRecords(outputFile)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantWritten, written); diff != "" {
			t.Errorf("records the SDK destination wrote differ (-want +got):\n%s", diff)
		}
	})
}

func configureSDKSource(t *testing.T, ctx context.Context, src cpluginv1.SourcePlugin, records int, acksFile string) map[string]string {
	t.Helper()
	config := map[string]string{contract.ParamRecords: strconv.Itoa(records), contract.ParamAcksFile: acksFile}
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	return config
}

func checkParameter(t *testing.T, params map[string]cpluginv1.Parameter, name string, typ cpluginv1.ParameterType, def string, validation cpluginv1.Validation) {
	t.Helper()
	param, ok := params[name]
	if !ok {
		t.Errorf("parameter %q missing", name)
		return
	}
	if param.Type != typ || param.Default != def || param.Description == "" {
		t.Errorf("parameter %q: type %v, default %q, description %q; want type %v, default %q and a description",
			name, param.Type, param.Default, param.Description, typ, def)
	}
	if !slices.Contains(param.Validations, validation) {
		t.Errorf("parameter %q: validations %v lack %v", name, param.Validations, validation)
	}
}

// contractRecord is the contract's record with the given index as a host
// sends it.
func contractRecord(index int) cpluginv1.Record {
	return cpluginv1.Record{
		Position:  contract.Position(index),
		Operation: cpluginv1.OperationCreate,
		Metadata:  contract.Metadata(index),
		Key:       cpluginv1.RawData(contract.Key(index)),
		Payload:   cpluginv1.Change{After: cpluginv1.StructuredData(contract.Payload(index))},
	}
}

func receiveSourceRecord(t *testing.T, run *cpluginv1.SourceRun, index int) {
	t.Helper()
	resp, err := run.Recv()
	if err != nil {
		t.Fatalf("receive record %d: %v", index, err)
	}
	want := contractRecord(index)
	want.Payload.After = cpluginv1.StructuredData(contract.ReceivedPayload(index))
	if diff := cmp.Diff(want, resp.Record); diff != "" {
		t.Fatalf("record %d differs from the contract (-want +got):\n%s", index, diff)
	}
}

func sendSourceAcks(t *testing.T, run *cpluginv1.SourceRun, first, last int) {
	t.Helper()
	for index := first; index <= last; index++ {
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: contract.Position(index)}); err != nil {
			t.Fatalf("send ack %d: %v", index, err)
		}
	}
}

// endSourceRun closes the host's side of a fully drained and acked source
// stream and checks that the connector then ends it normally.
func endSourceRun(t *testing.T, run *cpluginv1.SourceRun) {
	t.Helper()
	if err := run.CloseSend(); err != nil {
		t.Fatalf("close send: %v", err)
	}
	if rec, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the last record and CloseSend = %v, %v; want io.EOF", rec, err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Run ended with %v, want nil", err)
	}
}

func checkAcks(t *testing.T, acksFile string, first, last int) {
	t.Helper()
	acks, err := contract.ReadAcks(acksFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := contract.Positions(first, last); !slices.Equal(acks, want) {
		t.Errorf("the connector recorded acks %v, want %v", acks, want)
	}
}

func expectedWrittenRecord(index int) contract.WrittenRecord {
	key := string(contract.Key(index))
	return contract.WrittenRecord{
		Position:  string(contract.Position(index)),
		Operation: contract.OperationCreate,
		Metadata:  contract.Metadata(index),
		Key:       contract.WrittenData{Raw: &key},
		After:     contract.WrittenData{Structured: contract.ReceivedPayload(index)},
	}
}
