// Command benchtable turns the output of `go test -bench` for the
// connector protocol's benchmarks (package benchmarks and the conversion
// benchmarks in internal/toproto) into one table: for each path
// the median records/s, ns/record, B/record and allocs/record over the
// runs, and its speed as a fraction of its baseline measured in the same
// run. It prints the table and, with -out, writes it to a Markdown file
// together with the machine, the Go version, the date and the command.
//
//	go test -run='^$' -bench=. -count=3 ./benchmarks ./internal/toproto | tee bench.txt
//	go run ./benchmarks/cmd/benchtable -out docs/performance.md -cmd 'make bench' bench.txt
//
// `make bench` does both.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout io.Writer) error {
	flags := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	out := flags.String("out", "", "also write the table as Markdown to this file")
	command := flags.String("cmd", "", "the command that produced the input, for the Markdown file")
	if err := flags.Parse(args); err != nil {
		return err
	}

	var inputs []io.Reader
	if flags.NArg() == 0 {
		inputs = append(inputs, stdin)
	}
	for _, path := range flags.Args() {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("read benchmark output: %w", err)
		}
		defer func() { _ = f.Close() }()
		inputs = append(inputs, f)
	}
	results, err := Parse(io.MultiReader(inputs...))
	if err != nil {
		return err
	}
	table, err := Build(results)
	if err != nil {
		return err
	}
	if err := table.WriteText(stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	env := Environment{
		CPU:       results.CPU,
		Cores:     runtime.NumCPU(),
		GoVersion: runtime.Version(),
		OS:        runtime.GOOS + "/" + runtime.GOARCH,
		Date:      time.Now().UTC(),
		Command:   *command,
		Load:      loadAverage(),
	}
	if env.CPU == "" {
		env.CPU = cpuModel()
	}
	var md strings.Builder
	if err := table.WriteMarkdown(&md, env); err != nil {
		return err
	}
	if err := os.WriteFile(*out, []byte(md.String()), 0o644); err != nil { //nolint:gosec // a document for everyone to read
		return fmt.Errorf("write the table: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "\nwrote %s\n", *out)
	return err
}

// cpuModel reads the CPU model from /proc/cpuinfo, for input without the
// "cpu:" line that go test prints.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer func() { _ = f.Close() }()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// loadAverage returns the 1, 5 and 15 minute load averages from
// /proc/loadavg, or "" where there is none.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return ""
	}
	return strings.Join(fields[:3], " ")
}

// errNoResults is returned for input without a single benchmark result.
var errNoResults = errors.New("the input holds no benchmark results: was it the output of go test -bench?")
