package crosslang

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// cpluginBinary builds cmd/cplugin once per test binary and returns its
// path; the tests run it as a user would.
var cpluginBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "crosslang-cplugin-")
	if err != nil {
		return "", err
	}
	binDir = dir
	path := filepath.Join(dir, "cplugin")
	out, err := exec.Command("go", "build", "-o", path, "../../cmd/cplugin").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/cplugin: %w\n%s", err, out)
	}
	return path, nil
})

// binDir is where cpluginBinary built the tool; TestMain removes it.
var binDir string

// runCplugin runs the cplugin tool and returns its stdout and exit status.
func runCplugin(t *testing.T, args ...string) ([]byte, int) {
	t.Helper()
	path, err := cpluginBinary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
	case err != nil:
		t.Fatalf("cplugin %v: %v", args, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("cplugin %v\nstdout:\n%s\nstderr:\n%s", args, stdout.String(), stderr.String())
		}
	})
	return stdout.Bytes(), cmd.ProcessState.ExitCode()
}

// checkReport is the part of `cplugin check --json` the tests read.
type checkReport struct {
	Results []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	} `json:"results"`
}

// checkTimeout bounds each call of `cplugin check`; more than its default,
// because CI runs these tests next to others on a small machine.
const checkTimeout = "15s"

// runCheck runs `cplugin check` on entrypoint and returns the exit status
// and the IDs of the checks by status. max.line.size makes the destinations
// refuse the checker's one large record, so that the negative ack check
// runs instead of being skipped.
func runCheck(t *testing.T, entrypoint string) (int, map[string][]string) {
	t.Helper()
	out, code := runCplugin(t, "check", "--json", "--timeout", checkTimeout,
		"--destination-config", "max.line.size=2048", entrypoint)
	var report checkReport
	if err := json.Unmarshal(out, &report); err != nil {
		t.Fatalf("cplugin check --json printed no JSON report: %v", err)
	}
	byStatus := map[string][]string{}
	for _, r := range report.Results {
		byStatus[r.Status] = append(byStatus[r.Status], r.ID)
	}
	return code, byStatus
}

func TestCpluginCheckPasses(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		code, byStatus := runCheck(t, filepath.Join(dir, "connector"))
		if code != 0 {
			t.Errorf("cplugin check exited with %d, want 0", code)
		}
		for status, ids := range byStatus {
			if status != "pass" {
				t.Errorf("checks with status %q: %v; want every check to pass", status, ids)
			}
		}
		// Both sides were checked, including the negative ack.
		for _, id := range []string{"source.stop-position", "source.resume", "destination.acks", "destination.nack"} {
			if !slices.Contains(byStatus["pass"], id) {
				t.Errorf("check %s did not pass", id)
			}
		}
	})
}

// TestCpluginCheckFailsTheBrokenVariant runs the checker on each example's
// deliberately broken variant: it must fail exactly the check that names the
// fault, as it does for a Go connector with the same fault.
func TestCpluginCheckFailsTheBrokenVariant(t *testing.T) {
	wantFailed := map[string]string{
		"python":     "destination.acks",     // acks out of order
		"typescript": "source.stop-position", // Stop names a position never sent
	}
	for _, lang := range languages {
		t.Run(lang.name, func(t *testing.T) {
			dir := prepare(t, lang)
			code, byStatus := runCheck(t, filepath.Join(dir, "connector-broken"))
			if code != 1 {
				t.Errorf("cplugin check exited with %d, want 1", code)
			}
			// The checker checks each protocol version the connector serves
			// (Python: 1 and 2), so the check may fail once per version.
			failed := slices.Compact(slices.Sorted(slices.Values(byStatus["fail"])))
			if want := []string{wantFailed[lang.name]}; !slices.Equal(failed, want) {
				t.Errorf("failed checks %v, want %v (the variant's fault: %s)", byStatus["fail"], want, lang.fault)
			}
		})
	}
}

func TestCpluginPipeAcrossLanguages(t *testing.T) {
	const records = 2000
	python, typescript := languages[0], languages[1]
	pipes := []struct {
		name        string
		source      func(t *testing.T) string
		destination func(t *testing.T) string
	}{
		{
			name:        "python_source_to_go_file",
			source:      func(t *testing.T) string { return filepath.Join(prepare(t, python), "connector") },
			destination: func(*testing.T) string { return "builtin:jsonlines" },
		},
		{
			name:        "go_generator_to_typescript_destination",
			source:      func(*testing.T) string { return "builtin:sequence" },
			destination: func(t *testing.T) string { return filepath.Join(prepare(t, typescript), "connector") },
		},
		{
			name:        "typescript_source_to_python_destination",
			source:      func(t *testing.T) string { return filepath.Join(prepare(t, typescript), "connector") },
			destination: func(t *testing.T) string { return filepath.Join(prepare(t, python), "connector") },
		},
	}
	for _, pipe := range pipes {
		t.Run(pipe.name, func(t *testing.T) {
			source, destination := pipe.source(t), pipe.destination(t)
			path := filepath.Join(t.TempDir(), "out.jsonl")
			out, code := runCplugin(t, "pipe", "--records", strconv.Itoa(records),
				"--source-config", "payload.format=structured",
				"--destination-config", "path="+path, source, destination)
			// cplugin pipe exits 1 if a record was lost or refused; its
			// summary's wording is the tool's business.
			if code != 0 {
				t.Fatalf("cplugin pipe exited with %d, want 0:\n%s", code, out)
			}
			// The file is a witness independent of cplugin: every record, in
			// order. The source may deliver a few records past --records
			// that it had already sent when it was stopped.
			positions := readPositions(t, path)
			if len(positions) < records {
				t.Fatalf("the file holds %d records, want at least %d", len(positions), records)
			}
			for i, position := range positions {
				if want := strconv.Itoa(i + 1); position != want {
					t.Fatalf("record %d in the file has position %q, want %q", i+1, position, want)
				}
			}
		})
	}
}
