package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// destination appends every record to the output file, except the one at
// the nack position, which it answers with a negative ack. It predates
// lifecycle events: the embedded UnimplementedDestinationPlugin answers them
// with ErrUnimplemented.
type destination struct {
	cpluginv1.UnimplementedDestinationPlugin

	outputFile   string
	nackPosition string
}

func (d *destination) Configure(_ context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	known := []string{contract.ParamOutputFile, contract.ParamNackPosition}
	if err := checkConfig(req.Config, known, []string{contract.ParamOutputFile}); err != nil {
		return cpluginv1.DestinationConfigureResponse{}, fmt.Errorf("configure destination: %w", err)
	}
	d.outputFile, d.nackPosition = req.Config[contract.ParamOutputFile], req.Config[contract.ParamNackPosition]
	return cpluginv1.DestinationConfigureResponse{}, nil
}

func (d *destination) Start(context.Context, cpluginv1.DestinationStartRequest) (cpluginv1.DestinationStartResponse, error) {
	return cpluginv1.DestinationStartResponse{}, nil
}

// Run writes and acks each record as it arrives, so nothing is buffered and
// Stop has nothing left to flush.
func (d *destination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("receive record: %w", err)
		}
		ack := cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}
		if d.nackPosition != "" && string(req.Record.Position) == d.nackPosition {
			ack.Error = contract.NackError(req.Record.Position)
		} else if err := contract.AppendWrittenRecord(d.outputFile, writtenRecord(req.Record)); err != nil {
			ack.Error = err.Error()
		}
		if err := stream.Send(ack); err != nil {
			return fmt.Errorf("send ack: %w", err)
		}
	}
}

func (d *destination) Stop(context.Context, cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	return cpluginv1.DestinationStopResponse{}, nil
}

func (d *destination) Teardown(context.Context, cpluginv1.DestinationTeardownRequest) (cpluginv1.DestinationTeardownResponse, error) {
	return cpluginv1.DestinationTeardownResponse{}, nil
}

func writtenRecord(rec cpluginv1.Record) contract.WrittenRecord {
	return contract.WrittenRecord{
		Position:  string(rec.Position),
		Operation: int(rec.Operation),
		Metadata:  rec.Metadata,
		Key:       writtenData(rec.Key),
		Before:    writtenData(rec.Payload.Before),
		After:     writtenData(rec.Payload.After),
	}
}

func writtenData(data cpluginv1.Data) contract.WrittenData {
	switch data := data.(type) {
	case cpluginv1.RawData:
		raw := string(data)
		return contract.WrittenData{Raw: &raw}
	case cpluginv1.StructuredData:
		return contract.WrittenData{Structured: data}
	default:
		return contract.WrittenData{}
	}
}
