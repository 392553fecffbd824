package checker

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// binaries holds the standalone connectors the tests build once per test
// binary: the broken ones in testdata/broken and the two good examples.
var binaries struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// buildConnectors builds every test connector with one `go build` (which
// links them in parallel) and returns the directory holding them.
func buildConnectors(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs standalone connectors; skipped with -short")
	}
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "cplugin-checker-test-")
		if binaries.err != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binaries.dir+string(filepath.Separator),
			"./testdata/broken/...",
			"github.com/connectorkit/conduit-connector-protocol/examples/sequence/cmd/sequence",
			"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines/cmd/jsonlines",
		)
		out, err := cmd.CombinedOutput()
		if err != nil {
			binaries.err = err
			binaries.dir = ""
			t.Logf("go build: %s", out)
		}
	})
	if binaries.err != nil {
		t.Fatalf("build the test connectors: %v", binaries.err)
	}
	return binaries.dir
}

// standaloneLauncher opens the connector at path offering the protocol
// version of cfg.Protocol, or both if it is 0.
func standaloneLauncher(path string, version int) Launcher {
	return func(ctx context.Context, observe connector.Observer) (*connector.Instance, error) {
		opts := connector.Options{Observer: observe, StartTimeout: 30 * time.Second}
		if version != 0 {
			opts.ProtocolVersions = []int{version}
		}
		return connector.Open(ctx, path, opts)
	}
}

// versions are the protocol versions the standalone checks run over.
var versions = []int{client.ProtocolVersion1, client.ProtocolVersion2}

func runCheck(t *testing.T, path string, cfg Config) Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg.Connector = path
	cfg.Launch = standaloneLauncher(path, cfg.Protocol)
	report := Run(ctx, cfg)
	for _, r := range report.Results {
		if r.Status != Pass {
			t.Logf("%s %s: %s %+v", r.Status, r.ID, r.Detail, r.Problems)
		}
	}
	return report
}

// TestCheckCatchesEachBrokenConnector is the checker's own conformance test:
// each broken connector violates one rule, and the checks that name the
// rule, and only those checks, must report it.
func TestCheckCatchesEachBrokenConnector(t *testing.T) {
	t.Parallel()
	dir := buildConnectors(t)
	tests := []struct {
		connector string
		checks    []string
		status    Status
		reason    string // a piece of the problem's reason that names the fault
	}{
		// The checker's own verdict (ackVerdict), not the host's words.
		{"ack-order", []string{"destination.acks"}, Fail, `ack 1 names position "cplugin-check-2", of record 2, but the oldest record not acked yet is record 1`},
		{"empty-name", []string{"spec.name"}, Fail, "Specifier.Specify.Response breaks a rule of the contract: name: must be at least 1"},
		{"bad-version", []string{"spec.version"}, Warn, `"1.2.3" is not "v"-prefixed`},
		{"generic-error", []string{"source.lifecycle", "source.deleted"}, Fail, `answered INTERNAL ("lifecycle events are not supported")`},
		{"lifecycle-unimplemented", []string{"destination.lifecycle"}, Fail, "answered LifecycleOnCreated with Unimplemented (\"nothing to do: unimplemented\"): the Conduit server fails the pipeline"},
		{"deleted-unconfigured", []string{"source.deleted"}, Fail, "as the first call of a fresh process (no Configure before it), LifecycleOnDeleted answered FAILED_PRECONDITION"},
		{"panic-run", []string{"source.run"}, Fail, "panic: the source lost track"},
		{"hang-stop", []string{"source.stop"}, Fail, "did not answer within"},
		{"stop-position", []string{"source.stop-position"}, Fail, "did not reach it"},
		{"invalid-record", []string{"source.records"}, Fail, "Source.Run.Response breaks a rule of the contract: record.operation: must not be in list [0]"},
	}
	// The reasons over protocol v2 where they differ: the v2 message is
	// named with its version, and the observer validates a Run message's
	// whole batch (here a batch of one).
	reasonsV2 := map[string]string{
		"empty-name":     "v2 Specifier.Specify.Response breaks a rule of the contract: specification.name: must be at least 1",
		"invalid-record": "v2 Source.Run.Response breaks a rule of the contract: records[0].operation: must not be in list [0]",
	}
	for _, tt := range tests {
		for _, version := range versions {
			reason := tt.reason
			if v2, ok := reasonsV2[tt.connector]; ok && version == client.ProtocolVersion2 {
				reason = v2
			}
			t.Run(fmt.Sprintf("%s/v%d", tt.connector, version), func(t *testing.T) {
				t.Parallel()
				// A short timeout keeps the deliberate hangs short; healthy
				// calls on a local connector take milliseconds.
				report := runCheck(t, filepath.Join(dir, tt.connector), Config{Timeout: 5 * time.Second, Protocol: version})
				checkCaught(t, report, tt.checks, tt.status, reason)
			})
		}
	}
}

// checkCaught asserts that the checks named, and only those, report the
// fault of a broken connector with status and a reason containing reason.
func checkCaught(t *testing.T, report Report, checks []string, status Status, reason string) {
	t.Helper()
	found := map[string]bool{}
	for _, r := range report.Results {
		switch {
		case slices.Contains(checks, r.ID):
			found[r.ID] = true
			if r.Status != status {
				t.Errorf("%s: status %s, want %s", r.ID, r.Status, status)
				continue
			}
			if len(r.Problems) == 0 || !strings.Contains(r.Problems[0].Reason, reason) {
				t.Errorf("%s: problems %+v, want a reason containing %q", r.ID, r.Problems, reason)
			}
		case r.Status != Pass && r.Status != Skip:
			t.Errorf("%s: status %s (%+v); only %v may report the fault", r.ID, r.Status, r.Problems, checks)
		}
	}
	for _, id := range checks {
		if !found[id] {
			t.Errorf("no result for %s", id)
		}
	}
	if wantOK := status == Warn; report.OK != wantOK {
		t.Errorf("report.OK = %v, want %v (warnings do not fail a run)", report.OK, wantOK)
	}
}

func TestCheckPassesStandaloneExamples(t *testing.T) {
	t.Parallel()
	dir := buildConnectors(t)
	tests := []struct {
		connector string
		cfg       Config
		offers    string
	}{
		{"sequence", Config{}, "source"},
		{"jsonlines", Config{}, "destination"},
		// A size limit makes the destination refuse the larger test record,
		// so the negative-ack check runs instead of being skipped.
		{"jsonlines", Config{DestinationConfig: map[string]string{"max.line.size": "2048"}}, "destination"},
	}
	for _, tt := range tests {
		for _, version := range versions {
			t.Run(fmt.Sprintf("%s/v%d", tt.connector, version), func(t *testing.T) {
				t.Parallel()
				cfg := tt.cfg
				cfg.Protocol = version
				report := runCheck(t, filepath.Join(dir, tt.connector), cfg)
				checkPassed(t, report, tt.offers, tt.cfg.DestinationConfig != nil)
			})
		}
	}
}

// checkPassed asserts that report passes without warnings, finds offers
// offered, and skips nothing but destination.nack (and that only if
// nackConfigured is false).
func checkPassed(t *testing.T, report Report, offers string, nackConfigured bool) {
	t.Helper()
	if len(report.Results) == 0 {
		t.Fatal("no results: nothing was checked")
	}
	if !report.OK || report.Summary.Warnings > 0 {
		t.Errorf("report OK %v with %d warnings, want OK without warnings", report.OK, report.Summary.Warnings)
	}
	if strings.Join(report.Offers, ",") != offers {
		t.Errorf("offers %v, want %s", report.Offers, offers)
	}
	for _, r := range report.Results {
		if r.Status == Skip && (r.ID != "destination.nack" || nackConfigured) {
			t.Errorf("%s skipped: %s", r.ID, r.Detail)
		}
	}
}

func TestCheckReportsAConnectorThatDoesNotStart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "not-a-connector")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho 'hello'\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	report := runCheck(t, path, Config{Timeout: 2 * time.Second})
	if report.OK || report.Results[0].ID != "connect" || report.Results[0].Status != Fail {
		t.Fatalf("report %+v, want the connect check to fail", report)
	}
	for _, r := range report.Results[1:] {
		if r.Status != Skip {
			t.Errorf("%s: %s, want skip after a failed connect", r.ID, r.Status)
		}
	}
}
