package crosslang

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/examples/jsonlines"
)

// startClient starts the connector at entrypoint with the host library of
// this repository (hashicorp/go-plugin underneath), as a Go host would. The
// host offers protocol versions 1 and 2 (its default): the Python example
// speaks 2, the TypeScript example 1.
func startClient(t *testing.T, entrypoint string) *client.Client {
	t.Helper()
	return startClientVersions(t, entrypoint, nil)
}

// startClientVersions is startClient with the host offering the protocol
// versions versions (nil: the default, 1 and 2).
func startClientVersions(t *testing.T, entrypoint string, versions []int) *client.Client {
	t.Helper()
	output := &lockedBuffer{}
	c, err := client.New(context.Background(), client.Config{
		Path:             entrypoint,
		ConnectorID:      "crosslang-test",
		LogLevel:         "debug",
		StartTimeout:     startTimeout,
		Logger:           slog.New(slog.NewTextHandler(output, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ProtocolVersions: versions,
	})
	if err != nil {
		t.Fatalf("start %s with the client: %v", entrypoint, err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		if t.Failed() {
			t.Logf("log of %s:\n%s", entrypoint, output.String())
		}
	})
	return c
}

// pipeRecords moves every record of a source holding count records to a
// destination writing to path, the way a host does: each is configured and
// told it was created (LifecycleOnCreated), then records go from the
// source's Run stream to the destination's, the destination's acks go back
// to the source, then both are stopped (source first, then the destination
// with the source's last position) and torn down.
func pipeRecords(ctx context.Context, source cpluginv1.SourcePlugin, destination cpluginv1.DestinationPlugin, count int, path string) error {
	sourceConfig := map[string]string{"records": strconv.Itoa(count), "payload.format": "structured"}
	if _, err := source.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: sourceConfig}); err != nil {
		return fmt.Errorf("configure source: %w", err)
	}
	// A new pipeline: the Conduit server sends LifecycleOnCreated after
	// Configure and fails the pipeline on any error, ErrUnimplemented
	// included.
	if _, err := source.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: sourceConfig}); err != nil {
		return fmt.Errorf("source LifecycleOnCreated: %w (want success)", err)
	}
	if _, err := source.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		return fmt.Errorf("start source: %w", err)
	}
	destinationConfig := map[string]string{"path": path}
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: destinationConfig}); err != nil {
		return fmt.Errorf("configure destination: %w", err)
	}
	if _, err := destination.LifecycleOnCreated(ctx, cpluginv1.DestinationLifecycleOnCreatedRequest{Config: destinationConfig}); err != nil {
		return fmt.Errorf("destination LifecycleOnCreated: %w (want success)", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		return fmt.Errorf("start destination: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sourceRun := cpluginv1.RunSource(ctx, source)
	destinationRun := cpluginv1.RunDestination(ctx, destination)

	// Acks flow back from the destination to the source in their own
	// goroutine, as in a real pipeline; sent holds the positions in the order
	// they went to the destination.
	sent := make(chan []byte, count)
	acksDone := make(chan error, 1)
	go func() {
		acksDone <- forwardAcks(destinationRun, sourceRun, sent, count)
	}()

	for range count {
		rec, err := sourceRun.Recv()
		if err != nil {
			return fmt.Errorf("receive record %d: %w", len(sent)+1, err)
		}
		sent <- rec.Record.Position
		if err := destinationRun.Send(cpluginv1.DestinationRunRequest(rec)); err != nil {
			return fmt.Errorf("send record to the destination: %w", err)
		}
	}
	stop, err := source.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil {
		return fmt.Errorf("stop source: %w", err)
	}
	if got, want := string(stop.LastPosition), strconv.Itoa(count); got != want {
		return fmt.Errorf("source Stop returned %q, want %q: the source holds %d records", got, want, count)
	}
	if _, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest(stop)); err != nil {
		return fmt.Errorf("stop destination: %w", err)
	}
	if err := <-acksDone; err != nil {
		return err
	}
	// Every record is written and acked: both streams can end.
	_ = destinationRun.CloseSend()
	_ = sourceRun.CloseSend()
	if _, err := sourceRun.Recv(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("source Run after Stop's position: got %w, want the end of the stream", err)
	}
	if err := sourceRun.Wait(); err != nil {
		return fmt.Errorf("source Run: %w", err)
	}
	if err := destinationRun.Wait(); err != nil {
		return fmt.Errorf("destination Run: %w", err)
	}
	if _, err := source.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown source: %w", err)
	}
	if _, err := destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		return fmt.Errorf("teardown destination: %w", err)
	}
	return nil
}

// forwardAcks checks that the destination acks every record positively and
// in order, and passes each ack on to the source.
func forwardAcks(destinationRun *cpluginv1.DestinationRun, sourceRun *cpluginv1.SourceRun, sent <-chan []byte, count int) error {
	for i := range count {
		ack, err := destinationRun.Recv()
		if err != nil {
			return fmt.Errorf("receive ack %d: %w", i+1, err)
		}
		want := <-sent
		if !bytes.Equal(ack.AckPosition, want) {
			return fmt.Errorf("ack %d is for position %q, want %q (acks out of order)", i+1, ack.AckPosition, want)
		}
		if ack.Error != "" {
			return fmt.Errorf("negative ack for position %q: %s", ack.AckPosition, ack.Error)
		}
		if err := sourceRun.Send(cpluginv1.SourceRunRequest{AckPosition: ack.AckPosition}); err != nil {
			return fmt.Errorf("send ack to the source: %w", err)
		}
	}
	return nil
}

// readPositions returns the positions of the JSON lines in path, in order.
func readPositions(t *testing.T, path string) []string {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = file.Close() }()
	var positions []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		var line struct {
			Position string `json:"position"`
		}
		if err := json.Unmarshal(scanner.Bytes(), &line); err != nil {
			t.Fatalf("line %q is not JSON: %v", scanner.Text(), err)
		}
		position, err := base64.StdEncoding.DecodeString(line.Position)
		if err != nil {
			t.Fatalf("position of line %q is not base64: %v", scanner.Text(), err)
		}
		positions = append(positions, string(position))
	}
	if err := scanner.Err(); err != nil {
		t.Fatal(err)
	}
	return positions
}

// TestClientPipesAcrossLanguages runs each example's source into the other
// example's destination through this repository's Go host library, and
// checks that every record arrives once, in order.
func TestClientPipesAcrossLanguages(t *testing.T) {
	const count = 500
	for _, from := range languages {
		for _, to := range languages {
			t.Run(from.name+"_to_"+to.name, func(t *testing.T) {
				sourceDir, destinationDir := prepare(t, from), prepare(t, to)
				source := startClient(t, filepath.Join(sourceDir, "connector"))
				destination := startClient(t, filepath.Join(destinationDir, "connector"))
				path := filepath.Join(t.TempDir(), "out.jsonl")
				ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
				defer cancel()
				if err := pipeRecords(ctx, source.Source(), destination.Destination(), count, path); err != nil {
					t.Fatal(err)
				}
				positions := readPositions(t, path)
				if len(positions) != count {
					t.Fatalf("the destination wrote %d records, want %d", len(positions), count)
				}
				for i, position := range positions {
					if want := strconv.Itoa(i + 1); position != want {
						t.Fatalf("record %d in the file has position %q, want %q", i+1, position, want)
					}
				}
			})
		}
	}
}

// writeRecords sends records to a destination writing to path, stops it
// after the last one and returns the acks.
func writeRecords(ctx context.Context, destination cpluginv1.DestinationPlugin, path string, records []cpluginv1.Record) ([]cpluginv1.DestinationRunResponse, error) {
	if _, err := destination.Configure(ctx, cpluginv1.DestinationConfigureRequest{Config: map[string]string{"path": path}}); err != nil {
		return nil, fmt.Errorf("configure destination: %w", err)
	}
	if _, err := destination.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		return nil, fmt.Errorf("start destination: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run := cpluginv1.RunDestination(ctx, destination)
	for _, rec := range records {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: rec}); err != nil {
			return nil, fmt.Errorf("send record: %w", err)
		}
	}
	if _, err := destination.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: records[len(records)-1].Position}); err != nil {
		return nil, fmt.Errorf("stop destination: %w", err)
	}
	acks := make([]cpluginv1.DestinationRunResponse, 0, len(records))
	for range records {
		ack, err := run.Recv()
		if err != nil {
			return nil, fmt.Errorf("receive ack: %w", err)
		}
		acks = append(acks, ack)
	}
	_ = run.CloseSend()
	if err := run.Wait(); err != nil {
		return nil, fmt.Errorf("destination Run: %w", err)
	}
	if _, err := destination.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		return nil, fmt.Errorf("teardown destination: %w", err)
	}
	return acks, nil
}

// formatRecords are records whose JSON lines every example writes the same
// way: structured data with nesting, arrays, every JSON type and non-ASCII
// text, raw data that is not UTF-8, empty and missing data and metadata.
func formatRecords() []cpluginv1.Record {
	return []cpluginv1.Record{
		{
			Position:  []byte("f1"),
			Operation: cpluginv1.OperationCreate,
			Metadata:  map[string]string{"opencdc.collection": "users", "b": "2", "a": "1"},
			Key:       cpluginv1.RawData("user-1"),
			Payload: cpluginv1.Change{After: cpluginv1.StructuredData{
				"name":    "Zoë",
				"age":     float64(42),
				"score":   2.25,
				"ratio":   -0.5,
				"active":  true,
				"nothing": nil,
				"tags":    []any{"a", float64(1), false, nil, map[string]any{"z": "last", "y": "first"}},
				"address": map[string]any{"zip": "1000", "city": "Brussels"},
			}},
		},
		{
			Position:  []byte{0xff, 0x00, 0x01},
			Operation: cpluginv1.OperationUpdate,
			Key:       cpluginv1.StructuredData{"id": float64(7)},
			Payload: cpluginv1.Change{
				Before: cpluginv1.RawData{0xde, 0xad, 0xbe, 0xef},
				After:  cpluginv1.RawData{},
			},
		},
		{Position: []byte("f3"), Operation: cpluginv1.OperationDelete, Payload: cpluginv1.Change{Before: cpluginv1.StructuredData{}}},
		{Position: []byte("f4"), Operation: cpluginv1.OperationSnapshot},
	}
}

// TestDestinationsWriteTheLinesTheGoExampleWrites sends the same records to
// the Go file destination and to each example destination and compares the
// files byte for byte: the line format is shared, so a pipeline's output
// does not depend on the language its destination is written in.
func TestDestinationsWriteTheLinesTheGoExampleWrites(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
	defer cancel()
	goPath := filepath.Join(t.TempDir(), "go.jsonl")
	if _, err := writeRecords(ctx, jsonlines.NewDestination(), goPath, formatRecords()); err != nil {
		t.Fatalf("Go file destination: %v", err)
	}
	want, err := os.ReadFile(goPath)
	if err != nil {
		t.Fatal(err)
	}
	if lines := bytes.Count(want, []byte("\n")); lines != len(formatRecords()) {
		t.Fatalf("the Go file destination wrote %d lines, want %d", lines, len(formatRecords()))
	}
	forEachLanguage(t, func(t *testing.T, dir string) {
		destination := startClient(t, filepath.Join(dir, "connector"))
		path := filepath.Join(t.TempDir(), "out.jsonl")
		acks, err := writeRecords(ctx, destination.Destination(), path, formatRecords())
		if err != nil {
			t.Fatal(err)
		}
		for i, ack := range acks {
			if ack.Error != "" {
				t.Errorf("record %d got a negative ack: %s", i+1, ack.Error)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
			t.Errorf("lines differ from the Go file destination's (-go +%s):\n%s", filepath.Base(dir), diff)
		}
	})
}

// TestClientDeletesConnector deletes each example connector through this
// repository's Go host library the way the Conduit server does: a fresh
// process gets LifecycleOnDeleted with the last configuration, no Configure
// before it, then Teardown. Every call must succeed, and so must Close.
func TestClientDeletesConnector(t *testing.T) {
	forEachLanguage(t, func(t *testing.T, dir string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*callTimeout)
		defer cancel()
		source := startClient(t, filepath.Join(dir, "connector"))
		if _, err := source.Source().LifecycleOnDeleted(ctx, cpluginv1.SourceLifecycleOnDeletedRequest{Config: map[string]string{"records": "5"}}); err != nil {
			t.Errorf("source LifecycleOnDeleted as the first call: %v, want success", err)
		}
		if _, err := source.Source().Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
			t.Errorf("source Teardown after LifecycleOnDeleted: %v", err)
		}
		if err := source.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}

		destination := startClient(t, filepath.Join(dir, "connector"))
		config := map[string]string{"path": filepath.Join(t.TempDir(), "out.jsonl")}
		if _, err := destination.Destination().LifecycleOnDeleted(ctx, cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}); err != nil {
			t.Errorf("destination LifecycleOnDeleted as the first call: %v, want success", err)
		}
		if _, err := destination.Destination().Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
			t.Errorf("destination Teardown after LifecycleOnDeleted: %v", err)
		}
		if err := destination.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}
