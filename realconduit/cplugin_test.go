//go:build unix

package realconduit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The cplugin command of this repository, built once per test binary.
var (
	cpluginOnce sync.Once
	cpluginPath string
	cpluginErr  error
)

func cplugin(t *testing.T) string {
	t.Helper()
	cpluginOnce.Do(func() {
		dir := filepath.Join(binDir, "cplugin-bin")
		if cpluginErr = os.MkdirAll(dir, 0o755); cpluginErr != nil {
			return
		}
		cpluginPath = filepath.Join(dir, "cplugin")
		cmd := exec.Command("go", "build", "-o", cpluginPath, "./cmd/cplugin")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			cpluginErr = fmt.Errorf("go build ./cmd/cplugin: %w\n%s", err, out)
		}
	})
	if cpluginErr != nil {
		t.Fatal(cpluginErr)
	}
	return cpluginPath
}

// runCplugin runs cplugin with args in a directory of its own and returns
// its stdout and stderr.
func runCplugin(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cplugin(t), args...)
	cmd.Dir = t.TempDir()
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}

// generatorConfig makes the SDK generator produce structured records; its
// schema settings stay at their defaults (extract and register the schema
// of every key and payload).
var generatorConfig = []string{
	"--source-config", "format.type=structured",
	"--source-config", "format.options.id=int",
	"--source-config", "format.options.name=string",
}

// TestCpluginPipeRunsTheSDKGenerator: `cplugin pipe` moves the SDK
// generator's structured records, in its default settings, into the
// jsonlines destination: every record written, read back from the file,
// and the payload schema the connector registered with cplugin's connector
// utilities listed.
func TestCpluginPipeRunsTheSDKGenerator(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out.jsonl")
	args := append([]string{"pipe", sdkGenerator.Path(t), "builtin:jsonlines", "--records", "500", "--destination-config", "path=" + out}, generatorConfig...)
	stdout, stderr, err := runCplugin(t, args...)
	if err != nil {
		t.Fatalf("cplugin pipe: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	// The SDK names the subject after the connector ID, which the client
	// sets to the executable's name.
	subject := filepath.Base(sdkGenerator.Path(t)) + ":payload"
	for _, want := range []string{
		"500 produced, 500 written, 500 acked back to the source",
		"positions in the file = positions produced, in order (500 lines",
		"schemas   " + subject + " version 1 (avro",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("cplugin pipe's summary lacks %q:\n%s", want, stdout)
		}
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(written, []byte("\n")); lines != 500 {
		t.Errorf("the file holds %d lines, want 500", lines)
	}
	if !bytes.Contains(written, []byte(`"opencdc.payload.schema.subject":"`+subject+`"`)) {
		t.Errorf("the records do not name their payload schema: %.300s", written)
	}
}

// TestCpluginCheckPassesTheSDKGeneratorsSource: every source check of
// `cplugin check` passes for the SDK generator in its default settings
// (SHOULD rules may warn). The generator has no destination, and the SDK
// exits when a host calls one (it calls a nil destination), so the
// destination checks are not asserted.
func TestCpluginCheckPassesTheSDKGeneratorsSource(t *testing.T) {
	t.Parallel()
	args := append([]string{"check", "--json", sdkGenerator.Path(t)}, generatorConfig...)
	stdout, stderr, err := runCplugin(t, args...)
	var report struct {
		Results []struct {
			ID     string `json:"id"`
			Level  string `json:"level"`
			Status string `json:"status"`
			Detail string `json:"detail"`
		} `json:"results"`
	}
	if jerr := json.Unmarshal([]byte(stdout), &report); jerr != nil {
		t.Fatalf("cplugin check --json: %v (exit: %v)\nstdout:\n%s\nstderr:\n%s", jerr, err, stdout, stderr)
	}
	sourceChecks := 0
	for _, r := range report.Results {
		if !strings.HasPrefix(r.ID, "source.") && !strings.HasPrefix(r.ID, "spec.") && r.ID != "connect" {
			continue
		}
		sourceChecks++
		switch {
		case r.Status == "pass":
		case r.Status == "warn" && r.Level == "SHOULD":
			t.Logf("%s: warning (SHOULD): %s", r.ID, r.Detail)
		default:
			t.Errorf("%s: %s, want pass: %s", r.ID, r.Status, r.Detail)
		}
	}
	if sourceChecks < 10 {
		t.Fatalf("only %d connect, spec and source checks in the report, want all of them:\n%s", sourceChecks, stdout)
	}
}
