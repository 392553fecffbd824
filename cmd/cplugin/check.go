package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/checker"
	"github.com/connectorkit/conduit-connector-protocol/cmd/cplugin/internal/connector"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// defaultCallTimeout bounds single calls outside the checker (Specify for
// `spec`).
const defaultCallTimeout = checker.DefaultTimeout * 2

func checkCommand() command {
	return command{
		name:  "check",
		short: "check a connector against the contract (conformance run)",
		args:  "CONNECTOR",
		summary: "Run the conformance checks on a connector: every plugin it offers goes through the protocol's lifecycle, every message it sends is validated against the contract, and one line per check says pass, fail or warn (a SHOULD rule). " +
			"The checks run over every protocol version the connector serves (it is started offering only v1, then only v2), a section per version; --protocol runs them over one. Exits 1 if a check fails.",
		example: "  cplugin check ./my-connector --source-config url=postgres://localhost/db\n  cplugin check --json builtin:jsonlines --destination-config max.line.size=2048",
		flags: func(fs *flag.FlagSet, o *options) {
			fs.BoolVar(&o.json, "json", false, "print the report as JSON")
			fs.DurationVar(&o.timeout, "timeout", checker.DefaultTimeout, "bound every call and every wait for a message")
			fs.Int64Var(&o.records, "records", checker.DefaultRecords, "records to read from a source and to send to a destination")
			addStartTimeoutFlag(fs, o)
			addConfigFlags(fs, o)
			addEnvFlag(fs, o)
			addProtocolFlag(fs, o, "every version the connector serves, one after the other")
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
		if spec, _, _, err := fetchSpec(ctx, env, args[0]); err == nil {
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

// check runs the conformance checks on the connector ref: over the version
// --protocol names, or else over every version the connector serves (see
// servedVersions), one run after the other, in one report.
func check(ctx context.Context, env *environment, ref string, sourceConfig, destinationConfig map[string]string) checker.Report {
	run := func(version int, launchErr error) checker.Report {
		opts := env.connectorOptions(ref)
		if version != 0 {
			opts.ProtocolVersions = []int{version}
		}
		return checker.Run(ctx, checker.Config{
			Connector: ref,
			Launch: func(ctx context.Context, observe connector.Observer) (*connector.Instance, error) {
				if launchErr != nil {
					return nil, launchErr
				}
				o := opts
				o.Observer = observe
				inst, err := connector.Open(ctx, ref, o)
				return inst, reasonOnly(err)
			},
			SourceConfig:      sourceConfig,
			DestinationConfig: destinationConfig,
			Timeout:           env.opts.timeout,
			Records:           int(env.opts.records),
			Protocol:          version,
		})
	}
	if v := int(env.opts.protocol); v != 0 {
		return run(v, nil)
	}
	served, unserved, err := servedVersions(ctx, env, ref)
	if len(served) == 0 {
		// The connector does not start: the connect check says why.
		report := run(0, err)
		report.Unserved = unserved
		return report
	}
	var reports []checker.Report
	for _, v := range served {
		reports = append(reports, run(v, nil))
	}
	report := checker.Merge(reports...)
	report.Unserved = unserved
	return report
}

// servedVersions finds the protocol versions the connector ref serves: it
// starts the connector offering only v1, then only v2; a connector that
// does not complete the handshake for a version does not serve it. A
// built-in connector serves both (served in-process by package server). A
// start that times out, or a canceled ctx, ends the search: err is then the
// error of the last start, as it is if no version is served.
func servedVersions(ctx context.Context, env *environment, ref string) (served []int, unserved []checker.Unserved, err error) {
	versions := []int{client.ProtocolVersion1, client.ProtocolVersion2}
	if connector.IsBuiltin(ref) {
		return versions, nil, nil
	}
	var first error
	for _, v := range versions {
		opts := env.connectorOptions(ref)
		opts.ProtocolVersions = []int{v}
		inst, err := connector.Open(ctx, ref, opts)
		if err == nil {
			inst.Close()
			served = append(served, v)
			continue
		}
		err = reasonOnly(err)
		if first == nil {
			first = err
		}
		var start *connector.StartError
		if ctx.Err() != nil || errors.As(err, &start) && start.TimedOut {
			return nil, nil, err
		}
		unserved = append(unserved, checker.Unserved{Protocol: v, Reason: err.Error()})
	}
	if len(served) == 0 {
		return nil, nil, first
	}
	return served, unserved, nil
}

// reasonOnly drops the connector's name from a start error: the report names
// the connector already.
func reasonOnly(err error) error {
	var start *connector.StartError
	if errors.As(err, &start) {
		return reasonError{reason: start.Reason + startHint(err), err: err}
	}
	return err
}

// reasonError is an error whose message is only its reason.
type reasonError struct {
	reason string
	err    error
}

func (e reasonError) Error() string { return e.reason }
func (e reasonError) Unwrap() error { return e.err }

// printReport writes one line per check, the problems under it, and a
// summary line. The checks of each protocol version are a section of their
// own ("protocol v2:"), with its counts if there are several.
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
	if len(r.Protocols) == 0 {
		printResults(w, r.Results, width, color)
	}
	for _, v := range []int{client.ProtocolVersion1, client.ProtocolVersion2} {
		for _, u := range r.Unserved {
			if u.Protocol == v {
				_, _ = fmt.Fprintf(w, "protocol v%d: not served, not checked (offered only v%d, the connector did not start: %s)\n", v, v, u.Reason)
			}
		}
		if !slices.Contains(r.Protocols, v) {
			continue
		}
		_, _ = fmt.Fprintf(w, "protocol v%d:\n", v)
		var results []checker.Result
		for _, res := range r.Results {
			if res.Protocol == v {
				results = append(results, res)
			}
		}
		printResults(w, results, width, color)
		if len(r.Protocols) > 1 {
			sub := checker.Merge(checker.Report{Results: results})
			_, _ = fmt.Fprintf(w, "  v%d: %s\n", v, counts(sub.Summary))
		}
	}
	verdict := "PASS"
	if !r.OK {
		verdict = "FAIL"
	}
	_, _ = fmt.Fprintf(w, "%s: %s\n", verdict, counts(r.Summary))
}

func counts(s checker.Summary) string {
	return fmt.Sprintf("%d passed, %d failed, %d warnings, %d skipped", s.Passed, s.Failed, s.Warnings, s.Skipped)
}

func printResults(w io.Writer, results []checker.Result, width int, color bool) {
	for _, res := range results {
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
}

func statusLabel(s checker.Status, color bool) string {
	label := map[checker.Status]string{checker.Pass: "pass", checker.Fail: "FAIL", checker.Warn: "warn", checker.Skip: "skip"}[s]
	if !color {
		return label
	}
	code := map[checker.Status]string{checker.Pass: "32", checker.Fail: "1;31", checker.Warn: "33", checker.Skip: "90"}[s]
	return "\x1b[" + code + "m" + label + "\x1b[0m"
}
