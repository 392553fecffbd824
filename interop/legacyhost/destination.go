package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/conduitio/conduit-commons/config"
	"github.com/conduitio/conduit-commons/opencdc"
	"github.com/conduitio/conduit-connector-protocol/pconnector"
	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// nackIndex is the index of the record the host asks the destination to
// answer with a negative ack.
const nackIndex = 3

func destinationBadConfig(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	dst, err := dispense[destinationClient](p, "destination")
	if err != nil {
		return err
	}
	// output_file is required.
	_, err = dst.Configure(ctx, pconnector.DestinationConfigureRequest{Config: config.Config{}})
	if err == nil {
		return fmt.Errorf("configure without %s succeeded, want an error", contract.ParamOutputFile)
	}
	if !strings.Contains(err.Error(), contract.ParamOutputFile) || errors.Is(err, pconnector.ErrUnimplemented) {
		return fmt.Errorf("configure without %s: got %w, want an error about it", contract.ParamOutputFile, err)
	}
	emit(map[string]any{"step": "destination bad config", "error": err.Error()})
	return teardownDestination(ctx, dst)
}

// destinationRun sends records 1..records, expects one ack per record in
// order (a negative ack for record nackIndex), stops the destination with
// the last position and checks what the connector wrote.
func destinationRun(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	dst, err := dispense[destinationClient](p, "destination")
	if err != nil {
		return err
	}
	outputFile := filepath.Join(opts.work, "legacyhost-output.jsonl")
	cfg := config.Config{
		contract.ParamOutputFile:   outputFile,
		contract.ParamNackPosition: string(contract.Position(nackIndex)),
	}
	if _, err := dst.Configure(ctx, pconnector.DestinationConfigureRequest{Config: cfg}); err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	created, err := lifecycleResult(dst.LifecycleOnCreated(ctx, pconnector.DestinationLifecycleOnCreatedRequest{Config: cfg}))
	if err != nil {
		return fmt.Errorf("lifecycle on created: %w", err)
	}
	if _, err := dst.Open(ctx, pconnector.DestinationOpenRequest{}); err != nil {
		return fmt.Errorf("start: %w", err)
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	stream := dst.NewStream()
	if err := dst.Run(runCtx, stream); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	for index := 1; index <= opts.records; index++ {
		rec := opencdc.Record{
			Position:  contract.Position(index),
			Operation: opencdc.OperationCreate,
			Metadata:  contract.Metadata(index),
			Key:       opencdc.RawData(contract.Key(index)),
			Payload:   opencdc.Change{After: opencdc.StructuredData(contract.Payload(index))},
		}
		if err := stream.Client().Send(pconnector.DestinationRunRequest{Records: []opencdc.Record{rec}}); err != nil {
			return fmt.Errorf("send record %d: %w", index, err)
		}
	}
	var acks []pconnector.DestinationRunResponseAck
	for len(acks) < opts.records {
		resp, err := stream.Client().Recv()
		if err != nil {
			return fmt.Errorf("receive ack %d: %w", len(acks)+1, err)
		}
		acks = append(acks, resp.Acks...)
	}
	var wantAcks []pconnector.DestinationRunResponseAck
	for index := 1; index <= opts.records; index++ {
		ack := pconnector.DestinationRunResponseAck{Position: contract.Position(index)}
		if index == nackIndex {
			ack.Error = contract.NackError(ack.Position)
		}
		wantAcks = append(wantAcks, ack)
	}
	if diff := cmp.Diff(wantAcks, acks); diff != "" {
		return fmt.Errorf("acks differ (-want +got):\n%s", diff)
	}
	if _, err := dst.Stop(ctx, pconnector.DestinationStopRequest{LastPosition: contract.Position(opts.records)}); err != nil {
		return fmt.Errorf("stop: %w", err)
	}
	// The existing client cannot half-close a stream: cancelling its
	// context is how it ends one.
	cancelRun()
	if err := teardownDestination(ctx, dst); err != nil {
		return err
	}

	// The destination wrote each record before acking it, so the file is
	// complete now.
	written, err := contract.ReadWrittenRecords(outputFile)
	if err != nil {
		return err
	}
	var want []contract.WrittenRecord
	for index := 1; index <= opts.records; index++ {
		if index != nackIndex {
			want = append(want, expectedWrittenRecord(index))
		}
	}
	if diff := cmp.Diff(want, written); diff != "" {
		return fmt.Errorf("written records differ (-want +got):\n%s", diff)
	}
	emit(map[string]any{
		"step":                 "destination",
		"lifecycle_on_created": created,
		"acks":                 len(acks),
		"nack_error":           acks[nackIndex-1].Error,
		"written":              len(written),
	})
	return nil
}

func expectedWrittenRecord(index int) contract.WrittenRecord {
	key := string(contract.Key(index))
	return contract.WrittenRecord{
		Position:  string(contract.Position(index)),
		Operation: contract.OperationCreate,
		Metadata:  contract.Metadata(index),
		Key:       contract.WrittenData{Raw: &key},
		After:     contract.WrittenData{Structured: contract.ReceivedPayload(index)},
	}
}

func teardownDestination(ctx context.Context, dst destinationClient) error {
	if _, err := dst.Teardown(ctx, pconnector.DestinationTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown: %w", err)
	}
	return nil
}
