package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/checker"
	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
)

// defaultCallTimeout bounds single calls outside the checker (Specify for
// `spec`).
const defaultCallTimeout = checker.DefaultTimeout * 2

func checkCommand() command {
	return command{
		name:    "check",
		short:   "check a connector against the contract (conformance run)",
		args:    "CONNECTOR",
		summary: "Run the conformance checks on a connector: every plugin it offers goes through the protocol's lifecycle, every message it sends is validated against the contract, and one line per check says pass, fail or warn (a SHOULD rule). Exits 1 if a check fails.",
		example: "  cplugin check ./my-connector --source-config url=postgres://localhost/db\n  cplugin check --json builtin:jsonlines --destination-config max.line.size=2048",
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.json, "json", false, "print the report as JSON")
			fs.DurationVar(&o.timeout, "timeout", checker.DefaultTimeout, "bound every call and every wait for a message")
			fs.Int64Var(&o.records, "records", checker.DefaultRecords, "records to read from a source and to send to a destination")
			addStartTimeoutFlag(fs, o)
			addConfigFlags(fs, o)
			addEnvFlag(fs, o)
		},
		run: runCheck,
	}
}

func runCheck(ctx context.Context, env *environment, args []string) int {
	if !env.wantArgs(args, 1, "one connector") {
		return exitUsage
	}
	if env.opts.records < 2 {
		env.errorf("--records %d: the checks need at least 2 records", env.opts.records)
		return exitUsage
	}
	// Configuration keys the specification does not declare are a usage
	// error, reported before the checks (which would fail Configure, or
	// worse, pass with a key the connector silently ignores).
	if len(env.opts.sourceConfig)+len(env.opts.destinationConfig) > 0 {
		if spec, _, err := fetchSpec(ctx, env, args[0]); err == nil {
			if err := checkConfigKeys(args[0], spec, env.opts.sourceConfig, env.opts.destinationConfig); err != nil {
				env.errorf("%v", err)
				return exitUsage
			}
		}
	}
	report := check(ctx, env, args[0], env.opts.sourceConfig, env.opts.destinationConfig)
	if env.opts.json {
		enc := json.NewEncoder(env.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			env.errorf("encode report: %v", err)
			return exitFailed
		}
	} else {
		printReport(env.stdout, report, isTerminal(env.stdout))
	}
	if !report.OK {
		return exitFailed
	}
	return exitOK
}

func check(ctx context.Context, env *environment, ref string, sourceConfig, destinationConfig map[string]string) checker.Report {
	opts := env.connectorOptions(ref)
	return checker.Run(ctx, checker.Config{
		Connector: ref,
		Launch: func(ctx context.Context, observe connector.Observer) (*connector.Instance, error) {
			o := opts
			o.Observer = observe
			inst, err := connector.Open(ctx, ref, o)
			var start *connector.StartError
			if errors.As(err, &start) {
				// The report names the connector already.
				return nil, reasonError{reason: start.Reason + startHint(err), err: err}
			}
			return inst, err
		},
		SourceConfig:      sourceConfig,
		DestinationConfig: destinationConfig,
		Timeout:           env.opts.timeout,
		Records:           int(env.opts.records),
	})
}

// reasonError is an error whose message is only its reason.
type reasonError struct {
	reason string
	err    error
}

func (e reasonError) Error() string { return e.reason }
func (e reasonError) Unwrap() error { return e.err }

// printReport writes one line per check, the problems under it, and a
// summary line.
func printReport(w io.Writer, r checker.Report, color bool) {
	offers := "nothing"
	if len(r.Offers) > 0 {
		offers = strings.Join(r.Offers, " and ")
	}
	_, _ = fmt.Fprintf(w, "check %s (offers %s)\n", r.Connector, offers)
	width := 0
	for _, res := range r.Results {
		width = max(width, len(res.ID))
	}
	for _, res := range r.Results {
		line := fmt.Sprintf("  %s  %-*s  %s", statusLabel(res.Status, color), width, res.ID, res.Title)
		if res.Level == checker.Should {
			line += " (SHOULD)"
		}
		_, _ = fmt.Fprintln(w, line)
		indent := strings.Repeat(" ", 10+width)
		if res.Detail != "" && res.Status != checker.Pass {
			_, _ = fmt.Fprintf(w, "%s%s\n", indent, res.Detail)
		}
		for _, p := range res.Problems {
			_, _ = fmt.Fprintf(w, "%s%s\n", indent, p.Reason)
			if p.Message != "" {
				_, _ = fmt.Fprintf(w, "%s  message: %s\n", indent, p.Message)
			}
		}
		if res.MoreProblems > 0 {
			_, _ = fmt.Fprintf(w, "%s(and %d more)\n", indent, res.MoreProblems)
		}
	}
	verdict := "PASS"
	if !r.OK {
		verdict = "FAIL"
	}
	_, _ = fmt.Fprintf(w, "%s: %d passed, %d failed, %d warnings, %d skipped\n",
		verdict, r.Summary.Passed, r.Summary.Failed, r.Summary.Warnings, r.Summary.Skipped)
}

func statusLabel(s checker.Status, color bool) string {
	label := map[checker.Status]string{checker.Pass: "pass", checker.Fail: "FAIL", checker.Warn: "warn", checker.Skip: "skip"}[s]
	if !color {
		return label
	}
	code := map[checker.Status]string{checker.Pass: "32", checker.Fail: "1;31", checker.Warn: "33", checker.Skip: "90"}[s]
	return "\x1b[" + code + "m" + label + "\x1b[0m"
}
