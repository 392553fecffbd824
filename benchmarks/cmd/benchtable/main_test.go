package main

import (
	"bytes"
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
	if len(table.Targets) != len(targets) {
		t.Errorf("%d targets checked, want %d", len(table.Targets), len(targets))
	}
	if met["standalone source >= 0.7x bare gRPC"] || !met["built-in source >= 0.5x Go channel"] || !met["raw record encode <= 8 allocs"] || met["raw record decode <= 8 allocs"] {
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
