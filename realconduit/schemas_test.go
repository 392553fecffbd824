//go:build unix

package realconduit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
)

// TestSDKGeneratorRegistersSchemasWithOurHost runs Conduit's generator
// connector v0.10.2 (Go connector SDK v0.13.3), unmodified and in its
// default schema settings, under this repository's host client, which
// launches it with nothing but what the client sets itself: the connector
// utilities (the schema service) at CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET
// with this launch's CONDUIT_CONNECTOR_TOKEN. The SDK registers the schema
// of the structured payloads through them and names it in every record's
// metadata; the registry the test gave the client must hold exactly that
// schema, once.
func TestSDKGeneratorRegistersSchemasWithOurHost(t *testing.T) {
	const n = 200
	registry := schemaregistry.New()
	connectorLog := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	c, err := client.New(ctx, client.Config{
		Path: sdkGenerator.Path(t),
		// Nothing from the test's environment, no ID, no token, no target:
		// the client must provide everything the SDK needs.
		SkipHostEnv: true,
		Schemas:     registry,
		LogLevel:    "warn",
		Logger:      slog.New(slog.NewTextHandler(connectorLog, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("start the SDK generator: %v", err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		t.Logf("the connector's warnings and errors:\n%s", connectorLog.String())
		if strings.Contains(connectorLog.String(), "level=ERROR") {
			t.Error("the connector logged an error")
		}
	})

	src := c.Source()
	run := startGenerator(ctx, t, src, n)
	var recs []cpluginv1.Record
	receive := func() {
		t.Helper()
		resp, err := run.Recv()
		if err != nil {
			t.Fatalf("receive record %d: %v", len(recs)+1, err)
		}
		recs = append(recs, resp.Record)
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("ack record %d: %v", len(recs), err)
		}
	}
	for len(recs) < n {
		receive()
	}
	// Stop as a host does: the source names the last record it sent, and
	// the host receives and acks up to it before closing the stream.
	stop, err := run.Stop(ctx)
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
	for !bytes.Equal(recs[len(recs)-1].Position, stop.LastPosition) {
		receive()
	}
	if err := run.CloseSend(); err != nil {
		t.Fatalf("close send: %v", err)
	}
	if resp, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("Recv after the stop position and CloseSend = %v, %v; want io.EOF", resp, err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("Run ended with %v, want nil", err)
	}
	if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		t.Fatalf("teardown: %v", err)
	}

	if len(recs) != n {
		t.Errorf("received %d records, want %d", len(recs), n)
	}
	schemas := registry.List()
	find := func(subject, version string) (cpluginv1.Schema, bool) {
		v, err := strconv.ParseInt(version, 10, 32)
		if err != nil {
			return cpluginv1.Schema{}, false
		}
		i := slices.IndexFunc(schemas, func(s cpluginv1.Schema) bool { return s.Subject == subject && s.Version == int32(v) })
		if i < 0 {
			return cpluginv1.Schema{}, false
		}
		return schemas[i], true
	}
	used := map[string]bool{} // subject and version of every schema a record names
	for i, rec := range recs {
		if want := strconv.Itoa(i + 1); string(rec.Position) != want {
			t.Fatalf("record %d has position %q, want %q", i+1, rec.Position, want)
		}
		subject, version := rec.Metadata[cpluginv1.MetadataPayloadSchemaSubject], rec.Metadata[cpluginv1.MetadataPayloadSchemaVersion]
		s, ok := find(subject, version)
		if !ok || s.Type != cpluginv1.SchemaTypeAvro || s.Version < 1 {
			t.Fatalf("record %s names the payload schema %q version %q; the registry holds %v", rec.Position, subject, version, schemaNames(schemas))
		}
		used[subject+"@"+version] = true
		// The SDK sends the payload Avro-encoded with that schema.
		if raw, ok := rec.Payload.After.(cpluginv1.RawData); !ok || len(raw) == 0 {
			t.Fatalf("record %s: payload %#v, want Avro-encoded raw data", rec.Position, rec.Payload.After)
		}
		// The generator's keys are raw words, so the SDK registers no key
		// schema; should it name one, the registry must hold it.
		if subject, ok := rec.Metadata[cpluginv1.MetadataKeySchemaSubject]; ok {
			version := rec.Metadata[cpluginv1.MetadataKeySchemaVersion]
			if _, ok := find(subject, version); !ok {
				t.Fatalf("record %s names the key schema %q version %q; the registry holds %v", rec.Position, subject, version, schemaNames(schemas))
			}
			used[subject+"@"+version] = true
		}
	}

	// Every record has the same fields, so the SDK registered one payload
	// schema, once: one subject with one version, 1, and nothing else.
	if len(schemas) != 1 || schemas[0].Version != 1 || len(used) != 1 {
		t.Fatalf("the registry holds %v and the records name %v; want one schema, version 1, named by every record", schemaNames(schemas), used)
	}
	var avro struct {
		Type   string `json:"type"`
		Fields []struct {
			Name string `json:"name"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(schemas[0].Bytes, &avro); err != nil {
		t.Fatalf("the registered schema is not JSON: %v\n%s", err, schemas[0].Bytes)
	}
	var fields []string
	for _, f := range avro.Fields {
		fields = append(fields, f.Name)
	}
	slices.Sort(fields)
	if avro.Type != "record" || !slices.Equal(fields, []string{"id", "name"}) {
		t.Errorf("the registered schema is %s, want an Avro record with the fields id and name", schemas[0].Bytes)
	}
	t.Logf("%d records, each naming the payload schema %q version %d: %s", len(recs), schemas[0].Subject, schemas[0].Version, schemas[0].Bytes)
}

func schemaNames(schemas []cpluginv1.Schema) []string {
	names := make([]string, len(schemas))
	for i, s := range schemas {
		names[i] = s.Subject + "@" + strconv.Itoa(int(s.Version)) + " (" + s.Type.String() + ")"
	}
	return names
}

// lockedBuffer is a bytes.Buffer that several goroutines may write.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startGenerator configures the SDK generator's source to produce n
// structured records (its schema settings left at their defaults), sends
// LifecycleOnCreated, starts it and opens its Run stream, as a host does.
func startGenerator(ctx context.Context, t *testing.T, src cpluginv1.SourcePlugin, n int) *cpluginv1.SourceRun {
	t.Helper()
	config := map[string]string{
		"format.type":         "structured",
		"format.options.id":   "int",
		"format.options.name": "string",
		"recordCount":         strconv.Itoa(n),
	}
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: config}); err != nil {
		t.Fatalf("configure: %v", err)
	}
	if _, err := src.LifecycleOnCreated(ctx, cpluginv1.SourceLifecycleOnCreatedRequest{Config: config}); err != nil {
		t.Fatalf("lifecycle on created: %v", err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	return cpluginv1.RunSource(ctx, src)
}
