package benchplugin

import (
	"context"
	"fmt"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv2"
)

// ArgV2 is the argument with which the benchmark connector process
// (internal/benchconnector) serves SourceV2 and DestinationV2, written
// against protocol v2's Go API, instead of Source and Destination.
const ArgV2 = "v2"

// The plugins of protocol v2's Go API.
var (
	_ cpluginv2.SourcePlugin      = (*SourceV2)(nil)
	_ cpluginv2.DestinationPlugin = (*DestinationV2)(nil)
)

// SourceV2 is Source written against protocol v2's Go API (package
// cpluginv2): it moves the same records, from one goroutine, and checks
// the acks in Run's goroutine in the same way, but sends the records in
// batches of the configured size (ConfigBatch), the last maybe shorter, and
// receives the acks in the batches the host sends. Its other calls are
// Source's.
type SourceV2 struct {
	Source
}

// Open does nothing.
func (s *SourceV2) Open(context.Context, cpluginv2.SourceOpenRequest) (cpluginv2.SourceOpenResponse, error) {
	return cpluginv2.SourceOpenResponse{}, nil
}

// Run sends the records, a batch per message, and checks the acks.
func (s *SourceV2) Run(_ context.Context, stream cpluginv2.SourceRunStream) error {
	cfg := s.cfg
	return runSource(cfg, func() error {
		// Send keeps no batch's slice: one serves every batch.
		batch := make([]cpluginv2.Record, 0, cfg.batch)
		for first := 0; first < cfg.records; first += cfg.batch {
			batch = AppendRawRecords(batch[:0], first, min(cfg.batch, cfg.records-first))
			if err := stream.Send(cpluginv2.SourceRunResponse{Records: batch}); err != nil {
				return fmt.Errorf("send the batch of record %d: %w", first, err)
			}
		}
		return nil
	}, func(acks *ackChecker) error {
		req, err := stream.Recv()
		if err != nil {
			return err
		}
		for _, position := range req.AckPositions {
			if err := acks.ack(position); err != nil {
				return err
			}
		}
		return nil
	})
}

// DestinationV2 is Destination written against protocol v2's Go API: it
// acks every batch of records it receives with one batch of acks, one per
// record with the record's position, and checks that the configured
// number of records arrived. Its other calls are Destination's.
type DestinationV2 struct {
	Destination
}

// Open does nothing.
func (d *DestinationV2) Open(context.Context, cpluginv2.DestinationOpenRequest) (cpluginv2.DestinationOpenResponse, error) {
	return cpluginv2.DestinationOpenResponse{}, nil
}

// Run acks every batch as it arrives.
func (d *DestinationV2) Run(_ context.Context, stream cpluginv2.DestinationRunStream) error {
	var acks []cpluginv2.DestinationAck // Send keeps no batch's slice: one serves every batch
	return runDestination(d.cfg, func() (int, error) {
		req, err := stream.Recv()
		if err != nil {
			return 0, fmt.Errorf("receive: %w", err)
		}
		acks = acks[:0]
		for _, rec := range req.Records {
			acks = append(acks, cpluginv2.DestinationAck{AckPosition: rec.Position})
		}
		if err := stream.Send(cpluginv2.DestinationRunResponse{Acks: acks}); err != nil {
			return 0, fmt.Errorf("send the acks of %d records: %w", len(acks), err)
		}
		return len(req.Records), nil
	})
}
