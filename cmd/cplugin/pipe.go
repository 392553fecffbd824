package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/pipeline"
)

// defaultPipeRecords is how many records `pipe` moves unless told.
const defaultPipeRecords = 10000

func pipeCommand() command {
	return command{
		name:    "pipe",
		short:   "move records from a source to a destination, and prove none was lost",
		args:    "SOURCE DESTINATION",
		summary: "Move records from a source connector to a destination connector (each a standalone path or a built-in example), with progress and a summary that proves nothing was lost. The source is stopped after --records records; Ctrl-C stops early, gracefully. Exits 1 if a record was lost or a connector failed.",
		example: "  cplugin pipe builtin:sequence builtin:jsonlines --records 100000 --destination-config path=out.jsonl\n  cplugin pipe ./my-source builtin:jsonlines --source-config url=postgres://localhost/db",
		flags: func(fs *flag.FlagSet, o *options) {
			fs.Int64Var(&o.records, "records", defaultPipeRecords, "stop the source after this many records (it may deliver a few more it already sent); 0 runs until Ctrl-C")
			fs.DurationVar(&o.timeout, "timeout", pipeline.DefaultTimeout, "bound every call, and every wait while stopping")
			addConfigFlags(fs, o)
			addEnvFlag(fs, o)
		},
		run: runPipe,
	}
}

func runPipe(ctx context.Context, env *environment, args []string) int {
	if !env.wantArgs(args, 2, "a source and a destination") {
		return exitUsage
	}
	res, err := pipe(ctx, env, args[0], args[1], env.opts.sourceConfig, env.opts.destinationConfig, env.opts.records)
	printPipeSummary(env.stdout, args[0], args[1], res, err)
	if err != nil || !res.NoLoss() {
		return exitFailed
	}
	return exitOK
}

// pipe opens both connectors and runs the pipeline between them, with a
// progress display on stderr.
func pipe(ctx context.Context, env *environment, source, destination string, sourceConfig, destinationConfig map[string]string, records int64) (pipeline.Result, error) {
	opts := env.connectorOptions()
	src, err := connector.Open(ctx, source, opts)
	if err != nil {
		return pipeline.Result{}, fmt.Errorf("source: %w", err)
	}
	defer src.Close()
	dst, err := connector.Open(ctx, destination, opts)
	if err != nil {
		return pipeline.Result{}, fmt.Errorf("destination: %w", err)
	}
	defer dst.Close()

	counters := &pipeline.Counters{}
	stopProgress := showProgress(env.stderr, counters, records)
	res, err := pipeline.Run(ctx, pipeline.Config{
		Source:            src.Source,
		Destination:       dst.Destination,
		SourceConfig:      sourceConfig,
		DestinationConfig: destinationConfig,
		Records:           records,
		Stop:              env.interrupt,
		Timeout:           env.opts.timeout,
	}, counters)
	stopProgress()
	return res, err
}

// showProgress redraws one progress line on a terminal ten times a second,
// or writes a plain line every second otherwise, until the returned
// function is called.
func showProgress(w io.Writer, c *pipeline.Counters, target int64) func() {
	terminal := isTerminal(w)
	interval := time.Second
	if terminal {
		interval = 100 * time.Millisecond
	}
	start := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(interval)
		defer ticker.Stop()
		for {
			select {
			case <-ticker.C:
				line := progressLine(c, target, time.Since(start))
				if terminal {
					_, _ = fmt.Fprintf(w, "\r\x1b[K%s", line)
				} else {
					_, _ = fmt.Fprintln(w, line)
				}
			case <-done:
				if terminal {
					_, _ = fmt.Fprint(w, "\r\x1b[K")
				}
				return
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}

func progressLine(c *pipeline.Counters, target int64, elapsed time.Duration) string {
	produced, written, size := c.Produced.Load(), c.Written.Load(), c.Bytes.Load()
	of := ""
	if target > 0 {
		of = fmt.Sprintf("/%d", target)
	}
	return fmt.Sprintf("pipe: %d%s records, %d written, %s, %.0f records/s, %s/s",
		produced, of, written, formatBytes(float64(size)), perSecond(float64(written), elapsed), formatBytes(perSecond(float64(size), elapsed)))
}

func perSecond(n float64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return n / d.Seconds()
}

// formatBytes uses decimal megabytes, as "MB/s" is usually read.
func formatBytes(n float64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", n/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", n/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", n/1e3)
	default:
		return fmt.Sprintf("%.0f B", n)
	}
}

// printPipeSummary writes what the pipe did and the evidence that nothing
// was lost, or what went wrong.
func printPipeSummary(w io.Writer, source, destination string, r pipeline.Result, err error) {
	_, _ = fmt.Fprintf(w, "pipe %s -> %s\n", source, destination)
	_, _ = fmt.Fprintf(w, "  records   %d produced, %d written, %d acked back to the source\n", r.Produced, r.Written, r.AckedToSource)
	_, _ = fmt.Fprintf(w, "  data      %s (positions, keys and payloads)\n", formatBytes(float64(r.Bytes)))
	_, _ = fmt.Fprintf(w, "  speed     %.0f records/s, %s/s (%v)\n",
		perSecond(float64(r.Written), r.Elapsed), formatBytes(perSecond(float64(r.Bytes), r.Elapsed)), r.Elapsed.Round(time.Millisecond))
	switch {
	case r.NoLoss() && r.Produced > 0:
		_, _ = fmt.Fprintf(w, "  no loss   every position produced (%q ... %q) was written and acked exactly once, in order;\n", r.FirstPosition, r.LastPosition)
		_, _ = fmt.Fprintf(w, "            sha256 of the positions: %s at the source's end, %s acked back\n", shortDigest(r.ProducedDigest[:]), shortDigest(r.AckedDigest[:]))
	case r.Produced == 0 && err == nil:
		_, _ = fmt.Fprintln(w, "  no loss   the source produced no record")
	default:
		var why []string
		if !r.InOrder {
			why = append(why, "the destination acked out of order")
		}
		if r.Refused > 0 {
			why = append(why, fmt.Sprintf("the destination refused %d records (first: %s); they and the records after them stay unacked at the source, so a restart delivers them again", r.Refused, r.Refusal))
		}
		if missing := r.Produced - r.Written - r.Refused; missing > 0 {
			why = append(why, fmt.Sprintf("%d records were not acked by the destination", missing))
		}
		if len(why) == 0 && r.ProducedDigest != r.AckedDigest {
			why = append(why, "the positions acked back differ from those produced")
		}
		if len(why) > 0 {
			_, _ = fmt.Fprintf(w, "  LOSS      %s\n", strings.Join(why, "; "))
		}
	}
	if err != nil {
		_, _ = fmt.Fprintf(w, "  error     %s\n", strings.ReplaceAll(err.Error(), "\n", "\n            "))
	}
}

func shortDigest(b []byte) string {
	return hex.EncodeToString(b)[:16]
}
