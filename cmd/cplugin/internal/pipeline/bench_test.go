package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

// BenchmarkPipe moves b.N records from the generator example to the file
// example (discarding) and reports records/s, three ways in one run:
//
//   - direct: the plugins called as plain Go values, no transport at all:
//     the baseline, the cost of the pipeline and the two connectors alone;
//   - builtin: through the builtin package's wrappers (isolation, copies,
//     normalised structured data), as a host runs built-in connectors;
//   - standalone: two connector processes over gRPC, as a host runs
//     standalone connectors.
//
// Each mode after the baseline also reports its speed as a fraction of the
// baseline measured in the same run ("of-direct").
//
//	go test -run='^$' -bench=BenchmarkPipe ./cmd/cplugin/internal/pipeline
func BenchmarkPipe(b *testing.B) {
	var baseline float64
	report := func(b *testing.B, res Result, elapsed time.Duration, isBaseline bool) {
		rate := float64(res.Written) / elapsed.Seconds()
		b.ReportMetric(rate, "records/s")
		b.ReportMetric(float64(res.Bytes)/1e6/elapsed.Seconds(), "MB/s")
		if isBaseline {
			baseline = rate
		} else if baseline > 0 {
			b.ReportMetric(rate/baseline, "of-direct")
		}
	}

	b.Run("direct", func(b *testing.B) {
		res, elapsed := benchRun(b, sequence.NewSource(), jsonlines.NewDestination())
		report(b, res, elapsed, true)
	})
	b.Run("builtin", func(b *testing.B) {
		src, err := connector.Open(context.Background(), "builtin:sequence", connector.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		dst, err := connector.Open(context.Background(), "builtin:jsonlines", connector.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer dst.Close()
		res, elapsed := benchRun(b, src.Source, dst.Destination)
		report(b, res, elapsed, false)
	})
	b.Run("standalone", func(b *testing.B) {
		dir := buildExamples(b)
		b.StopTimer()
		src, err := connector.Open(context.Background(), filepath.Join(dir, "sequence"), connector.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer src.Close()
		dst, err := connector.Open(context.Background(), filepath.Join(dir, "jsonlines"), connector.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer dst.Close()
		b.StartTimer()
		res, elapsed := benchRun(b, src.Source, dst.Destination)
		report(b, res, elapsed, false)
	})
}

// benchRun pipes b.N records and returns the result and the time the
// records took to move (configuring and starting excluded).
func benchRun(b *testing.B, src cpluginv1.SourcePlugin, dst cpluginv1.DestinationPlugin) (Result, time.Duration) {
	b.Helper()
	b.ResetTimer()
	res, err := Run(context.Background(), Config{Source: src, Destination: dst, Records: int64(b.N)}, nil)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if !res.NoLoss() {
		b.Fatalf("records were lost: %+v", res)
	}
	return res, res.Elapsed
}

// exampleBinaries is the directory of the standalone examples, once built.
var exampleBinaries string

func TestMain(m *testing.M) {
	code := m.Run()
	if exampleBinaries != "" {
		_ = os.RemoveAll(exampleBinaries)
	}
	os.Exit(code)
}

// buildExamples builds the standalone examples once per benchmark binary.
func buildExamples(b *testing.B) string {
	b.Helper()
	if exampleBinaries != "" {
		return exampleBinaries
	}
	b.StopTimer()
	defer b.StartTimer()
	dir, err := os.MkdirTemp("", "cplugin-bench-")
	if err != nil {
		b.Fatal(err)
	}
	out, err := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"github.com/connectorkit/conduit-connector-protocol/examples/sequence/cmd/sequence",
		"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines/cmd/jsonlines",
	).CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	exampleBinaries = dir
	return dir
}
