package main

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// The metrics every benchmark reports, one operation being one record.
const (
	unitRecordsPerSecond = "records/s"
	unitNanoseconds      = "ns/record"
	unitBytes            = "B/record"
	unitAllocs           = "allocs/record"
	unitCPU              = "cpu-ns/record"
)

// Results holds the parsed output of go test -bench.
type Results struct {
	// CPU is the model go test printed on its "cpu:" line, if any.
	CPU string
	// Procs is GOMAXPROCS, from the suffix of the benchmark names.
	Procs int
	// Runs maps a benchmark's name, without the GOMAXPROCS suffix, to the
	// metrics of each of its runs (one per -count), by unit.
	Runs map[string][]map[string]float64
}

// Parse reads the output of go test -bench. Lines that are not benchmark
// results (PASS, ok, goos, test logs) are skipped; a result line that
// cannot be read is an error naming the line.
func Parse(r io.Reader) (Results, error) {
	res := Results{Runs: map[string][]map[string]float64{}}
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	line := 0
	for s.Scan() {
		line++
		text := strings.TrimSpace(s.Text())
		if isFailure(text) {
			return Results{}, fmt.Errorf("line %d: the benchmarks failed: %q", line, text)
		}
		if cpu, ok := strings.CutPrefix(text, "cpu:"); ok {
			res.CPU = strings.TrimSpace(cpu)
			continue
		}
		if !strings.HasPrefix(text, "Benchmark") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) < 2 {
			continue // a benchmark's own log line, or a name without a result yet
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue // not a result line: the second field is the iteration count
		}
		if len(fields)%2 != 0 {
			return Results{}, fmt.Errorf("line %d: a benchmark result has an odd number of fields: %q", line, text)
		}
		name, procs := splitProcs(fields[0])
		if procs > 0 {
			res.Procs = procs
		}
		metrics := map[string]float64{}
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				return Results{}, fmt.Errorf("line %d: value %q of %s is not a number", line, fields[i], fields[i+1])
			}
			metrics[fields[i+1]] = v
		}
		res.Runs[name] = append(res.Runs[name], metrics)
	}
	if err := s.Err(); err != nil {
		return Results{}, fmt.Errorf("read benchmark output: %w", err)
	}
	if len(res.Runs) == 0 {
		return Results{}, errNoResults
	}
	return res, nil
}

// splitProcs splits "BenchmarkX/y-2" into "BenchmarkX/y" and 2. With
// GOMAXPROCS 1, go test adds no suffix, so a name ending in "-batch-N"
// (see batchedKinds) is taken whole, without one.
func splitProcs(name string) (string, int) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return name, 0
	}
	procs, err := strconv.Atoi(name[i+1:])
	if err != nil || strings.HasSuffix(name[:i], "-batch") {
		return name, 0
	}
	return name[:i], procs
}

// median returns the median of the unit's values over runs, and how many
// runs reported it.
func median(runs []map[string]float64, unit string) (float64, int) {
	var values []float64
	for _, m := range runs {
		if v, ok := m[unit]; ok {
			values = append(values, v)
		}
	}
	if len(values) == 0 {
		return 0, 0
	}
	sort.Float64s(values)
	n := len(values)
	if n%2 == 1 {
		return values[n/2], n
	}
	return (values[n/2-1] + values[n/2]) / 2, n
}

// spread returns (max-min)/median of the unit's values over runs: how much
// the runs disagree.
func spread(runs []map[string]float64, unit string) float64 {
	lo, hi := 0.0, 0.0
	first := true
	for _, m := range runs {
		v, ok := m[unit]
		if !ok {
			continue
		}
		if first || v < lo {
			lo = v
		}
		if first || v > hi {
			hi = v
		}
		first = false
	}
	med, _ := median(runs, unit)
	if med == 0 {
		return 0
	}
	return (hi - lo) / med
}

// isFailure reports whether a line of go test's output says that a test or
// benchmark failed, so that a table is never made from a failed run.
func isFailure(line string) bool {
	return line == "FAIL" || strings.HasPrefix(line, "FAIL\t") || strings.HasPrefix(line, "--- FAIL") ||
		strings.HasPrefix(line, "panic:")
}
