package main

import (
	"context"
	"errors"

	"github.com/conduitio/conduit-commons/opencdc"
	sdk "github.com/conduitio/conduit-connector-sdk"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

type destinationConfig struct {
	sdk.UnimplementedDestinationConfig

	OutputFile   string `json:"output_file"`
	NackPosition string `json:"nack_position"`
}

// destination appends every record to OutputFile, except the one at
// NackPosition, which it answers with a negative ack.
type destination struct {
	sdk.UnimplementedDestination

	config destinationConfig
}

func (d *destination) Config() sdk.DestinationConfig { return &d.config }

func (d *destination) Open(context.Context) error { return nil }

func (d *destination) Write(_ context.Context, records []opencdc.Record) (int, error) {
	for i, rec := range records {
		if d.config.NackPosition != "" && string(rec.Position) == d.config.NackPosition {
			// The SDK acks records[:i] and nacks the rest with this error.
			return i, errors.New(contract.NackError(rec.Position))
		}
		err := contract.AppendWrittenRecord(d.config.OutputFile, contract.WrittenRecord{
			Position:  string(rec.Position),
			Operation: int(rec.Operation),
			Metadata:  rec.Metadata,
			Key:       writtenData(rec.Key),
			Before:    writtenData(rec.Payload.Before),
			After:     writtenData(rec.Payload.After),
		})
		if err != nil {
			return i, err
		}
	}
	return len(records), nil
}

func (d *destination) Teardown(context.Context) error { return nil }

func writtenData(data opencdc.Data) contract.WrittenData {
	switch data := data.(type) {
	case opencdc.RawData:
		raw := string(data)
		return contract.WrittenData{Raw: &raw}
	case opencdc.StructuredData:
		return contract.WrittenData{Structured: data}
	default:
		return contract.WrittenData{}
	}
}
