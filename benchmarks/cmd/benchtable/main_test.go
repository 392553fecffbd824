package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testdata/sample.txt is the output of
//
//	go test -run='^$' -bench=. -benchtime=300ms -count=2 ./benchmarks ./internal/toproto
//
// on the development machine.
func readSample(t *testing.T) Results {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sample.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	res, err := Parse(f)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return res
}

func TestParseSample(t *testing.T) {
	res := readSample(t)
	if res.CPU != "AMD EPYC" {
		t.Errorf("CPU = %q, want %q", res.CPU, "AMD EPYC")
	}
	if res.Procs != 2 {
		t.Errorf("Procs = %d, want 2", res.Procs)
	}
	if got := len(res.Runs); got != 16 {
		t.Errorf("%d benchmarks, want 16: %v", got, keys(res.Runs))
	}
	runs := res.Runs["BenchmarkSource/standalone"]
	if len(runs) != 2 {
		t.Fatalf("BenchmarkSource/standalone has %d runs, want 2", len(runs))
	}
	want := map[string]float64{"ns/op": 5622, "B/record": 3528, "allocs/record": 34.39, "cpu-ns/record": 9887, "ns/record": 5622, "records/s": 177868}
	for unit, v := range want {
		if runs[0][unit] != v {
			t.Errorf("first run: %s = %v, want %v", unit, runs[0][unit], v)
		}
	}
}

func TestBuildSample(t *testing.T) {
	table, err := Build(readSample(t))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	rows := map[string]Row{}
	for _, s := range table.Sections {
		if s.Title == "Other" {
			t.Errorf("every benchmark of the sample has a row in the layout, but Other holds %v", s.Rows)
		}
		for _, r := range s.Rows {
			rows[r.Bench] = r
		}
	}
	if len(rows) != 16 {
		t.Errorf("%d rows, want 16", len(rows))
	}

	standalone := rows["BenchmarkSource/standalone"]
	// records/s 177868 and 141180 against the baseline's 409567 and 348842
	// in the same runs.
	checkFloat(t, "standalone records/s", standalone.RecordsPerSec, (177868+141180)/2.0)
	checkFloat(t, "standalone ns/record", standalone.NsPerRecord, (5622+7083)/2.0)
	checkFloat(t, "standalone CPU", standalone.CPUPerRecord, (9887+11534)/2.0)
	checkFloat(t, "standalone allocs", standalone.AllocsPerRec, (34.39+34.44)/2)
	checkFloat(t, "standalone ratio", standalone.Ratio, (177868.0/409567+141180.0/348842)/2)
	if standalone.Baseline != "bare gRPC stream" {
		t.Errorf("standalone baseline = %q, want %q", standalone.Baseline, "bare gRPC stream")
	}
	checkFloat(t, "standalone spread", standalone.Spread, (177868-141180)/((177868+141180)/2.0))
	if base := rows["BenchmarkSource/baseline-grpc"]; base.Baseline != "" || base.Ratio != 0 {
		t.Errorf("a baseline has a baseline itself: %+v", base)
	}
	checkFloat(t, "encode allocs", rows["BenchmarkConversion/raw/encode"].AllocsPerRec, 2.001)

	met := map[string]bool{}
	for _, tg := range table.Targets {
		met[tg.Text] = tg.Met
	}
	// The sample has no protocol v2 batch rows: their four targets are left
	// out.
	if want := len(targets) - 4; len(table.Targets) != want {
		t.Errorf("%d targets checked, want %d", len(table.Targets), want)
	}
	// A target against the row's own baseline reports the row's ratio (the
	// median of the per-run ratios, which differs from the ratio of the
	// medians here).
	for _, tg := range table.Targets {
		if tg.Text == "built-in source >= 0.8x Go channel" {
			if want := fmt.Sprintf("%.2fx", rows["BenchmarkSource/builtin"].Ratio); tg.Value != want {
				t.Errorf("target %q measured %s, want the row's %s", tg.Text, tg.Value, want)
			}
		}
	}
	builtinMet := rows["BenchmarkSource/builtin"].Ratio >= 0.8
	if met["standalone source >= 0.7x bare gRPC"] || met["built-in source >= 0.8x Go channel"] != builtinMet || !met["raw record encode <= 8 allocs"] || met["raw record decode <= 8 allocs"] {
		t.Errorf("targets judged wrongly: %v", met)
	}
}

func TestWrite(t *testing.T) {
	table, err := Build(readSample(t))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := table.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Source: records out, acks back (raw 1 KiB)",
		"  standalone (subprocess), protocol v1    159,524       6352          10710      3482           34.4  0.42x bare gRPC stream    ±11%",
		"NOT MET  standalone source >= 0.7x bare gRPC        0.42x",
		"medians of 2 runs",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text table lacks %q:\n%s", want, text.String())
		}
	}

	var md bytes.Buffer
	env := Environment{CPU: "AMD EPYC", Cores: 2, GoVersion: "go1.26.8", OS: "linux/amd64", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Command: "make bench", Load: "1.50 2.00 2.50"}
	if err := table.WriteMarkdown(&md, env); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"- Date: 2026-01-02 03:04 UTC\n",
		"- Machine: AMD EPYC, 2 cores, GOMAXPROCS 2, linux/amd64\n",
		"- Load average (1, 5, 15 min) when the table was written: 1.50 2.00 2.50, on 2 cores (the benchmarks count in it; more means other work shared the machine)\n",
		"- Go: go1.26.8\n",
		"- Command: `make bench`\n",
		"| standalone (subprocess), protocol v1 | 159,524 | 6352 | 10710 | 3482 | 34.4 | 0.42x bare gRPC stream | ±11% |\n",
		"| standalone source >= 0.7x bare gRPC | 0.42x | NOT MET |\n",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown lacks %q:\n%s", want, md.String())
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, input := range map[string]string{
		"empty":        "",
		"no results":   "goos: linux\nPASS\nok  \tpkg\t1.0s\n",
		"failed":       "BenchmarkSource/builtin-2 \t 10 \t 5 ns/op \t 5 records/s\n--- FAIL: BenchmarkSource/standalone\nFAIL\n",
		"panic":        "panic: runtime error\n",
		"odd fields":   "BenchmarkX-2 \t 10 \t 5 ns/op \t 7\n",
		"not a number": "BenchmarkX-2 \t 10 \t five ns/op\n",
		"no records/s": "BenchmarkSource/builtin-2 \t 10 \t 5 ns/op\n",
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Parse(strings.NewReader(input))
			if err == nil {
				_, err = Build(res)
			}
			if err == nil {
				t.Errorf("no error for %q", input)
			}
		})
	}
}

func TestOtherBenchmarks(t *testing.T) {
	res, err := Parse(strings.NewReader("BenchmarkNew/thing-4 \t 10 \t 100 ns/op \t 100 ns/record \t 1e7 records/s \t 3 B/record \t 1 allocs/record\n"))
	if err != nil {
		t.Fatal(err)
	}
	table, err := Build(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.Sections) != 1 || table.Sections[0].Title != "Other" || table.Sections[0].Rows[0].Label != "New/thing" {
		t.Errorf("a benchmark outside the layout is not shown under Other: %+v", table.Sections)
	}
	if res.Procs != 4 {
		t.Errorf("Procs = %d, want 4", res.Procs)
	}
}

func checkFloat(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestBatchedPairing checks the rule that pairs a batched row with its
// baseline: standalone-v2-batch-N with baseline-grpc-batch-N of the same
// benchmark, builtin-v2-batch-N with baseline-channel.
func TestBatchedPairing(t *testing.T) {
	for bench, want := range map[string]string{
		"BenchmarkSource/standalone-v2-batch-100":    "BenchmarkSource/baseline-grpc-batch-100",
		"BenchmarkDestination/standalone-v2-batch-1": "BenchmarkDestination/baseline-grpc-batch-1",
		"BenchmarkSource/builtin-v2-batch-10":        "BenchmarkSource/baseline-channel",
		"BenchmarkDestination/builtin-v2-batch-1000": "BenchmarkDestination/baseline-channel",
		"BenchmarkSource/baseline-grpc-batch-10":     "",
	} {
		spec, _, _, ok := batchedRow(bench)
		if !ok || spec.baseline != want {
			t.Errorf("batchedRow(%q) = %+v, %v, want the baseline %q", bench, spec, ok, want)
		}
	}
	for _, bench := range []string{
		"BenchmarkSource/standalone-v2",
		"BenchmarkSource/baseline-grpc",
		"BenchmarkSource/standalone-v2-batch-",
		"BenchmarkSource/standalone-v2-batch-0",
		"BenchmarkSource/standalone-v2-batch-010",
		"BenchmarkSource/standalone-v2-batch-x",
		"BenchmarkSource/standalone-batch-10",
		"standalone-v2-batch-10",
	} {
		if spec, _, _, ok := batchedRow(bench); ok {
			t.Errorf("batchedRow(%q) = %+v, want no batched row", bench, spec)
		}
	}
}

func TestBatchedRows(t *testing.T) {
	var input strings.Builder
	for _, line := range []string{
		"BenchmarkSource/standalone-v2-batch-100 2000000",
		"BenchmarkSource/baseline-grpc-batch-100 4000000",
		"BenchmarkSource/baseline-channel 1000000",
		"BenchmarkSource/builtin-v2-batch-10 1500000",
		"BenchmarkSource/standalone-v2-batch-10 900000",
		"BenchmarkSource/baseline-grpc 400000",
		"BenchmarkSource/baseline-grpc-batch-10 3000000",
		"BenchmarkSource/standalone-v2-batch-7 500000", // no baseline of 7
		"BenchmarkDestination/standalone-v2-batch-10 600000",
		"BenchmarkDestination/baseline-grpc-batch-10 1200000",
		"BenchmarkDestination/standalone 200000",
		"BenchmarkDestination/standalone-v2-batch-1 210000",
		"BenchmarkDestination/baseline-grpc-batch-1 300000",
	} {
		name, rps, _ := strings.Cut(line, " ")
		input.WriteString(name + "-2 \t 10 \t 100 ns/op \t " + rps + " records/s\n")
	}
	res, err := Parse(strings.NewReader(input.String()))
	if err != nil {
		t.Fatal(err)
	}
	table, err := Build(res)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		bench, baseline string
		ratio           float64
	}
	want := map[string][]row{
		"Source: records out, acks back (raw 1 KiB)": {
			{"BenchmarkSource/baseline-channel", "", 0},
			{"BenchmarkSource/baseline-grpc", "", 0},
			{"BenchmarkSource/standalone-v2-batch-7", "", 0},
			{"BenchmarkSource/baseline-grpc-batch-10", "", 0},
			{"BenchmarkSource/standalone-v2-batch-10", "bare gRPC stream, batches of 10", 0.3},
			{"BenchmarkSource/builtin-v2-batch-10", "Go channel", 1.5},
			{"BenchmarkSource/baseline-grpc-batch-100", "", 0},
			{"BenchmarkSource/standalone-v2-batch-100", "bare gRPC stream, batches of 100", 0.5},
		},
		"Destination: records in, acks out (raw 1 KiB)": {
			{"BenchmarkDestination/standalone", "", 0},
			{"BenchmarkDestination/baseline-grpc-batch-1", "", 0},
			{"BenchmarkDestination/standalone-v2-batch-1", "bare gRPC stream, batches of 1", 0.7},
			{"BenchmarkDestination/baseline-grpc-batch-10", "", 0},
			{"BenchmarkDestination/standalone-v2-batch-10", "bare gRPC stream, batches of 10", 0.5},
		},
	}
	if len(table.Sections) != len(want) {
		t.Errorf("sections %+v, want %d", table.Sections, len(want))
	}
	for _, s := range table.Sections {
		w, ok := want[s.Title]
		if !ok {
			t.Errorf("unexpected section %q: %+v", s.Title, s.Rows)
			continue
		}
		if len(s.Rows) != len(w) {
			t.Errorf("%s: %d rows, want %d: %+v", s.Title, len(s.Rows), len(w), s.Rows)
			continue
		}
		for i, r := range s.Rows {
			if r.Bench != w[i].bench || r.Baseline != w[i].baseline {
				t.Errorf("%s, row %d: %s against %q, want %s against %q", s.Title, i, r.Bench, r.Baseline, w[i].bench, w[i].baseline)
			}
			checkFloat(t, r.Bench+" ratio", r.Ratio, w[i].ratio)
		}
	}
	// The batch-100 target is judged on the row's ratio to its batched
	// baseline (0.5: not met); the batch-1 target on the ratio to the v1
	// row, which is not the row's baseline (1.05: met).
	judged := map[string]TargetResult{}
	for _, tg := range table.Targets {
		judged[tg.Text] = tg
	}
	if tg := judged["standalone v2 source, batches of 100 >= 0.85x bare gRPC, batches of 100"]; tg.Met || tg.Value != "0.50x" {
		t.Errorf("batch-100 target judged %+v, want 0.50x, not met", tg)
	}
	if tg := judged["standalone v2 destination, batches of 1 >= 1.0x standalone v1 (no slower)"]; !tg.Met || tg.Value != "1.05x" {
		t.Errorf("batch-1 target judged %+v, want 1.05x, met", tg)
	}
	var text bytes.Buffer
	if err := table.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if line := "standalone (subprocess), protocol v2, batches of 10"; !strings.Contains(text.String(), line) ||
		!strings.Contains(text.String(), "0.30x bare gRPC stream, batches of 10") {
		t.Errorf("the text table lacks the batched rows:\n%s", text.String())
	}
}

// TestBatchedNamesWithoutProcs checks that a batch size is not taken for
// GOMAXPROCS, which go test leaves out of the names when it is 1.
func TestBatchedNamesWithoutProcs(t *testing.T) {
	for name, want := range map[string]string{
		"BenchmarkSource/baseline-grpc-batch-10-2": "BenchmarkSource/baseline-grpc-batch-10",
		"BenchmarkSource/baseline-grpc-batch-10":   "BenchmarkSource/baseline-grpc-batch-10",
		"BenchmarkSource/standalone-4":             "BenchmarkSource/standalone",
	} {
		if got, _ := splitProcs(name); got != want {
			t.Errorf("splitProcs(%q) = %q, want %q", name, got, want)
		}
	}
}
