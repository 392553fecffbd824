package main

import (
	"context"
	"fmt"

	"github.com/conduitio/conduit-commons/opencdc"
	sdk "github.com/conduitio/conduit-connector-sdk"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

type sourceConfig struct {
	sdk.UnimplementedSourceConfig

	Records  int    `json:"records"`
	AcksFile string `json:"acks_file"`
}

// source produces the records 1..Records after the start position and
// appends every ack to AcksFile, checking that acks come in order.
type source struct {
	sdk.UnimplementedSource

	config    sourceConfig
	next      int // index of the next record to produce
	lastAcked int // index of the last record acknowledged
}

func (s *source) Config() sdk.SourceConfig { return &s.config }

func (s *source) Open(_ context.Context, position opencdc.Position) error {
	index, err := contract.ParsePosition(position)
	if err != nil {
		return fmt.Errorf("open: %w", err)
	}
	s.next = index + 1
	s.lastAcked = index
	return nil
}

func (s *source) Read(ctx context.Context) (opencdc.Record, error) {
	if s.next > s.config.Records {
		// Everything is produced: wait for Stop, which cancels ctx. The SDK
		// treats the resulting context.Canceled as the normal end of reading.
		<-ctx.Done()
		return opencdc.Record{}, ctx.Err()
	}
	index := s.next
	s.next++
	return opencdc.Record{
		Position:  contract.Position(index),
		Operation: opencdc.OperationCreate,
		Metadata:  contract.Metadata(index),
		Key:       opencdc.RawData(contract.Key(index)),
		Payload:   opencdc.Change{After: opencdc.StructuredData(contract.Payload(index))},
	}, nil
}

func (s *source) Ack(_ context.Context, position opencdc.Position) error {
	// The SDK calls Ack from one goroutine, in the order acks arrive.
	if want := contract.Position(s.lastAcked + 1); string(position) != string(want) {
		return fmt.Errorf("ack for position %q arrived, expected %q", position, want)
	}
	s.lastAcked++
	return contract.AppendLine(s.config.AcksFile, position)
}

func (s *source) Teardown(context.Context) error { return nil }
