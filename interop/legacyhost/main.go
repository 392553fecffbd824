// Command legacyhost is a host written with the existing host-side client of
// Conduit (github.com/conduitio/conduit-connector-protocol, package
// pconnector/client), forced to one protocol version: v1 by default, v2
// with -protocol 2 (the client offers both; legacyhost removes the other
// from what it offers, and fails if the connector picks another). It has
// two scenarios:
//
//   - contract (the default) launches a connector that behaves as
//     interop/internal/contract describes, drives its specifier, source and
//     destination through their whole lifecycle, and checks every value
//     against the contract. The interop test runs it against
//     interop/ourconnector (written with this repository) and, as a
//     control, against interop/sdkconnector (written with the existing SDK).
//   - pipeline runs a source connector process and a destination connector
//     process as a Conduit pipeline does, records flowing from one to the
//     other and acks back, and checks the order of everything. The interop
//     test runs it with this repository's reference connectors
//     (examples/sequence and examples/jsonlines).
//
// It prints one JSON object per step on stdout and exits with status 1 on
// the first mismatch, after printing {"step":"error","error":...}.
//
// legacyhost is a stand-in host, not Conduit, and it is more lenient than
// the real Conduit server: it accepts a lifecycle event answered with
// Unimplemented, which the Conduit server refuses (it fails the pipeline),
// so it passed connectors that Conduit would not run. Compatibility with
// Conduit is proved by the tests in realconduit/, against the real,
// unmodified server. legacyhost is kept only for what the real programs
// cannot show: a scripted sequence of calls through Conduit's own host
// client at protocol v1 or v2, with every value checked against the contract:
// Stop with acks still in flight, negative acks, configuration errors and
// their messages, Teardown after a failed Configure, a source that ends
// its stream itself. The Conduit server makes its calls only in its own
// order and does not report what it received.
//
// Usage:
//
//	legacyhost -connector PATH -name NAME -work DIR [-protocol 1|2] [-records N] [-source-ends-stream] [-env KEY=VALUE]...
//	legacyhost -scenario pipeline -source PATH -destination PATH -work DIR [-protocol 1|2] [-records N] [-env KEY=VALUE]...
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/conduitio/conduit-connector-protocol/pconnector"
)

type options struct {
	scenario         string
	source           string
	destination      string
	connector        string
	name             string
	work             string
	records          int
	sourceEndsStream bool
	env              envFlag
	protocol         int
	batch            int
}

// envFlag collects repeated -env KEY=VALUE flags.
type envFlag []string

func (e *envFlag) String() string { return strings.Join(*e, " ") }

func (e *envFlag) Set(value string) error {
	if !strings.Contains(value, "=") {
		return fmt.Errorf("%q is not KEY=VALUE", value)
	}
	*e = append(*e, value)
	return nil
}

func main() {
	var opts options
	flag.StringVar(&opts.scenario, "scenario", "contract", "contract or pipeline")
	flag.StringVar(&opts.connector, "connector", "", "contract: path of the connector executable")
	flag.StringVar(&opts.name, "name", "", "contract: connector name Specify must return")
	flag.StringVar(&opts.source, "source", "", "pipeline: path of the source connector executable (examples/sequence)")
	flag.StringVar(&opts.destination, "destination", "", "pipeline: path of the destination connector executable (examples/jsonlines)")
	flag.StringVar(&opts.work, "work", "", "directory for the files the connector writes (required)")
	flag.IntVar(&opts.records, "records", 5, "records the source produces in the first run (at least 3)")
	flag.BoolVar(&opts.sourceEndsStream, "source-ends-stream", false,
		"the source ends its Run stream once stopped and every record is acked; "+
			"check that it did and that every ack reached it")
	flag.Var(&opts.env, "env", "extra KEY=VALUE for the connector's environment (repeatable)")
	flag.IntVar(&opts.protocol, "protocol", 1, "the connector protocol version to offer, and only it: 1 or 2")
	flag.IntVar(&opts.batch, "batch", 1, "pipeline: the source's batch setting (records per Send; on v2 per message)")
	flag.Parse()
	contractOK := opts.scenario == "contract" && opts.connector != "" && opts.name != ""
	pipelineOK := opts.scenario == "pipeline" && opts.source != "" && opts.destination != ""
	if (!contractOK && !pipelineOK) || opts.work == "" || opts.records < 3 || opts.protocol != 1 && opts.protocol != 2 || opts.batch < 1 {
		flag.Usage()
		os.Exit(2)
	}

	// One deadline for the whole run, so a hang fails instead of blocking
	// the test that started this process.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := run(ctx, opts)
	cancel()
	if err != nil {
		emit(map[string]any{"step": "error", "error": err.Error()})
		os.Exit(1)
	}
	emit(map[string]any{"step": "done"})
}

func run(ctx context.Context, opts options) error {
	if opts.scenario == "pipeline" {
		return pipeline(ctx, opts)
	}
	steps := []struct {
		name string
		fn   func(context.Context, options) error
	}{
		{"specify", specify},
		{"source bad config", sourceBadConfig},
		{"source", sourceFirstRun},
		{"source resume", sourceResume},
		{"destination bad config", destinationBadConfig},
		{"destination", destinationRun},
	}
	for _, step := range steps {
		if err := step.fn(ctx, opts); err != nil {
			return fmt.Errorf("%s: %w", step.name, err)
		}
	}
	return nil
}

// emit prints one step result as a JSON line on stdout.
func emit(event map[string]any) {
	b, err := json.Marshal(event)
	if err != nil {
		b, _ = json.Marshal(map[string]any{"step": "error", "error": "encode event: " + err.Error()})
	}
	_, _ = os.Stdout.Write(append(b, '\n'))
}

// lifecycleResult turns the error of a Lifecycle call into the result a host
// records: a connector that predates lifecycle events answers Unimplemented,
// which hosts treat as success.
func lifecycleResult[Response any](_ Response, err error) (string, error) {
	switch {
	case err == nil:
		return "ok", nil
	case errors.Is(err, pconnector.ErrUnimplemented):
		return "unimplemented", nil
	default:
		return "", err
	}
}
