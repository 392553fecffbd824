package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// rowSpec says how one benchmark appears in the table.
type rowSpec struct {
	bench    string // benchmark name without the GOMAXPROCS suffix
	label    string
	baseline string // benchmark whose records/s the row is divided by; empty for none
}

// section is a group of rows under a heading.
type section struct {
	title string
	rows  []rowSpec
	// batched, if set, is the benchmark (BenchmarkSource, say) whose
	// batched sub-benchmarks in the input (see batchedKinds) follow rows.
	batched string
}

// layout is the table's structure. Benchmarks in the input that it does
// not list are shown in a last section, "Other".
var layout = []section{
	{title: "Conversion, per record (Go record -> bytes, and back)", rows: []rowSpec{
		{"BenchmarkConversion/raw/encode", "raw 1 KiB, encode", ""},
		{"BenchmarkConversion/raw/decode", "raw 1 KiB, decode", ""},
		{"BenchmarkConversion/structured/encode", "structured 20 fields, encode", ""},
		{"BenchmarkConversion/structured/decode", "structured 20 fields, decode", ""},
	}},
	{title: "Validation against the contract's rules, while encoding", rows: []rowSpec{
		{"BenchmarkValidation/raw/off", "raw 1 KiB, off", ""},
		{"BenchmarkValidation/raw/on", "raw 1 KiB, on", "BenchmarkValidation/raw/off"},
		{"BenchmarkValidation/structured/off", "structured, off", ""},
		{"BenchmarkValidation/structured/on", "structured, on", "BenchmarkValidation/structured/off"},
	}},
	{title: "Source: records out, acks back (raw 1 KiB)", rows: []rowSpec{
		{"BenchmarkSource/baseline-channel", "baseline: Go channel", ""},
		{"BenchmarkSource/builtin", "built-in", "BenchmarkSource/baseline-channel"},
		{"BenchmarkSource/baseline-grpc", "baseline: bare gRPC stream", ""},
		{"BenchmarkSource/standalone", "standalone (subprocess), protocol v1", "BenchmarkSource/baseline-grpc"},
		{"BenchmarkSource/standalone-v2", "standalone (subprocess), protocol v2", "BenchmarkSource/baseline-grpc"},
	}, batched: "BenchmarkSource"},
	{title: "Destination: records in, acks out (raw 1 KiB)", rows: []rowSpec{
		{"BenchmarkDestination/baseline-channel", "baseline: Go channel", ""},
		{"BenchmarkDestination/builtin", "built-in", "BenchmarkDestination/baseline-channel"},
		{"BenchmarkDestination/baseline-grpc", "baseline: bare gRPC stream", ""},
		{"BenchmarkDestination/standalone", "standalone (subprocess), protocol v1", "BenchmarkDestination/baseline-grpc"},
		{"BenchmarkDestination/standalone-v2", "standalone (subprocess), protocol v2", "BenchmarkDestination/baseline-grpc"},
	}, batched: "BenchmarkDestination"},
}

// batchedKinds are the batched sub-benchmarks of BenchmarkSource and
// BenchmarkDestination, named <kind>-batch-<N> for a batch size N, in the
// order of their rows for each N, and the rule that pairs each with its
// baseline, a sub-benchmark of the same benchmark: standalone-v2-batch-N
// with baseline-grpc-batch-N, the transport's limit for batches of the
// same size, and builtin-v2-batch-N with baseline-channel, the in-process
// limit, which has no batches. The batched rows of a section follow its
// listed rows, by batch size (see rowsOf).
var batchedKinds = []struct {
	kind     string
	label    string             // with %d for N
	baseline func(n int) string // the baseline's sub-benchmark; nil for none
}{
	{"baseline-grpc", "baseline: bare gRPC stream, batches of %d", nil},
	{"standalone-v2", "standalone (subprocess), protocol v2, batches of %d", func(n int) string {
		return fmt.Sprintf("baseline-grpc-batch-%d", n)
	}},
	{"builtin-v2", "built-in, protocol v2, batches of %d", func(int) string { return "baseline-channel" }},
}

// batchedRow returns the row of bench if it is a batched sub-benchmark
// (see batchedKinds), with its baseline by the pairing rule, and for the
// rows' order its batch size and the index of its kind.
func batchedRow(bench string) (spec rowSpec, size, kind int, ok bool) {
	parent, sub, ok := strings.Cut(bench, "/")
	if !ok {
		return rowSpec{}, 0, 0, false
	}
	for i, k := range batchedKinds {
		v, found := strings.CutPrefix(sub, k.kind+"-batch-")
		if !found {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || strconv.Itoa(n) != v {
			return rowSpec{}, 0, 0, false
		}
		spec = rowSpec{bench: bench, label: fmt.Sprintf(k.label, n)}
		if k.baseline != nil {
			spec.baseline = parent + "/" + k.baseline(n)
		}
		return spec, n, i, true
	}
	return rowSpec{}, 0, 0, false
}

// rowsOf returns the rows of sec for the benchmarks in runs: its listed
// rows, then the batched sub-benchmarks of sec.batched in runs, by batch
// size and then in the order of batchedKinds.
func rowsOf(sec section, runs map[string][]map[string]float64) []rowSpec {
	if sec.batched == "" {
		return sec.rows
	}
	type batchedSpec struct {
		spec       rowSpec
		size, kind int
	}
	var found []batchedSpec
	for name := range runs {
		if !strings.HasPrefix(name, sec.batched+"/") {
			continue
		}
		if spec, size, kind, ok := batchedRow(name); ok {
			found = append(found, batchedSpec{spec, size, kind})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].size != found[j].size {
			return found[i].size < found[j].size
		}
		return found[i].kind < found[j].kind
	})
	rows := append([]rowSpec(nil), sec.rows...)
	for _, f := range found {
		rows = append(rows, f.spec)
	}
	return rows
}

// target is a goal of the performance work, checked against the table.
type target struct {
	text     string
	bench    string
	baseline string  // with minRatio: records/s of bench divided by baseline's
	minRatio float64 // 0: not a ratio target
	maxAlloc float64 // with no baseline: allocs/record at most
}

var targets = []target{
	{text: "standalone source >= 0.7x bare gRPC", bench: "BenchmarkSource/standalone", baseline: "BenchmarkSource/baseline-grpc", minRatio: 0.7},
	{text: "standalone destination >= 0.7x bare gRPC", bench: "BenchmarkDestination/standalone", baseline: "BenchmarkDestination/baseline-grpc", minRatio: 0.7},
	{text: "built-in source >= 0.8x Go channel", bench: "BenchmarkSource/builtin", baseline: "BenchmarkSource/baseline-channel", minRatio: 0.8},
	{text: "built-in destination >= 0.8x Go channel", bench: "BenchmarkDestination/builtin", baseline: "BenchmarkDestination/baseline-channel", minRatio: 0.8},
	{text: "standalone v2 source, batches of 100 >= 0.85x bare gRPC, batches of 100", bench: "BenchmarkSource/standalone-v2-batch-100", baseline: "BenchmarkSource/baseline-grpc-batch-100", minRatio: 0.85},
	{text: "standalone v2 destination, batches of 100 >= 0.85x bare gRPC, batches of 100", bench: "BenchmarkDestination/standalone-v2-batch-100", baseline: "BenchmarkDestination/baseline-grpc-batch-100", minRatio: 0.85},
	{text: "standalone v2 source, batches of 1 >= 1.0x standalone v1 (no slower)", bench: "BenchmarkSource/standalone-v2-batch-1", baseline: "BenchmarkSource/standalone", minRatio: 1.0},
	{text: "standalone v2 destination, batches of 1 >= 1.0x standalone v1 (no slower)", bench: "BenchmarkDestination/standalone-v2-batch-1", baseline: "BenchmarkDestination/standalone", minRatio: 1.0},
	{text: "raw record encode <= 8 allocs", bench: "BenchmarkConversion/raw/encode", maxAlloc: 8},
	{text: "raw record decode <= 8 allocs", bench: "BenchmarkConversion/raw/decode", maxAlloc: 8},
}

// Row is one line of the table: medians over the runs.
type Row struct {
	Bench         string
	Label         string
	Runs          int
	RecordsPerSec float64
	NsPerRecord   float64
	BytesPerRec   float64
	AllocsPerRec  float64
	CPUPerRecord  float64 // CPU time of every process, 0 if not reported
	Spread        float64 // (max-min)/median of records/s
	Baseline      string  // label of the baseline row, empty for none
	Ratio         float64 // records/s divided by the baseline's; 0 without one
}

// Section is a heading and its rows.
type Section struct {
	Title string
	Rows  []Row
}

// TargetResult is a target and whether the table meets it.
type TargetResult struct {
	Text  string
	Value string // the measured ratio or allocation count
	Met   bool
}

// Table is what benchtable prints.
type Table struct {
	Sections []Section
	Targets  []TargetResult
	Procs    int
	Runs     int // the most runs of any benchmark (the -count)
}

// Build computes the table from parsed results.
func Build(res Results) (Table, error) {
	rowOf := func(spec rowSpec, runs []map[string]float64) (Row, error) {
		rps, n := median(runs, unitRecordsPerSecond)
		if n == 0 {
			return Row{}, fmt.Errorf("%s reports no %s: was it run from this repository's benchmarks?", spec.bench, unitRecordsPerSecond)
		}
		r := Row{Bench: spec.bench, Label: spec.label, Runs: n, RecordsPerSec: rps, Spread: spread(runs, unitRecordsPerSecond)}
		r.NsPerRecord, _ = median(runs, unitNanoseconds)
		r.BytesPerRec, _ = median(runs, unitBytes)
		r.AllocsPerRec, _ = median(runs, unitAllocs)
		r.CPUPerRecord, _ = median(runs, unitCPU)
		return r, nil
	}
	t := Table{Procs: res.Procs}
	seen := map[string]bool{}
	byBench := map[string]Row{}
	labels := map[string]string{}
	sections := make([]section, len(layout))
	for i, sec := range layout {
		sec.rows = rowsOf(sec, res.Runs)
		sections[i] = sec
		for _, spec := range sec.rows {
			labels[spec.bench] = spec.label
		}
	}
	addSection := func(title string, specs []rowSpec) error {
		s := Section{Title: title}
		for _, spec := range specs {
			runs, ok := res.Runs[spec.bench]
			if !ok {
				continue
			}
			seen[spec.bench] = true
			r, err := rowOf(spec, runs)
			if err != nil {
				return err
			}
			if base, ok := res.Runs[spec.baseline]; ok && spec.baseline != "" {
				if ratio, ok := ratioOf(runs, base); ok {
					r.Baseline = strings.TrimPrefix(labels[spec.baseline], "baseline: ")
					r.Ratio = ratio
				}
			}
			t.Runs = max(t.Runs, r.Runs)
			byBench[spec.bench] = r
			s.Rows = append(s.Rows, r)
		}
		if len(s.Rows) > 0 {
			t.Sections = append(t.Sections, s)
		}
		return nil
	}
	for _, sec := range sections {
		if err := addSection(sec.title, sec.rows); err != nil {
			return Table{}, err
		}
	}
	var other []string
	for name := range res.Runs {
		if !seen[name] {
			other = append(other, name)
		}
	}
	sort.Strings(other)
	var otherSpecs []rowSpec
	for _, name := range other {
		if _, n := median(res.Runs[name], unitRecordsPerSecond); n == 0 {
			continue
		}
		otherSpecs = append(otherSpecs, rowSpec{bench: name, label: strings.TrimPrefix(name, "Benchmark")})
	}
	if err := addSection("Other", otherSpecs); err != nil {
		return Table{}, err
	}

	for _, tg := range targets {
		r, ok := byBench[tg.bench]
		if !ok {
			continue
		}
		if tg.minRatio > 0 {
			base, ok := byBench[tg.baseline]
			if !ok {
				continue
			}
			// Against the row's own baseline, the ratio of the table;
			// against another row, the ratio of the medians.
			ratio := r.Ratio
			if strings.TrimPrefix(base.Label, "baseline: ") != r.Baseline && base.RecordsPerSec > 0 {
				ratio = r.RecordsPerSec / base.RecordsPerSec
			}
			t.Targets = append(t.Targets, TargetResult{Text: tg.text, Value: fmt.Sprintf("%.2fx", ratio), Met: ratio >= tg.minRatio})
			continue
		}
		t.Targets = append(t.Targets, TargetResult{Text: tg.text, Value: fmt.Sprintf("%.1f allocs", r.AllocsPerRec), Met: r.AllocsPerRec <= tg.maxAlloc})
	}
	return t, nil
}

// ratioOf returns runs' records/s divided by base's. With as many runs of
// each, run i of both ran close in time (make bench runs the benchmarks
// count times in turn), so the ratio is the median of the ratios of run i,
// which a machine whose load changes between runs disturbs least;
// otherwise it is the ratio of the medians.
func ratioOf(runs, base []map[string]float64) (float64, bool) {
	if len(runs) == len(base) {
		ratios := make([]map[string]float64, 0, len(runs))
		for i := range runs {
			v, ok1 := runs[i][unitRecordsPerSecond]
			b, ok2 := base[i][unitRecordsPerSecond]
			if ok1 && ok2 && b > 0 {
				ratios = append(ratios, map[string]float64{"ratio": v / b})
			}
		}
		if len(ratios) == len(runs) {
			r, _ := median(ratios, "ratio")
			return r, true
		}
	}
	v, _ := median(runs, unitRecordsPerSecond)
	b, _ := median(base, unitRecordsPerSecond)
	if b <= 0 {
		return 0, false
	}
	return v / b, true
}

// cells returns the row's values as text, in column order.
func (r Row) cells() []string {
	ratio := "-"
	if r.Baseline != "" {
		ratio = fmt.Sprintf("%.2fx %s", r.Ratio, r.Baseline)
	}
	cpu := "-"
	if r.CPUPerRecord > 0 {
		cpu = fmt.Sprintf("%.0f", r.CPUPerRecord)
	}
	return []string{
		r.Label,
		formatRate(r.RecordsPerSec),
		fmt.Sprintf("%.0f", r.NsPerRecord),
		cpu,
		fmt.Sprintf("%.0f", r.BytesPerRec),
		fmt.Sprintf("%.1f", r.AllocsPerRec),
		ratio,
		fmt.Sprintf("±%.0f%%", r.Spread*50),
	}
}

var header = []string{"path", "records/s", "ns/record", "CPU ns/record", "B/record", "allocs/record", "vs baseline", "spread"}

// formatRate writes records/s with thousands separators.
func formatRate(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// WriteText prints the table for a terminal: the path left-aligned, the
// figures right-aligned, every section in the same columns.
func (t Table) WriteText(w io.Writer) error {
	widths := make([]int, len(header))
	grow := func(cells []string) {
		for i, c := range cells {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	grow(header)
	for _, s := range t.Sections {
		for _, r := range s.Rows {
			grow(r.cells())
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case i == 0:
				b.WriteString("  " + c + pad)
			case i == len(cells)-2: // the ratio: text, left-aligned
				b.WriteString("  " + c + pad)
			default:
				b.WriteString("  " + pad + c)
			}
		}
		b.WriteString("\n")
	}
	for i, s := range t.Sections {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(s.Title + "\n")
		line(header)
		for _, r := range s.Rows {
			line(r.cells())
		}
	}
	fmt.Fprintf(&b, "\nmedians of %d runs; spread: half the range of records/s over the runs, relative to the median\n", t.Runs)
	if len(t.Targets) > 0 {
		b.WriteString("\ntargets:\n")
		for _, tg := range t.Targets {
			fmt.Fprintf(&b, "  %-8s %-42s %s\n", metWord(tg.Met), tg.Text, tg.Value)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func metWord(met bool) string {
	if met {
		return "met"
	}
	return "NOT MET"
}

// Environment is what the Markdown file says about the run.
type Environment struct {
	CPU       string
	Cores     int
	GoVersion string
	OS        string
	Date      time.Time
	Command   string
	Load      string // load averages (1, 5, 15 minutes) when the table was written; empty if unknown
}

// WriteMarkdown writes the performance table as Markdown (make bench-doc
// keeps it in docs/performance.md).
func (t Table) WriteMarkdown(w io.Writer, env Environment) error {
	var b strings.Builder
	b.WriteString("# Performance\n\n")
	b.WriteString("What moving a record through the connector protocol costs, next to the\n")
	b.WriteString("limits of the transports measured in the same run. Written by `make bench-doc`\n")
	b.WriteString("(benchmarks/cmd/benchtable); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "- Date: %s\n", env.Date.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s, %d cores, GOMAXPROCS %d, %s\n", env.CPU, env.Cores, t.Procs, env.OS)
	if env.Load != "" {
		fmt.Fprintf(&b, "- Load average (1, 5, 15 min) when the table was written: %s, on %d cores (the benchmarks count in it; more means other work shared the machine)\n", env.Load, env.Cores)
	}
	fmt.Fprintf(&b, "- Go: %s\n", env.GoVersion)
	if env.Command != "" {
		fmt.Fprintf(&b, "- Command: `%s`\n", env.Command)
	}
	fmt.Fprintf(&b, "- Every figure is the median of %d runs; spread is half the range of records/s over the runs, relative to the median.\n\n", t.Runs)
	for _, s := range t.Sections {
		fmt.Fprintf(&b, "### %s\n\n", s.Title)
		b.WriteString("| " + strings.Join(header, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" ---: |", len(header)) + "\n")
		for _, r := range s.Rows {
			b.WriteString("| " + strings.Join(r.cells(), " | ") + " |\n")
		}
		b.WriteString("\n")
	}
	if len(t.Targets) > 0 {
		b.WriteString("### Targets\n\n")
		b.WriteString("| target | measured | |\n| --- | ---: | --- |\n")
		for _, tg := range t.Targets {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", tg.Text, tg.Value, metWord(tg.Met))
		}
		b.WriteString("\n")
	}
	b.WriteString(legend)
	_, err := io.WriteString(w, b.String())
	return err
}

const legend = `### What the rows measure

One operation is one record. CPU ns/record (user and system time of all
threads), B/record and allocs/record count every process involved: for the
standalone rows and the bare gRPC baseline, the connector process reports
its own counters, which are added to the host's. On a busy machine, CPU
ns/record varies less than ns/record: it counts the work, not the waiting.

- **Conversion**: a record on a source Run stream as the gRPC transports
  handle it, with their codec (internal/wire): encode is Go record
  -> bytes, decode is bytes -> Go record, neither building the generated
  proto messages (structured data goes through a google.protobuf.Struct).
  Raw: a 16-byte position, two metadata entries, a small raw key and a
  1 KiB raw payload. Structured: 20 fields of every kind, with a nested
  object and lists, plus a key and a before state.
- **Validation**: the encode above, with and without converting the record
  to the generated message and checking it against the contract's
  protovalidate rules (package ` + "`contract`" + `). The transports do not run
  protovalidate on the record path: they check the contract's rules for
  records and acks in Go (positions, operations, ack order, UTF-8), at a
  cost included in the Source and Destination rows. ` + "`cplugin check`" + ` runs
  protovalidate on every message.
- **Source** and **Destination**: b.N raw records through a Run stream,
  ending when the last ack reached its receiver. The host uses
  ` + "`cpluginv1.RunSource`/`RunDestination`" + ` in every mode.
  - *baseline: Go channel*: the same records on bare Go channels, one each
    way, with the copies the built-in transport makes: the in-process limit.
  - *built-in*: the connector wrapped by ` + "`builtin.NewSource`/`NewDestination`" + `.
  - *baseline: bare gRPC stream*: a hand-written gRPC service between two
    processes over a unix socket, as go-plugin sets it up, carrying the same
    messages pre-marshaled through a codec that passes bytes through: the
    transport limit.
  - *standalone*: the connector in its own process, served with
    ` + "`server.Serve`" + ` and started with ` + "`client.New`" + ` over go-plugin's default
    unix socket.
  - *batches of N*: protocol v2's Run messages carrying N records each,
    and N acks back in one message. The *bare gRPC stream, batches of N*
    baseline sends copies of a message marshaled once, with only the
    positions rewritten, and reads of what it receives only the framing it
    needs to count the records and check the acks' positions: the
    transport's limit for that batch size. A standalone row with batches
    of N is compared with it; a built-in row with batches with the Go
    channel. Every figure is still per record.

### Profiling

` + "```" + `sh
# the host's side
go test -run='^$' -bench='Source/standalone' -benchtime=300000x -cpuprofile=host.cpu -memprofile=host.mem ./benchmarks
# the connector's side: each connector process writes its CPU and allocation profiles here
BENCH_PROFILE=/tmp/prof go test -run='^$' -bench='Source/standalone' -benchtime=300000x ./benchmarks
go tool pprof -top -cum host.cpu
` + "```" + `
`
