// Command faultyjsonlines is a test connector for cplugin's own tests: the
// jsonlines example (it keeps the name, so `cplugin pipe` reads its file
// back) with faults to inject through its configuration:
//
//	fault.skip=POSITION   ack the record at POSITION without writing it
//	fault.fail.after=N    fail the Run after writing and acking N records
//	fault.hang.stop=true  never answer Stop (until the host gives up)
package main

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"strconv"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

// The fault parameters.
const (
	paramSkip      = "fault.skip"
	paramFailAfter = "fault.fail.after"
	paramHangStop  = "fault.hang.stop"
)

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := jsonlines.Specification()
	spec.DestinationParams[paramSkip] = cpluginv1.Parameter{Type: cpluginv1.ParameterTypeString, Description: "Ack the record at this position without writing it."}
	spec.DestinationParams[paramFailAfter] = cpluginv1.Parameter{Type: cpluginv1.ParameterTypeInt, Description: "Fail the Run after this many records."}
	spec.DestinationParams[paramHangStop] = cpluginv1.Parameter{Type: cpluginv1.ParameterTypeBool, Description: "Never answer Stop."}
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}

type destination struct {
	*jsonlines.Destination
	skip      []byte
	failAfter int
	hangStop  bool
}

func (d *destination) Configure(ctx context.Context, req cpluginv1.DestinationConfigureRequest) (cpluginv1.DestinationConfigureResponse, error) {
	cfg := maps.Clone(req.Config)
	if v, ok := cfg[paramSkip]; ok {
		d.skip = []byte(v)
		delete(cfg, paramSkip)
	}
	if v, ok := cfg[paramFailAfter]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return cpluginv1.DestinationConfigureResponse{}, fmt.Errorf("%s: %w", paramFailAfter, cpluginv1.ErrInvalidArgument)
		}
		d.failAfter = n
		delete(cfg, paramFailAfter)
	}
	if v, ok := cfg[paramHangStop]; ok {
		d.hangStop = v == "true"
		delete(cfg, paramHangStop)
	}
	return d.Destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: cfg})
}

func (d *destination) Run(ctx context.Context, stream cpluginv1.DestinationRunStream) error {
	return d.Destination.Run(ctx, &faultyStream{DestinationRunStream: stream, d: d})
}

func (d *destination) Stop(ctx context.Context, req cpluginv1.DestinationStopRequest) (cpluginv1.DestinationStopResponse, error) {
	if d.hangStop {
		<-ctx.Done()
		return cpluginv1.DestinationStopResponse{}, ctx.Err()
	}
	return d.Destination.Stop(ctx, req)
}

// faultyStream hides the skipped record from the jsonlines destination and
// acks it itself, in order: right after the ack of the record before it.
type faultyStream struct {
	cpluginv1.DestinationRunStream
	d *destination

	mu        sync.Mutex
	received  int
	prev      []byte // the last record handed to jsonlines
	lastAcked []byte
	pending   []byte // the skipped record, acked after the ack of after
	after     []byte
}

func (s *faultyStream) Recv() (cpluginv1.DestinationRunRequest, error) {
	for {
		req, err := s.DestinationRunStream.Recv()
		if err != nil {
			return req, err
		}
		pos := req.Record.Position
		s.mu.Lock()
		s.received++
		if s.d.failAfter > 0 && s.received > s.d.failAfter {
			s.mu.Unlock()
			return req, fmt.Errorf("injected fault after %d records: the disk is full", s.d.failAfter)
		}
		if s.d.skip == nil || !bytes.Equal(pos, s.d.skip) {
			s.prev = pos
			s.mu.Unlock()
			return req, nil
		}
		// The fault: ack the record, but never write it.
		if s.prev == nil || bytes.Equal(s.prev, s.lastAcked) {
			err = s.DestinationRunStream.Send(cpluginv1.DestinationRunResponse{AckPosition: pos})
			s.lastAcked = pos
		} else {
			s.pending, s.after = pos, s.prev
		}
		s.mu.Unlock()
		if err != nil {
			return cpluginv1.DestinationRunRequest{}, err
		}
	}
}

func (s *faultyStream) Send(ack cpluginv1.DestinationRunResponse) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.DestinationRunStream.Send(ack); err != nil {
		return err
	}
	s.lastAcked = ack.AckPosition
	if s.pending != nil && bytes.Equal(ack.AckPosition, s.after) {
		pending := s.pending
		s.pending = nil
		s.lastAcked = pending
		return s.DestinationRunStream.Send(cpluginv1.DestinationRunResponse{AckPosition: pending})
	}
	return nil
}

func main() {
	if err := server.Serve(server.Connector{Specifier: specifier{}, Destination: &destination{Destination: jsonlines.NewDestination()}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
