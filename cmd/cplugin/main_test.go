package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/checker"
)

// cplugin runs the command in-process and returns its exit code and output.
func cplugin(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// cpluginWithin is cplugin, but fails the test if the command has not
// returned within limit: for commands whose bug under test is a long wait.
func cpluginWithin(t *testing.T, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type result struct {
		code           int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		done <- result{code, out.String(), errOut.String()}
	}()
	select {
	case r := <-done:
		return r.code, r.stdout, r.stderr
	case <-time.After(limit):
		t.Fatalf("cplugin %s did not return within %v", strings.Join(args, " "), limit)
		return 0, "", ""
	}
}

// binaries holds the executables the tests build once per test binary:
// the examples, the test connectors in testdata and cplugin itself.
var binaries struct {
	once sync.Once
	dir  string
	err  error
	out  []byte
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// buildBinaries builds every test executable with one `go build` and
// returns the directory holding them; each is named after its package's
// directory.
func buildBinaries(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs standalone connectors; skipped with -short")
	}
	binaries.once.Do(func() {
		binaries.dir, binaries.err = os.MkdirTemp("", "cplugin-test-")
		if binaries.err != nil {
			return
		}
		// The go command leaves directories named testdata out of "..."
		// patterns: the test connectors are listed one by one.
		args := append([]string{
			"build", "-o", binaries.dir + string(filepath.Separator), ".",
			"./testdata/envconnector", "./testdata/faultyjsonlines", "./testdata/hang", "./testdata/v1only",
		}, demoExamples...)
		binaries.out, binaries.err = exec.Command("go", args...).CombinedOutput()
	})
	if binaries.err != nil {
		t.Fatalf("go build: %v\n%s", binaries.err, binaries.out)
	}
	return binaries.dir
}

func TestHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := cplugin(t, "help")
	if code != exitOK || !strings.Contains(out, "cplugin demo") || !strings.Contains(out, "--version") {
		t.Errorf("help: exit %d, output:\n%s", code, out)
	}
	for _, c := range commands() {
		code, out, errOut := cplugin(t, c.name, "--help")
		if code != exitOK || !strings.Contains(out, "Example:") || strings.Count(out, "Usage: cplugin "+c.name) != 1 || errOut != "" {
			t.Errorf("%s --help: exit %d, want 0 and the usage with an example once, on stdout; stdout:\n%s\nstderr:\n%s", c.name, code, out, errOut)
		}
		// Every command that starts a connector bounds the start.
		if c.name != "demo" && !strings.Contains(out, "-start-timeout") {
			t.Errorf("%s --help lacks --start-timeout:\n%s", c.name, out)
		}
	}
	_, out, _ = cplugin(t, "pipe", "--help")
	for _, want := range []string{"moves exactly N records", "neither written nor acked", "a second Ctrl-C aborts"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("pipe --help does not say %q:\n%s", want, out)
		}
	}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := cplugin(t, "--version")
	// A test binary carries no module version: "(devel)".
	if code != exitOK || !strings.HasPrefix(out, "cplugin (devel) (module "+modulePath) {
		t.Errorf("--version: exit %d, output %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	tests := [][]string{
		{},
		{"frobnicate"},
		{"check"},
		{"pipe", "builtin:sequence"},
		{"demo", "extra"},
		{"check", "--source-config", "no-equals-sign", "builtin:sequence"},
		{"check", "--records", "1", "builtin:sequence"},
	}
	for _, args := range tests {
		if code, _, _ := cplugin(t, args...); code != exitUsage {
			t.Errorf("cplugin %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"chek", "builtin:sequence"}, `unknown command "chek"; did you mean check?`},
		{[]string{"sepc"}, "did you mean spec?"},
		{[]string{"pipe", "--record", "5"}, "did you mean --records?"},
		{[]string{"check", "--destination-confg", "a=b"}, "did you mean --destination-config?"},
	}
	for _, tt := range tests {
		code, out, errOut := cplugin(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("cplugin %v: exit %d, stderr %q, stdout %q; want exit %d and %q on stderr only", tt.args, code, errOut, out, exitUsage, tt.want)
		}
	}
	if got := suggest("xyzzy", []string{"spec", "check", "pipe", "demo"}); got != "" {
		t.Errorf("suggest(xyzzy) = %q, want no suggestion", got)
	}
}

func TestUnknownConfigKeysAreRefusedWithTheValidOnes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string
	}{
		{
			[]string{"pipe", "builtin:sequence", "builtin:jsonlines", "--source-config", "recrods=5"},
			[]string{`builtin:sequence declares no source parameter "recrods"; did you mean records?`, "operations, payload.format, payload.size, records"},
		},
		{
			[]string{"check", "builtin:jsonlines", "--destination-config", "pth=out.jsonl"},
			[]string{`did you mean path?`, "max.line.size, path"},
		},
		{
			[]string{"check", "builtin:jsonlines", "--source-config", "records=5"},
			[]string{"it declares no source parameters at all"},
		},
	}
	for _, tt := range tests {
		code, out, errOut := cplugin(t, tt.args...)
		if code != exitUsage || out != "" {
			t.Errorf("cplugin %v: exit %d, stdout %q; want exit %d and nothing on stdout", tt.args, code, out, exitUsage)
		}
		for _, want := range tt.want {
			if !strings.Contains(errOut, want) {
				t.Errorf("cplugin %v: stderr lacks %q:\n%s", tt.args, want, errOut)
			}
		}
	}
}

func TestSpecTable(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
		t.Errorf("got %+v, want name jsonlines and a path parameter of TYPE_FILE", spec)
	}
}

func TestCheckBuiltinWithFlagsAfterTheConnector(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	// The sequence refuses a negative count, so Configure fails.
	code, out, _ := cplugin(t, "check", "builtin:sequence", "--source-config", "records=-3")
	if code != exitFailed || !strings.Contains(out, "FAIL  source.configure") || !strings.Contains(out, "FAIL: ") {
		t.Errorf("exit %d, want %d and a failed source.configure; output:\n%s", code, exitFailed, out)
	}
}

// fileLines reads the lines of a file.
func fileLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestPipeMovesExactlyTheRecordsAskedFor(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, stdout, stderr := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "10", "--destination-config", "path="+out)
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
	}
	for _, want := range []string{
		"records   10 produced, 10 written, 10 acked back to the source",
		`acks      positions acked by the destination = positions produced by the source ("1" ... "10")`,
		"file      read back from " + out + ":\n            positions in the file = positions produced, in order (10 lines;",
		"records/s",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if lines := fileLines(t, out); len(lines) != 10 {
		t.Errorf("the file has %d lines, want exactly 10", len(lines))
	}
}

func TestPipeRefusesANegativeRecordCount(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "-5")
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "--records -5: want the number of records to move, or 0") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a usage error about -5", code, stdout, stderr)
	}
}

func TestPipeReportsRefusedRecords(t *testing.T) {
	t.Parallel()
	code, stdout, _ := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "100",
		"--source-config", "payload.size=1000", "--destination-config", "max.line.size=100")
	if code != exitFailed || !strings.Contains(stdout, "acks      INCOMPLETE: the destination refused") {
		t.Errorf("exit %d, want %d and an INCOMPLETE line about refused records; output:\n%s", code, exitFailed, stdout)
	}
}

func TestPipeConfigurationErrorPrintsNoSummary(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := cplugin(t, "pipe", "builtin:sequence", "builtin:jsonlines", "--source-config", "records=-3")
	if code != exitFailed || stdout != "" || !strings.Contains(stderr, "configure source: ") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1, the configure error and no summary", code, stdout, stderr)
	}
}

func TestPipeNamesWhatAConnectorOffers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"builtin:jsonlines", "builtin:sequence"}, "builtin:jsonlines has no source: it answers source calls with Unimplemented"},
		{[]string{"builtin:sequence", "builtin:sequence"}, "builtin:sequence has no destination: it answers destination calls with Unimplemented"},
	}
	for _, tt := range tests {
		code, stdout, stderr := cplugin(t, append([]string{"pipe"}, tt.args...)...)
		if code != exitFailed || stdout != "" || !strings.Contains(stderr, tt.want) || !strings.Contains(stderr, "Did you swap SOURCE and DESTINATION?") {
			t.Errorf("pipe %v: exit %d, stdout %q, stderr %q; want %q and the swap hint", tt.args, code, stdout, stderr, tt.want)
		}
	}
	code, _, stderr := cplugin(t, "pipe", "builtin:jsonlines", "builtin:sequence")
	if code != exitFailed || !strings.Contains(stderr, "it offers: destination.") {
		t.Errorf("exit %d, stderr %q; want it to say the connector offers a destination", code, stderr)
	}
}

// TestPipeEveryCombination moves records between the examples built-in and
// standalone, in all four combinations: none may lose a record, and each
// moves exactly the records asked for.
func TestPipeEveryCombination(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	sources := []string{"builtin:sequence", filepath.Join(dir, "sequence")}
	destinations := []string{"builtin:jsonlines", filepath.Join(dir, "jsonlines")}
	for _, src := range sources {
		for _, dst := range destinations {
			out := filepath.Join(t.TempDir(), "out.jsonl")
			code, stdout, stderr := cplugin(t, "pipe", src, dst, "--records", "3000",
				"--source-config", "payload.format=structured", "--source-config", "operations=create,update,delete,snapshot",
				"--destination-config", "path="+out)
			if code != exitOK || !strings.Contains(stdout, "3000 produced, 3000 written, 3000 acked") || !strings.Contains(stdout, "positions in the file = positions produced") {
				t.Errorf("pipe %s %s: exit %d\n%s\n%s", src, dst, code, stdout, stderr)
				continue
			}
			if lines := fileLines(t, out); len(lines) != 3000 {
				t.Errorf("pipe %s %s: the file has %d lines, want exactly 3000", src, dst, len(lines))
			}
		}
	}
	// The role hint works the same for standalone connectors.
	code, _, stderr := cplugin(t, "pipe", filepath.Join(dir, "jsonlines"), filepath.Join(dir, "sequence"))
	if code != exitFailed || !strings.Contains(stderr, "has no source") || !strings.Contains(stderr, "it offers: destination. Did you swap SOURCE and DESTINATION?") {
		t.Errorf("swapped standalone connectors: exit %d, stderr %q", code, stderr)
	}
}

// TestPipeFileCatchesADestinationThatAcksWithoutWriting is the mutation
// test of the pipe's evidence: the destination acks record 5 but never
// writes it. The acks cannot show it; reading the file back does.
func TestPipeFileCatchesADestinationThatAcksWithoutWriting(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	code, stdout, stderr := cplugin(t, "pipe", "builtin:sequence", filepath.Join(dir, "faultyjsonlines"), "--records", "10",
		"--destination-config", "path="+out, "--destination-config", "fault.skip=5")
	if code != exitFailed {
		t.Errorf("exit %d, want %d", code, exitFailed)
	}
	for _, want := range []string{
		"10 produced, 10 written, 10 acked back to the source",
		"acks      positions acked by the destination = positions produced by the source",
		"file      LOSS, read back from " + out + ":\n" + `            line 5 holds position "6" (the position of record 6), where record 5, "5", belongs`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s\n%s", want, stdout, stderr)
		}
	}
}

// TestPipeEndsAtOnceWhenTheDestinationFails: the destination fails mid-run
// (after 100 records, or at its first write); the pipe ends at once, well
// within its --timeout, with the destination's own error first.
func TestPipeEndsAtOnceWhenTheDestinationFails(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"standalone, after 100 records", []string{filepath.Join(dir, "faultyjsonlines"), "--destination-config", "fault.fail.after=100"}, "injected fault after 100 records: the disk is full"},
	}
	if _, err := os.Stat("/dev/full"); err == nil {
		tests = append(tests, struct {
			name string
			args []string
			want string
		}{"built-in, a full disk", []string{"builtin:jsonlines", "--destination-config", "path=/dev/full"}, "write /dev/full: no space left on device"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"pipe", "builtin:sequence"}, tt.args...)
			args = append(args, "--records", "0", "--timeout", "10m")
			code, stdout, stderr := cpluginWithin(t, time.Minute, args...)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			if !strings.Contains(stdout, "  error     destination: ") || !strings.Contains(stdout, tt.want) {
				t.Errorf("the first error is not the destination's %q:\n%s\n%s", tt.want, stdout, stderr)
			}
			if strings.Contains(stdout, "EOF") {
				t.Errorf("the summary blames the end of a stream:\n%s", stdout)
			}
		})
	}
}

// TestPipeCtrlC runs cplugin as a process and interrupts it: the first
// SIGINT stops gracefully (here the destination's Stop hangs), the second
// aborts at once, far within the 10 minute --timeout.
func TestPipeCtrlC(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	cmd := exec.Command(filepath.Join(dir, "cplugin"), "pipe", "builtin:sequence", filepath.Join(dir, "faultyjsonlines"),
		"--records", "0", "--timeout", "10m", "--destination-config", "fault.hang.stop=true")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string)
	go func() {
		defer close(lines)
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			lines <- scanner.Text()
		}
	}()
	waitFor := func(prefix string) {
		t.Helper()
		timeout := time.After(time.Minute)
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("stderr ended before a line starting with %q", prefix)
				}
				if strings.HasPrefix(line, prefix) {
					return
				}
			case <-timeout:
				t.Fatalf("no line starting with %q on stderr within a minute", prefix)
			}
		}
	}
	waitFor("pipe: ") // the progress line: records are moving
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	waitFor("cplugin: stopping gracefully; press Ctrl-C again to abort")
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	// Drain the rest of stderr, so that cplugin never blocks on it.
	go func() {
		for range lines {
		}
	}()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("cplugin: %v, want an exit status", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("cplugin did not exit within a minute of the second SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != exitStopped {
		t.Errorf("exit %d, want %d", code, exitStopped)
	}
	if !strings.Contains(stdout.String(), "aborted by a second Ctrl-C") {
		t.Errorf("the summary does not say it was aborted:\n%s", stdout.String())
	}
}

// TestPipeCtrlCOnceStopsGracefully: with --records 0 the pipe runs until
// Ctrl-C; one SIGINT ends it gracefully, with everything written and acked.
func TestPipeCtrlCOnceStopsGracefully(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	out := filepath.Join(t.TempDir(), "out.jsonl")
	cmd := exec.Command(filepath.Join(dir, "cplugin"), "pipe", "builtin:sequence", "builtin:jsonlines", "--records", "0", "--destination-config", "path="+out)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	scanner := bufio.NewScanner(stderr)
	for scanner.Scan() && !strings.HasPrefix(scanner.Text(), "pipe: ") {
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("cplugin: %v\n%s", err, stdout.String())
	}
	if !strings.Contains(stdout.String(), "positions in the file = positions produced, in order") {
		t.Errorf("after a graceful stop the file does not hold what was produced:\n%s", stdout.String())
	}
}

// TestStartTimeout: a connector that never completes its handshake. cplugin
// says what it waits for after a moment, and gives up after
// --start-timeout with an error that says so, for every command.
func TestStartTimeout(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	hang := filepath.Join(dir, "hang")
	// A shell script whose command keeps the script's output open after
	// the script is killed: the start must not wait for it.
	script := filepath.Join(t.TempDir(), "hang.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nsleep 15\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := [][]string{
		{"spec", "--start-timeout", "3s", hang},
		{"check", "--start-timeout", "3s", hang},
		{"pipe", "--start-timeout", "3s", hang, "builtin:jsonlines"},
		{"spec", "--start-timeout", "3s", script},
	}
	for _, args := range tests {
		t.Run(strings.Join(args[:1], " ")+" "+filepath.Base(args[3]), func(t *testing.T) {
			t.Parallel()
			// The client's own cleanup of the script would take 15s more.
			code, stdout, stderr := cpluginWithin(t, 12*time.Second, args...)
			if code != exitFailed {
				t.Errorf("exit %d, want %d", code, exitFailed)
			}
			if !strings.Contains(stderr, "cplugin: waiting up to 3s for "+args[3]+" to complete the plugin handshake") {
				t.Errorf("stderr does not say what cplugin waits for:\n%s", stderr)
			}
			want := "did not complete the plugin handshake within 3s"
			if !strings.Contains(stdout+stderr, want) || !strings.Contains(stdout+stderr, "raise --start-timeout") {
				t.Errorf("the error does not say %q and how to wait longer:\n%s\n%s", want, stdout, stderr)
			}
		})
	}
}

// TestErrorsNameTheConnectorOnce: the errors of a connector that does not
// start name it once, whichever command started it.
func TestErrorsNameTheConnectorOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	notConnector := filepath.Join(dir, "not-a-connector")
	if err := os.WriteFile(notConnector, []byte("#!/bin/sh\necho hello\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{missing, notConnector} {
		for _, args := range [][]string{{"spec", path}, {"check", path}, {"pipe", path, "builtin:jsonlines"}} {
			code, stdout, stderr := cplugin(t, args...)
			if code != exitFailed {
				t.Errorf("%v: exit %d, want %d", args, code, exitFailed)
			}
			if n := strings.Count(stdout+stderr, path); n != 1 {
				t.Errorf("%v: the output names %s %d times, want once:\n%s%s", args, path, n, stdout, stderr)
			}
		}
	}
}

func TestStandaloneConnectorsGetTheSDKEnvironment(t *testing.T) {
	t.Parallel()
	path := filepath.Join(buildBinaries(t), "envconnector")
	spec := func(args ...string) (summary, author string) {
		t.Helper()
		// Over v1, the specification is the top-level message.
		code, out, errOut := cplugin(t, append([]string{"spec", "--json", "--protocol", "1", path}, args...)...)
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
	// connectors require; the connector ID is the executable's name.
	if _, author := spec(); author != "envconnector" {
		t.Errorf("CONDUIT_CONNECTOR_ID = %q, want the executable's name %q", author, "envconnector")
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
		// Both standalone examples serve v1 and v2: checked over each.
		"  v1: 19 passed, 0 failed",
		"  v2: 19 passed, 0 failed",
		"PASS: 38 passed, 0 failed",
		"  v1: 18 passed, 0 failed",
		"  v2: 18 passed, 0 failed",
		"PASS: 36 passed, 0 failed",
		"pipe builtin:sequence (built-in) -> builtin:jsonlines (built-in)",
		"(protocol v2) -> ",
		"records   100000 produced, 100000 written, 100000 acked back to the source",
		"records   50000 produced, 50000 written, 50000 acked back to the source",
		"demo: all green",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "positions in the file = positions produced, in order") != 2 {
		t.Errorf("want the file read back for both pipes:\n%s", out)
	}
}

// TestProtocolFlag: spec and pipe offer both protocol versions by default
// (the standalone examples serve both, so v2 wins) and only the one
// --protocol names otherwise, and say which version each standalone
// connector speaks; a built-in connector speaks none.
func TestProtocolFlag(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	seq, jl := filepath.Join(dir, "sequence"), filepath.Join(dir, "jsonlines")
	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{nil, "v2"},
		{[]string{"--protocol", "1"}, "v1"},
		{[]string{"--protocol", "2"}, "v2"},
	} {
		t.Run(tt.want+strings.Join(tt.flags, ""), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cplugin(t, append([]string{"spec", seq}, tt.flags...)...)
			if code != exitOK || !strings.Contains(out, "\n  protocol: "+tt.want+"\n") {
				t.Errorf("spec %v: exit %d, want a line %q:\n%s%s", tt.flags, code, "protocol: "+tt.want, out, errOut)
			}

			file := filepath.Join(t.TempDir(), "out.jsonl")
			code, out, errOut = cplugin(t, append([]string{"pipe", seq, jl, "--records", "500", "--destination-config", "path=" + file}, tt.flags...)...)
			header := fmt.Sprintf("pipe %s (protocol %s) -> %s (protocol %s)\n", seq, tt.want, jl, tt.want)
			if code != exitOK || !strings.HasPrefix(out, header) || !strings.Contains(out, "500 produced, 500 written, 500 acked") || !strings.Contains(out, "positions in the file = positions produced") {
				t.Errorf("pipe %v: exit %d, want the header %q and every record moved:\n%s%s", tt.flags, code, header, out, errOut)
			}

			code, out, errOut = cplugin(t, append([]string{"pipe", "builtin:sequence", jl, "--records", "100"}, tt.flags...)...)
			header = fmt.Sprintf("pipe builtin:sequence (built-in) -> %s (protocol %s)\n", jl, tt.want)
			if code != exitOK || !strings.HasPrefix(out, header) {
				t.Errorf("pipe builtin %v: exit %d, want the header %q:\n%s%s", tt.flags, code, header, out, errOut)
			}
		})
	}

	code, out, errOut := cplugin(t, "spec", "builtin:sequence")
	if code != exitOK || !strings.Contains(out, "\n  protocol: built-in\n") {
		t.Errorf("spec builtin: exit %d, want %q:\n%s%s", code, "protocol: built-in", out, errOut)
	}
	// --json prints the Specify response of the version spoken.
	code, out, errOut = cplugin(t, "spec", "--json", "--protocol", "2", jl)
	var v2 struct {
		Specification struct {
			Name string `json:"name"`
		} `json:"specification"`
	}
	if err := json.Unmarshal([]byte(out), &v2); code != exitOK || err != nil || v2.Specification.Name != "jsonlines" {
		t.Errorf("spec --json --protocol 2: exit %d, want a connector.v2 Specify response (%v):\n%s%s", code, err, out, errOut)
	}
	code, _, errOut = cplugin(t, "spec", "--protocol", "3", jl)
	if code != exitUsage || !strings.Contains(errOut, "want 1 or 2") {
		t.Errorf("spec --protocol 3: exit %d, want %d and %q:\n%s", code, exitUsage, "want 1 or 2", errOut)
	}
}

// TestCheckEveryServedVersion: check runs over every protocol version a
// connector serves, a section per version, and names the version of each
// result in JSON; --protocol runs over one; a version the connector does
// not serve is reported as such, not as a failure.
func TestCheckEveryServedVersion(t *testing.T) {
	t.Parallel()
	dir := buildBinaries(t)
	seq, v1only := filepath.Join(dir, "sequence"), filepath.Join(dir, "v1only")

	t.Run("default", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := cplugin(t, "check", seq)
		for _, want := range []string{"\nprotocol v1:\n", "\nprotocol v2:\n", "  v1: 19 passed, 0 failed", "  v2: 19 passed, 0 failed", "PASS: 38 passed, 0 failed"} {
			if code != exitOK || !strings.Contains(out, want) {
				t.Errorf("exit %d, output lacks %q:\n%s%s", code, want, out, errOut)
			}
		}
		if strings.Index(out, "protocol v1:") > strings.Index(out, "protocol v2:") {
			t.Errorf("want v1's section first:\n%s", out)
		}
	})
	t.Run("json", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := cplugin(t, "check", "--json", seq)
		var report checker.Report
		if err := json.Unmarshal([]byte(out), &report); err != nil || code != exitOK {
			t.Fatalf("exit %d, not a JSON report (%v):\n%s%s", code, err, out, errOut)
		}
		perVersion := map[int]int{}
		for _, r := range report.Results {
			perVersion[r.Protocol]++
		}
		if !slices.Equal(report.Protocols, []int{1, 2}) || perVersion[1] != 19 || perVersion[2] != 19 || len(perVersion) != 2 {
			t.Errorf("protocols %v, results per version %v; want 19 results for each of 1 and 2", report.Protocols, perVersion)
		}
	})
	for _, version := range []string{"1", "2"} {
		t.Run("protocol"+version, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := cplugin(t, "check", "--protocol", version, seq)
			other := map[string]string{"1": "2", "2": "1"}[version]
			if code != exitOK || !strings.Contains(out, "\nprotocol v"+version+":\n") || strings.Contains(out, "protocol v"+other) || !strings.Contains(out, "PASS: 19 passed, 0 failed") {
				t.Errorf("exit %d, want only v%s's section, all passed:\n%s%s", code, version, out, errOut)
			}
		})
	}
	t.Run("v1only", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := cplugin(t, "check", v1only)
		want := "protocol v2: not served, not checked (offered only v2, the connector did not start: it speaks connector protocol version 1"
		if code != exitOK || !strings.Contains(out, "\nprotocol v1:\n") || !strings.Contains(out, want) || !strings.Contains(out, "PASS: 19 passed, 0 failed") {
			t.Errorf("exit %d, want v1 checked and v2 reported as not served:\n%s%s", code, out, errOut)
		}
		// Asked for a version it does not serve, the connector fails to
		// connect.
		code, out, _ = cplugin(t, "check", "--protocol", "2", v1only)
		if code != exitFailed || !strings.Contains(out, "FAIL  connect") {
			t.Errorf("--protocol 2: exit %d, want a failed connect:\n%s", code, out)
		}
	})
}
