package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/conduitio/conduit-commons/config"
	"github.com/conduitio/conduit-commons/opencdc"
	"github.com/conduitio/conduit-connector-protocol/pconnector"
)

// pipelineOperations is the cycle of operations the generator is configured
// with, by their names in the file destination's output.
var pipelineOperations = []string{"create", "update", "delete", "snapshot"}

// pipeline runs the generator source and the file destination as Conduit
// runs a pipeline: each in its own process, records from the source sent on
// to the destination, the destination's acks sent back to the source. The
// source is stopped halfway, the pipeline drains up to the position Stop
// named, and the destination is stopped with that position.
func pipeline(ctx context.Context, opts options) error {
	srcProc, err := launch(opts, opts.source)
	if err != nil {
		return fmt.Errorf("source process: %w", err)
	}
	defer srcProc.close()
	dstProc, err := launch(opts, opts.destination)
	if err != nil {
		return fmt.Errorf("destination process: %w", err)
	}
	defer dstProc.close()

	if err := checkName(ctx, srcProc, "sequence"); err != nil {
		return err
	}
	if err := checkName(ctx, dstProc, "jsonlines"); err != nil {
		return err
	}
	// Each process serves only one of the two plugins; the other answers
	// UNIMPLEMENTED, which the existing host recognises.
	if err := checkNoDestination(ctx, srcProc); err != nil {
		return err
	}
	if err := checkNoSource(ctx, dstProc); err != nil {
		return err
	}

	src, err := dispense[sourceClient](srcProc, "source")
	if err != nil {
		return err
	}
	dst, err := dispense[destinationClient](dstProc, "destination")
	if err != nil {
		return err
	}
	srcConfig := config.Config{
		"records":        strconv.Itoa(opts.records),
		"payload.format": "structured",
		"payload.size":   "16",
		"operations":     strings.Join(pipelineOperations, ","),
		"batch":          strconv.Itoa(opts.batch),
	}
	outputFile := filepath.Join(opts.work, "pipeline-output.jsonl")
	dstConfig := config.Config{"path": outputFile}
	if _, err := src.Configure(ctx, pconnector.SourceConfigureRequest{Config: srcConfig}); err != nil {
		return fmt.Errorf("configure source: %w", err)
	}
	if _, err := dst.Configure(ctx, pconnector.DestinationConfigureRequest{Config: dstConfig}); err != nil {
		return fmt.Errorf("configure destination: %w", err)
	}
	srcCreated, err := lifecycleResult(src.LifecycleOnCreated(ctx, pconnector.SourceLifecycleOnCreatedRequest{Config: srcConfig}))
	if err != nil {
		return fmt.Errorf("source lifecycle on created: %w", err)
	}
	dstCreated, err := lifecycleResult(dst.LifecycleOnCreated(ctx, pconnector.DestinationLifecycleOnCreatedRequest{Config: dstConfig}))
	if err != nil {
		return fmt.Errorf("destination lifecycle on created: %w", err)
	}
	if _, err := src.Open(ctx, pconnector.SourceOpenRequest{}); err != nil {
		return fmt.Errorf("start source: %w", err)
	}
	if _, err := dst.Open(ctx, pconnector.DestinationOpenRequest{}); err != nil {
		return fmt.Errorf("start destination: %w", err)
	}

	runCtx, cancelRuns := context.WithCancel(ctx)
	defer cancelRuns()
	srcStream, dstStream := src.NewStream(), dst.NewStream()
	if err := src.Run(runCtx, srcStream); err != nil {
		return fmt.Errorf("run source: %w", err)
	}
	if err := dst.Run(runCtx, dstStream); err != nil {
		return fmt.Errorf("run destination: %w", err)
	}

	half := opts.records / 2
	last := -1 // the position Stop named, once the source is stopped
	received := &sourceRecords{stream: srcStream.Client()}
	for n := 1; last < 0 || n <= last; n++ {
		if err := forwardRecord(received, dstStream.Client(), n); err != nil {
			return err
		}
		if n == half {
			stop, err := src.Stop(ctx, pconnector.SourceStopRequest{})
			if err != nil {
				return fmt.Errorf("stop source: %w", err)
			}
			if last, err = strconv.Atoi(string(stop.LastPosition)); err != nil || last < half || last > opts.records {
				return fmt.Errorf("stop source returned last position %q, want one of %d..%d", stop.LastPosition, half, opts.records)
			}
		}
	}
	if _, err := dst.Stop(ctx, pconnector.DestinationStopRequest{LastPosition: opencdc.Position(strconv.Itoa(last))}); err != nil {
		return fmt.Errorf("stop destination: %w", err)
	}
	// The existing client ends streams by cancelling their context.
	cancelRuns()
	if _, err := src.Teardown(ctx, pconnector.SourceTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown source: %w", err)
	}
	if _, err := dst.Teardown(ctx, pconnector.DestinationTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown destination: %w", err)
	}
	if err := checkFileOutput(outputFile, last); err != nil {
		return err
	}
	emit(map[string]any{
		"step":                             "pipeline",
		"records":                          last,
		"source_lifecycle_on_created":      srcCreated,
		"destination_lifecycle_on_created": dstCreated,
		"largest_batch":                    received.largest,
	})
	return nil
}

// sourceRecords hands out the records of the source's Run responses one by
// one: on protocol v2 a response carries a batch.
type sourceRecords struct {
	stream  pconnector.SourceRunStreamClient
	pending []opencdc.Record
	largest int // the most records one response carried
}

func (r *sourceRecords) next(n int) (opencdc.Record, error) {
	for len(r.pending) == 0 {
		resp, err := r.stream.Recv()
		if err != nil {
			return opencdc.Record{}, fmt.Errorf("receive record %d from the source: %w", n, err)
		}
		r.pending = resp.Records
		r.largest = max(r.largest, len(resp.Records))
	}
	rec := r.pending[0]
	r.pending = r.pending[1:]
	return rec, nil
}

// forwardRecord takes record n from the source, checks it, sends it to
// the destination, waits for its ack and acks it to the source.
func forwardRecord(src *sourceRecords, dst pconnector.DestinationRunStreamClient, n int) error {
	rec, err := src.next(n)
	if err != nil {
		return err
	}
	if err := checkGeneratorRecord(rec, n); err != nil {
		return err
	}
	if err := dst.Send(pconnector.DestinationRunRequest{Records: []opencdc.Record{rec}}); err != nil {
		return fmt.Errorf("send record %d to the destination: %w", n, err)
	}
	ackResp, err := dst.Recv()
	if err != nil {
		return fmt.Errorf("receive ack %d from the destination: %w", n, err)
	}
	if len(ackResp.Acks) != 1 || string(ackResp.Acks[0].Position) != strconv.Itoa(n) || ackResp.Acks[0].Error != "" {
		return fmt.Errorf("destination acks %+v, want one positive ack for position %d", ackResp.Acks, n)
	}
	if err := src.stream.Send(pconnector.SourceRunRequest{AckPositions: []opencdc.Position{rec.Position}}); err != nil {
		return fmt.Errorf("send ack %d to the source: %w", n, err)
	}
	return nil
}

// checkGeneratorRecord checks the shape of record n of a generator
// configured by pipeline: its position, operation, structured key, and
// which of the payload's before and after are set.
func checkGeneratorRecord(rec opencdc.Record, n int) error {
	op := pipelineOperations[(n-1)%len(pipelineOperations)]
	if string(rec.Position) != strconv.Itoa(n) || rec.Operation.String() != op {
		return fmt.Errorf("record %d: position %q, operation %v; want %q, %s", n, rec.Position, rec.Operation, strconv.Itoa(n), op)
	}
	key, ok := rec.Key.(opencdc.StructuredData)
	if !ok || key["id"] != float64(n) {
		return fmt.Errorf("record %d: key %#v, want structured data with id %d", n, rec.Key, n)
	}
	hasBefore, hasAfter := rec.Payload.Before != nil, rec.Payload.After != nil
	wantBefore, wantAfter := op == "update" || op == "delete", op != "delete"
	if hasBefore != wantBefore || hasAfter != wantAfter {
		return fmt.Errorf("record %d (%s): payload before set %v, after set %v; want %v, %v", n, op, hasBefore, hasAfter, wantBefore, wantAfter)
	}
	if rec.Metadata["opencdc.collection"] != "sequence" || rec.Metadata["opencdc.readAt"] == "" {
		return fmt.Errorf("record %d: metadata %v lacks opencdc.collection=generator or opencdc.readAt", n, rec.Metadata)
	}
	return nil
}

// checkFileOutput checks that the file destination wrote records 1..last,
// in order, with their operations and keys.
func checkFileOutput(path string, last int) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read the destination's output: %w", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != last {
		return fmt.Errorf("the destination wrote %d lines, want %d", len(lines), last)
	}
	for i, line := range lines {
		n := i + 1
		var rec struct {
			Position  []byte         `json:"position"`
			Operation string         `json:"operation"`
			Key       map[string]any `json:"key"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return fmt.Errorf("output line %d: %w", n, err)
		}
		op := pipelineOperations[(n-1)%len(pipelineOperations)]
		if string(rec.Position) != strconv.Itoa(n) || rec.Operation != op || rec.Key["id"] != float64(n) {
			return fmt.Errorf("output line %d is %s; want position %d, operation %s, key id %d", n, line, n, op, n)
		}
	}
	return nil
}

func checkName(ctx context.Context, p *connectorProcess, name string) error {
	specifier, err := dispense[pconnector.SpecifierPlugin](p, "specifier")
	if err != nil {
		return err
	}
	resp, err := specifier.Specify(ctx, pconnector.SpecifierSpecifyRequest{})
	if err != nil {
		return fmt.Errorf("specify %s: %w", name, err)
	}
	if resp.Specification.Name != name {
		return fmt.Errorf("specification names %q, want %q", resp.Specification.Name, name)
	}
	return nil
}

func checkNoDestination(ctx context.Context, p *connectorProcess) error {
	dst, err := dispense[destinationClient](p, "destination")
	if err != nil {
		return err
	}
	_, err = dst.Configure(ctx, pconnector.DestinationConfigureRequest{Config: config.Config{}})
	if !errors.Is(err, pconnector.ErrUnimplemented) {
		return fmt.Errorf("configure the destination of a source-only connector: got %w, want UNIMPLEMENTED", err)
	}
	return nil
}

func checkNoSource(ctx context.Context, p *connectorProcess) error {
	src, err := dispense[sourceClient](p, "source")
	if err != nil {
		return err
	}
	_, err = src.Configure(ctx, pconnector.SourceConfigureRequest{Config: config.Config{}})
	if !errors.Is(err, pconnector.ErrUnimplemented) {
		return fmt.Errorf("configure the source of a destination-only connector: got %w, want UNIMPLEMENTED", err)
	}
	return nil
}
