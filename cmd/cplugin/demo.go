package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

// modulePath is the module the examples are built from.
const modulePath = "github.com/connectorkit/conduit-connector-protocol"

// The standalone examples the demo builds, by binary name.
var demoExamples = []string{
	modulePath + "/examples/sequence/cmd/sequence",
	modulePath + "/examples/jsonlines/cmd/jsonlines",
}

// Records the demo pipes: enough to measure, few enough to stay quick.
const (
	demoBuiltinRecords    = 100000
	demoStandaloneRecords = 50000
)

// demoMaxLineSize makes the file destination refuse the one larger record
// among the checker's test records, so the check shows a negative ack that
// keeps the stream open.
const demoMaxLineSize = "2048"

func demoCommand() command {
	return command{
		name:  "demo",
		short: "show the whole contract on the bundled examples (start here)",
		summary: "Show the whole contract on the bundled examples: build the standalone example connectors (or reuse them), print a specification, " +
			"check both, and pipe records built-in and standalone. Takes no arguments; exits 0 when everything is green.",
		example: "  go run ./cmd/cplugin demo",
		flags:   func(*flag.FlagSet, *options) {},
		run:     runDemo,
	}
}

func runDemo(ctx context.Context, env *environment, args []string) int {
	if len(args) > 0 {
		env.errorf("demo takes no arguments, got %s", strings.Join(args, " "))
		return exitUsage
	}
	out := env.stdout
	start := time.Now()
	green := true
	step := func(n int, title string) {
		_, _ = fmt.Fprintf(out, "\n== %d. %s\n\n", n, title)
	}

	step(1, "build the standalone example connectors")
	dir, err := buildExamples(ctx, env)
	if err != nil {
		env.errorf("%v", err)
		return exitFailed
	}
	generatorPath, filePath := filepath.Join(dir, "sequence"), filepath.Join(dir, "jsonlines")
	_, _ = fmt.Fprintf(out, "built %s\n      %s\n", generatorPath, filePath)

	step(2, "spec: what a host learns from the standalone sequence")
	spec, _, protocol, err := fetchSpec(ctx, env, generatorPath)
	if err != nil {
		env.errorf("%v", err)
		return exitFailed
	}
	printSpec(out, spec, protocol)

	step(3, "check: both standalone connectors against the contract")
	color := isTerminal(out)
	var warnings int
	for _, c := range []struct {
		path, note        string
		destinationConfig map[string]string
	}{
		{generatorPath, "", nil},
		{
			filePath, fmt.Sprintf("(with %s=%s, so the jsonlines destination refuses the checker's one larger record: a negative ack)", jsonlines.ParamMaxLineSize, demoMaxLineSize),
			map[string]string{jsonlines.ParamMaxLineSize: demoMaxLineSize},
		},
	} {
		if c.note != "" {
			_, _ = fmt.Fprintf(out, "\n%s\n", c.note)
		}
		report := check(ctx, env, c.path, nil, c.destinationConfig)
		printReport(out, report, color)
		green = green && report.OK
		warnings += report.Summary.Warnings
	}

	tmp, err := os.MkdirTemp("", "cplugin-demo-")
	if err != nil {
		env.errorf("%v", err)
		return exitFailed
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	pipes := []struct {
		n                   int
		title               string
		source, destination string
		records             int64
	}{
		{4, "pipe: built-in sequence -> built-in jsonlines (in-process, no gRPC)", "builtin:sequence", "builtin:jsonlines", demoBuiltinRecords},
		{5, "pipe: standalone sequence -> standalone jsonlines (two processes, gRPC)", generatorPath, filePath, demoStandaloneRecords},
	}
	for i, p := range pipes {
		step(p.n, p.title)
		outFile := filepath.Join(tmp, fmt.Sprintf("pipe-%d.jsonl", i+1))
		// The destination writes a file, which the pipe reads back: the
		// evidence that does not rest on the acks.
		res, err := pipe(ctx, env, p.source, p.destination,
			map[string]string{"operations": "create,update,delete,snapshot"},
			map[string]string{jsonlines.ParamPath: outFile}, p.records)
		if !res.res.Started {
			env.errorf("%v", err)
			green = false
			continue
		}
		printPipeSummary(out, p.source, p.destination, res, err)
		if err != nil || !res.ok() || res.file.skipped != "" {
			green = false
		}
	}

	_, _ = fmt.Fprintln(out)
	if !green {
		_, _ = fmt.Fprintf(out, "demo: FAILED (see above) after %v\n", time.Since(start).Round(100*time.Millisecond))
		return exitFailed
	}
	note := ""
	if warnings > 0 {
		note = fmt.Sprintf(" (%d warnings about SHOULD rules)", warnings)
	}
	_, _ = fmt.Fprintf(out, "demo: all green%s in %v\n", note, time.Since(start).Round(100*time.Millisecond))
	return exitOK
}

// buildExamples builds the standalone examples into the user's cache
// directory with `go build`, which relinks nothing when they are up to
// date, and returns the directory.
func buildExamples(ctx context.Context, env *environment) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a cache directory for the example binaries: %w", err)
	}
	dir := filepath.Join(cache, "cplugin", "examples")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, demoExamples...)
	cmd := exec.CommandContext(ctx, "go", args...)
	var stderr bytes.Buffer
	cmd.Stdout = env.stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if errors.Is(err, exec.ErrNotFound) {
			msg = "the go command is not on PATH"
		}
		return "", fmt.Errorf("build the example connectors (go %s): %w\n%s\nRun the demo from a clone of %s, for example: go run ./cmd/cplugin demo",
			strings.Join(args, " "), err, msg, modulePath)
	}
	return dir, nil
}
