package interop_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// legacyHostResult is what legacyhost printed: its steps by name.
type legacyHostResult map[string]map[string]any

// runLegacyHost runs legacyhost against the connector and returns its steps.
// legacyhost checks every record, ack and position itself and exits
// non-zero on the first mismatch; the caller checks what depends on the
// connector.
func runLegacyHost(t *testing.T, connector, name string, extraArgs ...string) legacyHostResult {
	t.Helper()
	args := append([]string{"-connector", connector, "-name", name}, extraArgs...)
	return runLegacyHostScenario(t, []string{"specify", "source bad config", "source", "source resume", "destination bad config", "destination", "done"}, args...)
}

// runLegacyHostScenario runs legacyhost with args and checks that it
// printed the wantSteps.
func runLegacyHostScenario(t *testing.T, wantSteps []string, extraArgs ...string) legacyHostResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	// A data race in a connector built with -race stops it at once; the
	// report goes to a file because go-plugin logs a connector's raw stderr
	// only at debug level.
	raceReports := filepath.Join(t.TempDir(), "race")
	args := append([]string{
		"-work", t.TempDir(),
		"-records", "20",
		"-env", "GORACE=halt_on_error=1 log_path=" + raceReports,
	}, extraArgs...)
	cmd := exec.CommandContext(ctx, legacyHost.Path(t), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	reports, _ := filepath.Glob(raceReports + ".*")
	for _, report := range reports {
		b, _ := os.ReadFile(report)
		t.Errorf("the connector reported a data race:\n%s", b)
	}
	if err != nil {
		t.Fatalf("legacyhost failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}

	steps := legacyHostResult{}
	scanner := bufio.NewScanner(&stdout)
	for scanner.Scan() {
		var step map[string]any
		if err := json.Unmarshal(scanner.Bytes(), &step); err != nil {
			t.Fatalf("legacyhost printed %q, not a JSON object: %v", scanner.Text(), err)
		}
		name, _ := step["step"].(string)
		steps[name] = step
	}
	for _, want := range wantSteps {
		if _, ok := steps[want]; !ok {
			t.Fatalf("legacyhost printed no %q step; stdout:\n%s", want, stdout.String())
		}
	}
	return steps
}

// protocols are the connector protocol versions legacyhost runs our
// connectors over, as -protocol values: the existing host client offers
// both, and legacyhost keeps one.
var protocols = []string{"1", "2"}

// protocolNumber is a -protocol value as legacyhost's JSON has it.
func protocolNumber(protocol string) float64 {
	n, _ := strconv.ParseFloat(protocol, 64)
	return n
}

// TestLegacyHostWithOurConnector launches a connector written with this
// repository from the existing Conduit host client, forced to protocol v1
// and then to v2, and drives its specifier, source and destination through
// their whole lifecycle (see package legacyhost for every check it makes).
// The scripted steps and their results are the same over both versions; on
// v2 the acks the host sends in one message are one batch.
func TestLegacyHostWithOurConnector(t *testing.T) {
	for _, protocol := range protocols {
		t.Run("v"+protocol, func(t *testing.T) {
			steps := runLegacyHost(t, ourConnector.Path(t), contract.OurConnectorName,
				"-protocol", protocol,
				// ourconnector ends its source stream once stopped and
				// fully acked, which proves every ack reached it before
				// the host cancelled the stream.
				"-source-ends-stream")

			want := legacyHostResult{
				"specify": {
					"step": "specify", "protocol_version": protocolNumber(protocol), "name": contract.OurConnectorName,
					"version": contract.Version, "source_params": 2.0, "destination_params": 2.0,
				},
				// Errors keep their message across the boundary: the
				// existing host sees exactly what the connector returned.
				// (It drops the status code INVALID_ARGUMENT, which it has
				// no error value for.)
				"source bad config": {
					"step":  "source bad config",
					"error": `configure source: records must be a non-negative integer, got "many": invalid argument`,
				},
				"destination bad config": {
					"step":  "destination bad config",
					"error": `configure destination: parameter "output_file" is required: invalid argument`,
				},
				// The destination has nothing to do for the lifecycle
				// event and answers success
				// (cpluginv1.UnimplementedDestinationPlugin does): the
				// Conduit server fails the pipeline on UNIMPLEMENTED.
				"destination": {
					"step": "destination", "lifecycle_on_created": "ok",
					"acks": 20.0, "nack_error": contract.NackError(contract.Position(3)), "written": 19.0,
				},
				"source resume": {"step": "source resume", "lifecycle_on_updated": "ok", "last_position": "4"},
			}
			for name, wantStep := range want {
				if diff := cmp.Diff(wantStep, steps[name]); diff != "" {
					t.Errorf("legacyhost step %q differs (-want +got):\n%s", name, diff)
				}
			}
			if got := steps["source"]["lifecycle_on_created"]; got != "ok" {
				t.Errorf("source lifecycle on created = %v, want ok", got)
			}
		})
	}
}

// TestLegacyHostWithSDKConnector is the control for
// TestLegacyHostWithOurConnector, over both versions: the existing host and
// a connector written with the existing SDK must pass the same checks, so
// that a failure there points at this repository and not at legacyhost or
// the contract.
func TestLegacyHostWithSDKConnector(t *testing.T) {
	for _, protocol := range protocols {
		t.Run("v"+protocol, func(t *testing.T) {
			steps := runLegacyHost(t, sdkConnector.Path(t), contract.SDKConnectorName, "-protocol", protocol)
			if got, want := steps["specify"]["protocol_version"], protocolNumber(protocol); got != want {
				t.Errorf("negotiated protocol version %v, want %v", got, want)
			}
			if got := steps["destination"]["lifecycle_on_created"]; got != "ok" {
				t.Errorf("the SDK destination answered lifecycle on created with %v, want ok", got)
			}
		})
	}
}

// TestLegacyHostPipelineWithOurExamples runs this repository's reference
// connectors (examples/sequence as the source, examples/jsonlines as the
// destination) as a pipeline under the existing Conduit host client, each
// in its own process, over protocol v1 and then v2: records flow from one
// to the other and acks back, the source is stopped halfway and the
// pipeline drains to the position Stop named. The source sends batches of
// 4 (it is served through cpluginv2): on v2 the existing client receives
// them as one message each, on v1 one record per message.
func TestLegacyHostPipelineWithOurExamples(t *testing.T) {
	for _, protocol := range protocols {
		t.Run("v"+protocol, func(t *testing.T) {
			steps := runLegacyHostScenario(t, []string{"pipeline", "done"},
				"-scenario", "pipeline",
				"-protocol", protocol,
				"-batch", "4",
				"-source", exampleGenerator.Path(t),
				"-destination", exampleFile.Path(t),
			)
			largestBatch := 1.0
			if protocol == "2" {
				largestBatch = 4
			}
			// Neither example has anything to do for lifecycle events:
			// both answer success, as the Conduit server requires.
			want := map[string]any{
				"step": "pipeline", "records": 20.0, "largest_batch": largestBatch,
				"source_lifecycle_on_created": "ok", "destination_lifecycle_on_created": "ok",
			}
			got := steps["pipeline"]
			// How far the generator got before Stop is up to it;
			// legacyhost checked that it is at least halfway and that
			// every record up to it arrived.
			if records, _ := got["records"].(float64); records >= 10 && records <= 20 {
				want["records"] = records
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("legacyhost pipeline step differs (-want +got):\n%s", diff)
			}
		})
	}
}
