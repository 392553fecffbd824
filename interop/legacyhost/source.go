package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/conduitio/conduit-commons/config"
	"github.com/conduitio/conduit-commons/opencdc"
	"github.com/conduitio/conduit-connector-protocol/pconnector"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

func sourceBadConfig(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	src, err := dispense[sourceClient](p, "source")
	if err != nil {
		return err
	}
	_, err = src.Configure(ctx, pconnector.SourceConfigureRequest{Config: config.Config{
		contract.ParamRecords:  "many",
		contract.ParamAcksFile: filepath.Join(opts.work, "unused-acks.txt"),
	}})
	if err == nil {
		return errors.New("configure with records=many succeeded, want an error")
	}
	if !strings.Contains(err.Error(), contract.ParamRecords) || errors.Is(err, pconnector.ErrUnimplemented) {
		return fmt.Errorf("configure with records=many: got %w, want an error about %q", err, contract.ParamRecords)
	}
	emit(map[string]any{"step": "source bad config", "error": err.Error()})
	return teardownSource(ctx, src)
}

// sourceFirstRun reads the first three records, acks only the first, stops
// the source with two acks in flight, drains the stream up to the stop
// position and acks the rest.
func sourceFirstRun(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	src, err := dispense[sourceClient](p, "source")
	if err != nil {
		return err
	}
	acksFile := filepath.Join(opts.work, "legacyhost-acks-first.txt")
	cfg := config.Config{contract.ParamRecords: strconv.Itoa(opts.records), contract.ParamAcksFile: acksFile}
	if _, err := src.Configure(ctx, pconnector.SourceConfigureRequest{Config: cfg}); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	created, err := lifecycleResult(src.LifecycleOnCreated(ctx, pconnector.SourceLifecycleOnCreatedRequest{Config: cfg}))
	if err != nil {
		return fmt.Errorf("lifecycle on created: %w", err)
	}
	if _, err := src.Open(ctx, pconnector.SourceOpenRequest{}); err != nil {
		return fmt.Errorf("start: %w", err)
	}

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	stream := src.NewStream()
	if err := src.Run(runCtx, stream); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	records := newRecordReader(stream.Client())
	for index := 1; index <= 3; index++ {
		if err := records.next(index); err != nil {
			return err
		}
	}
	if err := stream.Client().Send(pconnector.SourceRunRequest{AckPositions: []opencdc.Position{contract.Position(1)}}); err != nil {
		return fmt.Errorf("send ack 1: %w", err)
	}

	stop, err := src.Stop(ctx, pconnector.SourceStopRequest{})
	if err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	last, err := contract.ParsePosition(stop.LastPosition)
	if err != nil || last < 3 || last > opts.records {
		return fmt.Errorf("stop returned last position %q, want one of 3..%d", stop.LastPosition, opts.records)
	}
	for index := 4; index <= last; index++ {
		if err := records.next(index); err != nil {
			return err
		}
	}
	var rest []opencdc.Position
	for index := 2; index <= last; index++ {
		rest = append(rest, contract.Position(index))
	}
	// Protocol v1 has no batches: the client sends one message per ack. On
	// v2 this is one message with a batch of every ack, which the connector
	// must take element by element, in order.
	if err := stream.Client().Send(pconnector.SourceRunRequest{AckPositions: rest}); err != nil {
		return fmt.Errorf("send acks 2..%d: %w", last, err)
	}
	if err := finishSourceRun(ctx, opts, src, stream.Client(), cancelRun, acksFile, 1, last); err != nil {
		return err
	}
	emit(map[string]any{
		"step":                 "source",
		"lifecycle_on_created": created,
		"records_received":     last,
		"last_position":        string(stop.LastPosition),
	})
	return nil
}

// sourceResume starts a new connector process after position 2, as a host
// does after a restart, and reads the remaining records.
func sourceResume(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	src, err := dispense[sourceClient](p, "source")
	if err != nil {
		return err
	}
	acksFile := filepath.Join(opts.work, "legacyhost-acks-resume.txt")
	before := config.Config{contract.ParamRecords: strconv.Itoa(opts.records), contract.ParamAcksFile: acksFile}
	after := config.Config{contract.ParamRecords: "4", contract.ParamAcksFile: acksFile}
	if _, err := src.Configure(ctx, pconnector.SourceConfigureRequest{Config: after}); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	updated, err := lifecycleResult(src.LifecycleOnUpdated(ctx, pconnector.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: after}))
	if err != nil {
		return fmt.Errorf("lifecycle on updated: %w", err)
	}
	if _, err := src.Open(ctx, pconnector.SourceOpenRequest{Position: contract.Position(2)}); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	stream := src.NewStream()
	if err := src.Run(runCtx, stream); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	records := newRecordReader(stream.Client())
	for index := 3; index <= 4; index++ {
		if err := records.next(index); err != nil {
			return err
		}
	}
	if err := stream.Client().Send(pconnector.SourceRunRequest{AckPositions: []opencdc.Position{contract.Position(3), contract.Position(4)}}); err != nil {
		return fmt.Errorf("send acks: %w", err)
	}
	// Every record is produced and acked, so the source has nothing left
	// and must name record 4.
	stop, err := src.Stop(ctx, pconnector.SourceStopRequest{})
	if err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	if string(stop.LastPosition) != "4" {
		return fmt.Errorf("stop returned last position %q, want %q", stop.LastPosition, "4")
	}
	if err := finishSourceRun(ctx, opts, src, stream.Client(), cancelRun, acksFile, 3, 4); err != nil {
		return err
	}
	emit(map[string]any{
		"step":                 "source resume",
		"lifecycle_on_updated": updated,
		"last_position":        string(stop.LastPosition),
	})
	return nil
}

// finishSourceRun ends a source Run stream whose records first..last were
// all acked, tears the source down and checks the acks the connector
// recorded.
//
// The existing client cannot half-close a stream: a host ends it by
// cancelling the stream's context. A connector that ends the stream itself
// once stopped and fully acked proves it received every ack; otherwise the
// acks still in flight when the context is cancelled may be lost, so only
// their order is checked.
func finishSourceRun(
	ctx context.Context,
	opts options,
	src sourceClient,
	stream pconnector.SourceRunStreamClient,
	cancelRun context.CancelFunc,
	acksFile string,
	first, last int,
) error {
	if opts.sourceEndsStream {
		resp, err := stream.Recv()
		if !errors.Is(err, io.EOF) {
			return fmt.Errorf("after the last ack the stream gave %v, %w; want io.EOF", resp, err)
		}
	}
	cancelRun()
	if err := teardownSource(ctx, src); err != nil {
		return err
	}
	acks, err := contract.ReadAcks(acksFile)
	if err != nil {
		return err
	}
	want := contract.Positions(first, last)
	if opts.sourceEndsStream && !slices.Equal(acks, want) {
		return fmt.Errorf("the connector recorded acks %v, want %v", acks, want)
	}
	if !opts.sourceEndsStream && (len(acks) > len(want) || !slices.Equal(acks, want[:len(acks)])) {
		return fmt.Errorf("the connector recorded acks %v, want a prefix of %v", acks, want)
	}
	return nil
}

func teardownSource(ctx context.Context, src sourceClient) error {
	if _, err := src.Teardown(ctx, pconnector.SourceTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown: %w", err)
	}
	return nil
}

// recordReader reads records from a source Run stream one at a time; with
// protocol v1 every response holds exactly one record, and so does every
// v2 batch from a connector built with this repository (each Send goes out
// at once, in a batch of one).
type recordReader struct {
	stream pconnector.SourceRunStreamClient
}

func newRecordReader(stream pconnector.SourceRunStreamClient) *recordReader {
	return &recordReader{stream: stream}
}

// next receives one record and checks that it is the contract's record with
// the given index.
func (r *recordReader) next(index int) error {
	resp, err := r.stream.Recv()
	if err != nil {
		return fmt.Errorf("receive record %d: %w", index, err)
	}
	if len(resp.Records) != 1 {
		return fmt.Errorf("receive record %d: got %d records in one response, want 1", index, len(resp.Records))
	}
	// The record's serializer is an unexported detail of the host side.
	if diff := cmp.Diff(expectedSourceRecord(index), resp.Records[0], cmpopts.IgnoreUnexported(opencdc.Record{})); diff != "" {
		return fmt.Errorf("record %d differs from the contract (-want +got):\n%s", index, diff)
	}
	return nil
}

// expectedSourceRecord is the record with the given index as a host
// receives it from a source that follows the contract.
func expectedSourceRecord(index int) opencdc.Record {
	return opencdc.Record{
		Position:  contract.Position(index),
		Operation: opencdc.OperationCreate,
		Metadata:  contract.Metadata(index),
		Key:       opencdc.RawData(contract.Key(index)),
		Payload:   opencdc.Change{After: opencdc.StructuredData(contract.ReceivedPayload(index))},
	}
}
