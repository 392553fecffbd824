package benchmarks

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/benchmarks/internal/benchplugin"
)

// connectorPath is the benchmark connector, built by TestMain.
var connectorPath string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		return m.Run() // no benchmark to run: no connector to build
	}
	dir, err := os.MkdirTemp("", "cplugin-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "create a directory for the benchmark connector:", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	connectorPath = filepath.Join(dir, "benchconnector")
	build := exec.Command("go", "build", "-o", connectorPath, "./internal/benchconnector")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build the benchmark connector: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// meter measures one round of a benchmark: b.N records.
type meter struct {
	b      *testing.B
	before benchplugin.Usage
}

// startMeter resets the benchmark's timer and notes the process's usage
// counters.
func startMeter(b *testing.B) *meter {
	b.Helper()
	b.StopTimer()
	m := &meter{b: b, before: benchplugin.ReadUsage()}
	b.ResetTimer()
	b.StartTimer()
	return m
}

// stop stops the timer and reports the metrics of b.N records, counting
// other's usage (that of a connector process) as well.
func (m *meter) stop(other benchplugin.Usage) {
	m.b.StopTimer()
	usage := benchplugin.ReadUsage().Sub(m.before).Add(other)
	report(m.b, m.b.Elapsed(), usage)
}

// report reports records/s, ns/record, B/record, allocs/record and
// cpu-ns/record (CPU time of all threads) for b.N records that took elapsed
// and used usage.
func report(b *testing.B, elapsed time.Duration, usage benchplugin.Usage) {
	b.Helper()
	n := float64(b.N)
	if elapsed <= 0 {
		return
	}
	b.ReportMetric(n/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/n, "ns/record")
	b.ReportMetric(float64(usage.Bytes)/n, "B/record")
	b.ReportMetric(float64(usage.Mallocs)/n, "allocs/record")
	b.ReportMetric(float64(usage.CPU)/n, "cpu-ns/record")
}
