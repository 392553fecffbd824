package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/checker"
)

// cplugin runs the command in-process and returns its exit code and output.
func cplugin(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := cplugin(t, "help")
	if code != exitOK || !strings.Contains(out, "cplugin demo") {
		t.Errorf("help: exit %d, output:\n%s", code, out)
	}
	for _, c := range commands() {
		code, out, errOut := cplugin(t, c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Example:") || strings.Count(out, "Usage: cplugin "+c.name) != 1 || errOut != "" {
			t.Errorf("%s --help: exit %d, want 0 and the usage with an example once, on stdout; stdout:\n%s\nstderr:\n%s", c.name, code, out, errOut)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{},
		{"frobnicate"},
		{"check"},
		{"pipe", "builtin:sequence"},
		{"demo", "extra"},
		{"check", "--source-config", "no-equals-sign", "builtin:sequence"},
	}
	for _, args := range tests {
		if code, _, _ := cplugin(t, args...); code != exitUsage {
			t.Errorf("cplugin %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestSpecTable(t *testing.T) {
	code, out, errOut := cplugin(t, "spec", "builtin:sequence")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"sequence v0.1.0", "source parameters:", "payload.format", "one of raw,structured"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSpecJSONUsesTheContractsNames(t *testing.T) {
	code, out, errOut := cplugin(t, "spec", "--json", "builtin:jsonlines")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var spec struct {
		Name              string `json:"name"`
		DestinationParams map[string]struct {
			Type string `json:"type"`
		} `json:"destination_params"`
	}
	if err := json.Unmarshal([]byte(out), &spec); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if spec.Name != "jsonlines" || spec.DestinationParams["path"].Type != "TYPE_FILE" {
		t.Errorf("got %+v, want name file and a path parameter of TYPE_FILE", spec)
	}
}

func TestCheckBuiltinWithFlagsAfterTheConnector(t *testing.T) {
	code, out, errOut := cplugin(t, "check", "builtin:jsonlines", "--destination-config", "max.line.size=2048", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	var report checker.Report
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("not a JSON report: %v\n%s", err, out)
	}
	if len(report.Results) == 0 {
		t.Fatalf("the report has no results: nothing was checked\n%s", out)
	}
	for _, r := range report.Results {
		if r.Status != checker.Pass {
			t.Errorf("%s: %s %s %+v; the flags after the connector must apply", r.ID, r.Status, r.Detail, r.Problems)
		}
	}
}

func TestCheckFailsWithExitCode1(t *testing.T) {
	// The generator refuses an unknown parameter, so Configure fails.
	code, out, _ := cplugin(t, "check", "builtin:sequence", "--source-config", "no.such.parameter=1")
	if code != exitFailed || !strings.Contains(out, "FAIL  source.configure") || !strings.Contains(out, "FAIL: ") {
		t.Errorf("exit %d, want %d and a failed source.configure; output:\n%s", code, exitFailed, out)
	}
}

func TestPipeBuiltin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, stdout, stderr := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "5000", "--destination-config", "path="+out)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	if !strings.Contains(stdout, "no loss   every position produced") || !strings.Contains(stdout, "records/s") {
		t.Errorf("summary lacks the no-loss proof or the rate:\n%s", stdout)
	}
	lines, err := countLines(out)
	if err != nil {
		t.Fatal(err)
	}
	if lines < 5000 {
		t.Errorf("the file has %d lines, want at least 5000", lines)
	}
}

func TestPipeReportsLoss(t *testing.T) {
	code, stdout, _ := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "100",
		"--source-config", "payload.size=1000", "--destination-config", "max.line.size=100")
	if code != exitFailed || !strings.Contains(stdout, "LOSS") || !strings.Contains(stdout, "refused") {
		t.Errorf("exit %d, want %d and a LOSS line about refused records; output:\n%s", code, exitFailed, stdout)
	}
}

// buildBinaries builds packages of this module into a test directory and
// returns it; each binary is named after its package's directory.
func buildBinaries(t *testing.T, pkgs ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs standalone connectors; skipped with -short")
	}
	dir := t.TempDir()
	out, err := exec.Command("go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go build %v: %v\n%s", pkgs, err, out)
	}
	return dir
}

// TestPipeEveryCombination moves records between the examples built-in and
// standalone, in all four combinations: none may lose a record.
func TestPipeEveryCombination(t *testing.T) {
	dir := buildBinaries(t, demoExamples...)
	sources := []string{"builtin:sequence", filepath.Join(dir, "sequence")}
	destinations := []string{"builtin:jsonlines", filepath.Join(dir, "jsonlines")}
	for _, src := range sources {
		for _, dst := range destinations {
			out := filepath.Join(t.TempDir(), "out.jsonl")
			code, stdout, stderr := cplugin(t, "pipe", src, dst, "--records", "3000",
				"--source-config", "payload.format=structured", "--source-config", "operations=create,update,delete,snapshot",
				"--destination-config", "path="+out)
			if code != exitOK || !strings.Contains(stdout, "no loss") {
				t.Errorf("pipe %s %s: exit %d\n%s\n%s", src, dst, code, stdout, stderr)
				continue
			}
			if lines, err := countLines(out); err != nil || lines < 3000 {
				t.Errorf("pipe %s %s: the file has %d lines (%v), want at least 3000", src, dst, lines, err)
			}
		}
	}
}

func TestStandaloneConnectorsGetTheSDKEnvironment(t *testing.T) {
	path := filepath.Join(buildBinaries(t, "./testdata/envconnector"), "envconnector")
	spec := func(args ...string) (summary, author string) {
		t.Helper()
		code, out, errOut := cplugin(t, append([]string{"spec", "--json", path}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var spec struct{ Summary, Author string }
		if err := json.Unmarshal([]byte(out), &spec); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return spec.Summary, spec.Author
	}

	// Without --env the connector starts, because cplugin sets what SDK
	// connectors require.
	if _, author := spec(); author != "cplugin" {
		t.Errorf("CONDUIT_CONNECTOR_ID = %q, want the default %q", author, "cplugin")
	}
	summary, author := spec("--env", "CPLUGIN_TEST_VALUE=hello", "--env", "CONDUIT_CONNECTOR_ID=mine")
	if summary != "hello" || author != "mine" {
		t.Errorf("CPLUGIN_TEST_VALUE = %q, CONDUIT_CONNECTOR_ID = %q; want --env to set %q and override the default with %q", summary, author, "hello", "mine")
	}
}

// TestDemo runs the README's main-job command as a user does.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the examples and runs them; skipped with -short")
	}
	// A fresh cache directory for the example binaries, but the usual Go
	// build cache (which lives under the same directory by default), so
	// that the demo's go build compiles nothing twice.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, errOut := cplugin(t, "demo")
	if code != exitOK {
		t.Fatalf("demo: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"sequence v0.1.0",
		"PASS: 17 passed, 0 failed",
		"PASS: 16 passed, 0 failed",
		"pipe builtin:sequence -> builtin:jsonlines",
		"JSON lines, one per record written",
		"demo: all green",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "no loss   every position produced") != 2 {
		t.Errorf("want the no-loss proof for both pipes:\n%s", out)
	}
}
