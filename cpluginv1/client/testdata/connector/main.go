// Command connector is a small standalone connector for the tests of
// package client: its behaviour is steered by its configuration and
// environment, so that one binary covers every subprocess test.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/server"
)

func main() {
	c := server.Connector{Specifier: specifier{}, Source: &source{}}
	if os.Getenv("TEST_CONNECTOR_DESTINATION") != "" {
		c.Destination = &destination{}
	}
	if err := server.Serve(c); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// Env is what Specify reports in its description, as JSON, so that tests
// see the environment the host gave the connector.
type Env struct {
	ConnectorID         string `json:"connectorID"`
	Token               string `json:"token"`
	UtilitiesGRPCTarget string `json:"utilitiesGRPCTarget"`
	LogLevel            string `json:"logLevel"`
	MaxReceiveSize      string `json:"maxReceiveSize"`
	Extra               string `json:"extra"`
}

type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	env, err := json.Marshal(Env{
		ConnectorID:         os.Getenv("CONDUIT_CONNECTOR_ID"),
		Token:               os.Getenv("CONDUIT_CONNECTOR_TOKEN"),
		UtilitiesGRPCTarget: os.Getenv("CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET"),
		LogLevel:            os.Getenv("CONDUIT_CONNECTOR_LOG_LEVEL"),
		MaxReceiveSize:      os.Getenv("CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE"),
		Extra:               os.Getenv("TEST_CONNECTOR_EXTRA"),
	})
	if err != nil {
		return cpluginv1.SpecifierSpecifyResponse{}, err
	}
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:        "testconn",
		Summary:     "A connector for the tests of package client.",
		Description: string(env),
		Version:     "v0.1.0",
		Author:      "tests",
	}}, nil
}

// source sends "records" records whose raw payload has "size" bytes, then
// waits for the host to close the stream. Stop makes it send no more and
// answers the position of the last record it sent.
type source struct {
	cpluginv1.UnimplementedSourcePlugin
	records int
	size    int

	mu       sync.Mutex // Run and Stop run concurrently
	stopped  bool
	lastSent []byte
}

func (s *source) Configure(_ context.Context, req cpluginv1.SourceConfigureRequest) (cpluginv1.SourceConfigureResponse, error) {
	if msg := req.Config["log"]; msg != "" {
		// os.Stderr is go-plugin's stdio pipe by now: the host reads this
		// line through the stdio service.
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Warn(msg, "from", "connector")
	}
	if req.Config["panic"] != "" {
		panic(req.Config["panic"])
	}
	var err error
	if s.records, err = strconv.Atoi(req.Config["records"]); err != nil {
		return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("records: %w", cpluginv1.ErrInvalidArgument)
	}
	if v := req.Config["size"]; v != "" {
		if s.size, err = strconv.Atoi(v); err != nil {
			return cpluginv1.SourceConfigureResponse{}, fmt.Errorf("size: %w", cpluginv1.ErrInvalidArgument)
		}
	}
	return cpluginv1.SourceConfigureResponse{}, nil
}

func (s *source) Start(context.Context, cpluginv1.SourceStartRequest) (cpluginv1.SourceStartResponse, error) {
	return cpluginv1.SourceStartResponse{}, nil
}

func (s *source) Run(_ context.Context, stream cpluginv1.SourceRunStream) error {
	for i := range s.records {
		rec := cpluginv1.Record{
			Position:  []byte("pos-" + strconv.Itoa(i)),
			Operation: cpluginv1.OperationCreate,
			Payload:   cpluginv1.Change{After: cpluginv1.RawData(bytes.Repeat([]byte{'x'}, s.size))},
		}
		if err := s.send(stream, rec); err != nil {
			return fmt.Errorf("send record %d: %w", i, err)
		}
	}
	for {
		_, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// send sends rec unless the source was stopped, holding the lock so that
// Stop's answer is the last record sent.
func (s *source) send(stream cpluginv1.SourceRunStream, rec cpluginv1.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	if err := stream.Send(cpluginv1.SourceRunResponse{Record: rec}); err != nil {
		return err
	}
	s.lastSent = rec.Position
	return nil
}

func (s *source) Stop(context.Context, cpluginv1.SourceStopRequest) (cpluginv1.SourceStopResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	return cpluginv1.SourceStopResponse{LastPosition: s.lastSent}, nil
}

func (s *source) Teardown(context.Context, cpluginv1.SourceTeardownRequest) (cpluginv1.SourceTeardownResponse, error) {
	return cpluginv1.SourceTeardownResponse{}, nil
}

// destination acks every record it receives.
type destination struct {
	cpluginv1.UnimplementedDestinationPlugin
}

func (d *destination) Run(_ context.Context, stream cpluginv1.DestinationRunStream) error {
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.Send(cpluginv1.DestinationRunResponse{AckPosition: req.Record.Position}); err != nil {
			return err
		}
	}
}
