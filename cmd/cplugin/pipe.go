package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/pipeline"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// defaultPipeRecords is how many records `pipe` moves unless told.
const defaultPipeRecords = 10000

// maxKeptPositions is how many positions the pipe keeps to name the first
// one missing from the destination's file; beyond that it compares counts
// and digests only.
const maxKeptPositions = 10_000_000

func pipeCommand() command {
	return command{
		name:  "pipe",
		short: "move records from a source to a destination, and show what is proved about them",
		args:  "SOURCE DESTINATION",
		summary: "Move records from a source connector to a destination connector (each a standalone path or a built-in example), " +
			"with progress and a summary. --records N moves exactly N records: the first N the source sends are written and acked back to it, " +
			"then the source is stopped; records it had already sent past the N-th are neither written nor acked, so a restart delivers them again. " +
			"The pipe waits for the N-th record as long as it takes, as a source may be waiting for new data; the progress line shows the count. " +
			"The summary says what the acks show and, for a jsonlines destination with a path, what reading the file back shows. " +
			"Ctrl-C stops gracefully (the records sent until the source's Stop position are moved); a second Ctrl-C aborts at once. " +
			"A destination that fails ends the pipe at once, with its own error. Exits 1 if a record was not written and acked, or a connector failed.",
		example: "  cplugin pipe builtin:sequence builtin:jsonlines --records 100000 --destination-config path=out.jsonl\n" +
			"  cplugin pipe ./my-source builtin:jsonlines --source-config url=postgres://localhost/db",
		flags: func(fs *flag.FlagSet, o *options) {
			fs.Int64Var(&o.records, "records", defaultPipeRecords, "move exactly this many records (the first ones the source sends), then stop; 0 moves records until Ctrl-C")
			fs.DurationVar(&o.timeout, "timeout", pipeline.DefaultTimeout, "bound every call, and every wait while stopping")
			addStartTimeoutFlag(fs, o)
			addConfigFlags(fs, o)
			addEnvFlag(fs, o)
			addProtocolFlag(fs, o, "offer 1 and 2; each connector picks the highest it serves")
		},
		run:      runPipe,
		graceful: true,
	}
}

func runPipe(ctx context.Context, env *environment, args []string) int {
	if !env.wantArgs(args, 2, "a source and a destination") {
		return exitUsage
	}
	if env.opts.records < 0 {
		env.errorf("--records %d: want the number of records to move, or 0 to move records until Ctrl-C", env.opts.records)
		return exitUsage
	}
	out, err := pipe(ctx, env, args[0], args[1], env.opts.sourceConfig, env.opts.destinationConfig, env.opts.records)
	var keyErr *configKeyError
	switch {
	case errors.As(err, &keyErr):
		env.errorf("%v", err)
		return exitUsage
	case !out.res.Started:
		// Nothing moved: the error, not a summary of nothing.
		env.errorf("%s", indent(err.Error(), "  "))
		return exitFailed
	}
	printPipeSummary(env.stdout, args[0], args[1], out, err)
	if err != nil || !out.ok() {
		return exitFailed
	}
	return exitOK
}

// pipeOutcome is what `pipe` did.
type pipeOutcome struct {
	res pipeline.Result
	// file is what reading the destination's file back showed.
	file fileCheck
	// schemas are the schemas the connectors registered during the pipe
	// through the connector utilities (the registry cplugin offers them).
	schemas []cpluginv1.Schema
	// sourceProtocol and destinationProtocol say which protocol version
	// each connector spoke: "v1", "v2", or "built-in".
	sourceProtocol, destinationProtocol string
}

// ok reports whether every record was written and acked, and the file (if
// it could be read back) holds exactly the positions produced.
func (o pipeOutcome) ok() bool {
	return o.res.NoLoss() && (o.file.skipped != "" || o.file.problem == "")
}

// pipe opens both connectors, checks the configuration keys against their
// specifications, runs the pipeline between them with a progress display on
// stderr, and reads the destination's file back if it can. A Ctrl-C while
// the connectors start ends the start.
func pipe(ctx context.Context, env *environment, source, destination string, sourceConfig, destinationConfig map[string]string, records int64) (out pipeOutcome, err error) {
	openCtx, cancelOpen := context.WithCancel(ctx)
	defer cancelOpen()
	stopWatch := onClose(env.interrupt, cancelOpen)
	defer stopWatch()

	src, err := connector.Open(openCtx, source, env.connectorOptions(source))
	if err != nil {
		return out, fmt.Errorf("source: %w%s", err, startHint(err))
	}
	defer src.Close()
	out.sourceProtocol = protocolName(src)
	dst, err := connector.Open(openCtx, destination, env.connectorOptions(destination))
	if err != nil {
		return out, fmt.Errorf("destination: %w%s", err, startHint(err))
	}
	defer dst.Close()
	out.destinationProtocol = protocolName(dst)

	// The specifications tell which configuration keys exist, and whether
	// the destination writes a file the pipe can read back.
	srcSpec, srcSpecOK := specify(openCtx, src)
	dstSpec, dstSpecOK := specify(openCtx, dst)
	if srcSpecOK {
		if err := checkConfigKeys(source, srcSpec, sourceConfig, nil); err != nil {
			return out, err
		}
	}
	if dstSpecOK {
		if err := checkConfigKeys(destination, dstSpec, nil, destinationConfig); err != nil {
			return out, err
		}
	}
	file, skipped := findOutputFile(dstSpec.Name, destinationConfig)
	if openCtx.Err() != nil {
		return out, openCtx.Err()
	}
	stopWatch()

	registeredBefore := connector.Schemas().List()
	defer func() { out.schemas = newSchemas(registeredBefore, connector.Schemas().List()) }()

	counters := &pipeline.Counters{}
	stopProgress := showProgress(env.stderr, counters, records)
	stopNotice := onClose(env.interrupt, func() {
		env.errorf("stopping gracefully; press Ctrl-C again to abort")
	})
	res, err := pipeline.Run(ctx, pipeline.Config{
		Source:            src.Source,
		Destination:       dst.Destination,
		SourceConfig:      sourceConfig,
		DestinationConfig: destinationConfig,
		Records:           records,
		Stop:              env.interrupt,
		Timeout:           env.opts.timeout,
		KeepPositions:     file != nil && records > 0 && records <= maxKeptPositions,
	}, counters)
	stopNotice()
	stopProgress()
	out.res = res
	if ctx.Err() != nil {
		// The second Ctrl-C: say so, rather than "context canceled".
		err = errors.Join(errors.New("aborted by a second Ctrl-C; the connectors were closed without Teardown"), withoutCanceled(err))
	} else if err != nil {
		err = explainRole(ctx, err, source, destination, src, dst, env.opts.timeout)
	}

	switch {
	case file == nil:
		out.file.skipped = skipped
	case !res.Started:
	case res.DestinationFailed, res.Refused > 0, ctx.Err() != nil:
		out.file.skipped = "the run did not complete, so the file is not compared"
	default:
		out.file = readBack(file, res)
	}
	return out, err
}

// withoutCanceled drops context.Canceled from a joined error.
func withoutCanceled(err error) error {
	var kept []error
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		for _, e := range joined.Unwrap() {
			if !errors.Is(e, context.Canceled) {
				kept = append(kept, e)
			}
		}
	} else if err != nil && !errors.Is(err, context.Canceled) {
		kept = append(kept, err)
	}
	return errors.Join(kept...)
}

// specify returns the connector's specification, if it answers within the
// call timeout.
func specify(ctx context.Context, inst *connector.Instance) (cpluginv1.Specification, bool) {
	ctx, cancel := context.WithTimeout(ctx, defaultCallTimeout)
	defer cancel()
	resp, err := inst.Specifier.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	return resp.Specification, err == nil
}

// explainRole adds a hint to the error of a pipeline whose source (or
// destination) answered Configure with Unimplemented: the connector does
// not offer that plugin. It names what the connector offers instead, by
// asking its other plugin, as `cplugin check` does.
func explainRole(ctx context.Context, err error, source, destination string, src, dst *connector.Instance, timeout time.Duration) error {
	var step *pipeline.StepError
	if !errors.As(err, &step) || step.Step != "configure" || !errors.Is(step.Err, cpluginv1.ErrUnimplemented) {
		return err
	}
	ref, offers := source, "destination"
	probe := func(ctx context.Context) error {
		_, err := src.Destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{}})
		_, _ = src.Destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{})
		return err
	}
	if step.Role == "destination" {
		ref, offers = destination, "source"
		probe = func(ctx context.Context) error {
			_, err := dst.Source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{}})
			_, _ = dst.Source.Teardown(ctx, cpluginv1.SourceTeardownRequest{})
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hint := fmt.Sprintf("%s has no %s: it answers %s calls with Unimplemented (%q)", ref, step.Role, step.Role, step.Err.Error())
	if probeErr := probe(ctx); errors.Is(probeErr, cpluginv1.ErrUnimplemented) {
		hint += "; it offers neither a source nor a destination (see 'cplugin check " + ref + "')"
	} else {
		hint += fmt.Sprintf("; it offers: %s. Did you swap SOURCE and DESTINATION? (cplugin pipe SOURCE DESTINATION)", offers)
	}
	return reasonError{reason: hint, err: err}
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

// withProtocol names a connector with the protocol version it spoke:
// "./my-source (protocol v2)"; a built-in connector speaks none:
// "builtin:sequence (built-in)".
func withProtocol(ref, protocol string) string {
	switch protocol {
	case "":
		return ref
	case "built-in":
		return ref + " (built-in)"
	}
	return ref + " (protocol " + protocol + ")"
}

// summaryIndent lines up continuation lines under a summary line's text.
const summaryIndent = "            "

// printPipeSummary writes what the pipe did and what is proved about it:
// the acks (compared by the host with the records it sent) and, if it could
// be read back, the destination's file (compared with the positions
// produced, independently of the acks).
func printPipeSummary(w io.Writer, source, destination string, o pipeOutcome, err error) {
	r := o.res
	_, _ = fmt.Fprintf(w, "pipe %s -> %s\n", withProtocol(source, o.sourceProtocol), withProtocol(destination, o.destinationProtocol))
	_, _ = fmt.Fprintf(w, "  records   %d produced, %d written, %d acked back to the source\n", r.Produced, r.Written, r.AckedToSource)
	if r.Held > 0 {
		_, _ = fmt.Fprintf(w, "  held      %d more records the source sent before its Stop took effect: not written, not acked\n%s(a restart of the source delivers them again)\n", r.Held, summaryIndent)
	}
	_, _ = fmt.Fprintf(w, "  data      %s (positions, keys and payloads)\n", formatBytes(float64(r.Bytes)))
	_, _ = fmt.Fprintf(w, "  speed     %.0f records/s, %s/s (%v)\n",
		perSecond(float64(r.Written), r.Elapsed), formatBytes(perSecond(float64(r.Bytes), r.Elapsed)), r.Elapsed.Round(time.Millisecond))
	switch {
	case r.NoLoss() && r.Produced > 0:
		_, _ = fmt.Fprintf(w, "  acks      positions acked by the destination = positions produced by the source (%q ... %q),\n", r.FirstPosition, r.LastPosition)
		_, _ = fmt.Fprintln(w, summaryIndent+"each once, in order; each was acked back to the source")
	case r.Produced == 0 && err == nil:
		_, _ = fmt.Fprintln(w, "  acks      the source produced no record")
	default:
		var why []string
		if !r.InOrder {
			why = append(why, "the destination broke the order of the acks (see the error)")
		}
		if r.Refused > 0 {
			why = append(why, fmt.Sprintf("the destination refused %d records (first: %s); they and the records after them stay unacked at the source, so a restart delivers them again", r.Refused, r.Refusal))
		}
		if missing := r.Produced - r.Written - r.Refused; missing > 0 {
			why = append(why, fmt.Sprintf("%d records sent to the destination were not acked by it; they stay unacked at the source, so a restart delivers them again", missing))
		}
		if len(why) > 0 {
			_, _ = fmt.Fprintf(w, "  acks      INCOMPLETE: %s\n", strings.Join(why, "; "))
		}
	}
	printSchemas(w, o.schemas)
	f := o.file
	switch {
	case f.skipped != "":
		_, _ = fmt.Fprintf(w, "  file      not read back: %s;\n%sthe acks are the only evidence of what the destination did with the records\n", f.skipped, summaryIndent)
	case f.path == "":
	case f.problem == "":
		_, _ = fmt.Fprintf(w, "  file      read back from %s:\n%spositions in the file = positions produced, in order (%d lines;\n%ssha256 of the positions: %s produced, %s in the file)\n",
			f.path, summaryIndent, f.lines, summaryIndent, shortDigest(r.ProducedDigest[:]), shortDigest(f.digest[:]))
	default:
		_, _ = fmt.Fprintf(w, "  file      LOSS, read back from %s:\n%s%s\n%s(sha256 of the positions: %s produced, %s in the file)\n",
			f.path, summaryIndent, f.problem, summaryIndent, shortDigest(r.ProducedDigest[:]), shortDigest(f.digest[:]))
	}
	if err != nil {
		_, _ = fmt.Fprintf(w, "  error     %s\n", indent(dedupe(err.Error()), summaryIndent))
	}
}

// newSchemas returns the schemas in after that are not in before.
func newSchemas(before, after []cpluginv1.Schema) []cpluginv1.Schema {
	type key struct {
		subject string
		version int32
	}
	seen := make(map[key]bool, len(before))
	for _, s := range before {
		seen[key{s.Subject, s.Version}] = true
	}
	var out []cpluginv1.Schema
	for _, s := range after {
		if !seen[key{s.Subject, s.Version}] {
			out = append(out, s)
		}
	}
	return out
}

// printSchemas lists the schemas the connectors registered, if any.
func printSchemas(w io.Writer, schemas []cpluginv1.Schema) {
	for i, s := range schemas {
		label := "          "
		if i == 0 {
			label = "schemas   "
		}
		_, _ = fmt.Fprintf(w, "  %s%s version %d (%s, id %d, %d bytes), registered by a connector\n", label, s.Subject, s.Version, s.Type, s.ID, len(s.Bytes))
	}
}

// dedupe drops a segment of an error chain ("a: b: c") that repeats the
// one before it, as in "write out.jsonl: write out.jsonl: disk full",
// which happens when two layers both name what failed.
func dedupe(msg string) string {
	lines := strings.Split(msg, "\n")
	for i, line := range lines {
		parts := strings.Split(line, ": ")
		kept := parts[:1]
		for _, p := range parts[1:] {
			if p != kept[len(kept)-1] {
				kept = append(kept, p)
			}
		}
		lines[i] = strings.Join(kept, ": ")
	}
	return strings.Join(lines, "\n")
}

// indent indents every line of s after the first.
func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func shortDigest(b []byte) string {
	return hex.EncodeToString(b)[:16]
}
