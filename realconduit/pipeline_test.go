//go:build unix

package realconduit_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/examples/sequence"
)

// records is how many records the bounded pipelines move.
const records = 2000

// What Conduit logs at trace level when it calls a connector (see
// [conduit.connectorCalls]).
const (
	configureSource   = "configuring source connector plugin"
	createdSource     = `triggering lifecycle event "created" on source connector plugin`
	updatedSource     = `triggering lifecycle event "updated" on source connector plugin`
	deletedSource     = `triggering lifecycle event "deleted" on source connector plugin`
	openSource        = "opening source connector plugin"
	teardownSource    = "tearing down source connector plugin"
	configureDest     = "configuring destination connector plugin"
	createdDest       = `triggering lifecycle event "created" on destination connector plugin`
	deletedDest       = `triggering lifecycle event "deleted" on destination connector plugin`
	openDest          = "opening destination connector plugin"
	teardownDest      = "tearing down destination connector plugin"
	provisionedCreate = "created"
	provisionedDelete = "deleted"
)

// checkProvisioned checks the pipelines that Conduit's start created or
// deleted from the pipeline files (field "created" or "deleted" of its
// line "pipeline configs provisioned").
func checkProvisioned(t *testing.T, c *conduit, field string, want ...string) {
	t.Helper()
	line := c.waitProvisioned()
	got, _ := line.fields[field].([]any)
	wantAny := make([]any, len(want))
	for i, id := range want {
		wantAny[i] = id
	}
	if !slices.Equal(got, wantAny) {
		t.Fatalf("conduit %s pipelines %v, want %v: %s", field, got, want, line.raw)
	}
}

// TestSequenceToJSONLines runs this repository's two standalone connectors
// as one Conduit pipeline: Conduit configures them, sends
// LifecycleOnCreated and opens them; every record the sequence source
// produces reaches the jsonlines destination once, in order and unchanged,
// through every operation; Conduit stops gracefully without an error.
func TestSequenceToJSONLines(t *testing.T) {
	w := newWorkspace(t)
	out := filepath.Join(w.dir, "out.jsonl")
	source := map[string]string{
		"records":        strconv.Itoa(records),
		"payload.format": "structured",
		"payload.size":   "32",
		"operations":     "create,update,delete,snapshot",
	}
	w.writePipeline(t, "ours",
		connector{id: "seq", typ: "source", plugin: sequencePlugin, settings: source},
		connector{id: "lines", typ: "destination", plugin: jsonlinesPlugin, settings: map[string]string{"path": out}},
	)
	c := w.startConduit(t, "--log.level=trace")
	checkProvisioned(t, c, provisionedCreate, "ours")
	c.waitRecords(out, records)
	c.stop()
	c.checkLog("ours:seq", "ours:lines")
	c.checkPluginsExited("ours:seq", "ours:lines")
	c.checkCalls(map[string][]string{
		"ours:seq":   {configureSource, createdSource, openSource, teardownSource},
		"ours:lines": {configureDest, createdDest, openDest, teardownDest},
	})
	checkSequenceRecords(t, readWritten(t, out), source, 1, records, "ours:seq")
}

// TestSequenceToBuiltinFile runs this repository's sequence source into
// Conduit's own file destination (builtin:file), which writes each record
// as Conduit's OpenCDC JSON.
func TestSequenceToBuiltinFile(t *testing.T) {
	w := newWorkspace(t)
	out := filepath.Join(w.dir, "out.json")
	source := map[string]string{"records": strconv.Itoa(records)}
	w.writePipeline(t, "to-file",
		connector{id: "seq", typ: "source", plugin: sequencePlugin, settings: source},
		connector{id: "file", typ: "destination", plugin: "builtin:file", settings: map[string]string{"path": out}},
	)
	c := w.startConduit(t)
	checkProvisioned(t, c, provisionedCreate, "to-file")
	c.waitRecords(out, records)
	c.stop()
	c.checkLog("to-file:seq")
	c.checkPluginsExited("to-file:seq")
	checkSequenceRecords(t, readWritten(t, out), source, 1, records, "to-file:seq")
}

// TestBuiltinGeneratorToJSONLines runs Conduit's own generator
// (builtin:generator, with its default schema extraction: Conduit's schema
// registry holds the payload's schema and the payload arrives
// Avro-encoded) into this repository's jsonlines destination.
func TestBuiltinGeneratorToJSONLines(t *testing.T) {
	w := newWorkspace(t)
	out := filepath.Join(w.dir, "out.jsonl")
	w.writePipeline(t, "from-generator",
		connector{id: "gen", typ: "source", plugin: "builtin:generator", settings: map[string]string{
			"recordCount":         strconv.Itoa(records),
			"format.type":         "structured",
			"format.options.id":   "int",
			"format.options.name": "string",
		}},
		connector{id: "lines", typ: "destination", plugin: jsonlinesPlugin, settings: map[string]string{"path": out}},
	)
	c := w.startConduit(t)
	checkProvisioned(t, c, provisionedCreate, "from-generator")
	c.waitRecords(out, records)
	c.stop()
	c.checkLog("from-generator:lines")
	c.checkPluginsExited("from-generator:lines")

	recs := readWritten(t, out)
	if len(recs) != records {
		t.Errorf("%d records written, want %d", len(recs), records)
	}
	// The generator numbers its records 1, 2, ... as positions, so distinct
	// records have distinct positions.
	if err := checkPositionsInOrder(recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Operation != "create" || len(r.Key) == 0 || len(r.Payload.After) == 0 ||
			r.Metadata[cpluginv1.MetadataPayloadSchemaSubject] == "" || r.Metadata[cpluginv1.MetadataPayloadSchemaVersion] != "1" {
			t.Fatalf("record %s: want a create with key, payload and the payload schema's subject and version 1 in the metadata; got %+v", r.Position, r)
		}
	}
}

// TestLifecycleAndResume runs a pipeline of this repository's connectors
// three times on one database: it stops the first run in the middle of
// the stream, changes the source's settings for the second run, and
// removes the pipeline file before the third, so that Conduit deletes the
// pipeline.
//
// What it asserts about records: after a graceful stop (SIGINT) Conduit
// has acked and saved the position of every record the destination wrote,
// so a restart continues right after it. Protocol v1 is at-least-once:
// after a crash a source may send again the records after the last saved
// position, but a graceful stop leaves nothing to send again, so across
// the runs every position appears exactly once, in order, each record as
// the configuration of its run produces it.
//
// What it asserts about the lifecycle: with the source's settings changed,
// Conduit sends it LifecycleOnUpdated after Configure; with the pipeline
// gone, Conduit starts each of our connectors again only to send
// LifecycleOnDeleted, without Configure, and tears it down. Our connectors
// answer with success, and Conduit logs no error.
func TestLifecycleAndResume(t *testing.T) {
	w := newWorkspace(t)
	out := filepath.Join(w.dir, "out.jsonl")
	dest := connector{id: "lines", typ: "destination", plugin: jsonlinesPlugin, settings: map[string]string{"path": out}}
	ours := []string{"resume:seq", "resume:lines"}
	// Unbounded: the stop comes while records are in flight.
	before := map[string]string{"records": "0", "payload.size": "8"}
	after := map[string]string{"records": "0", "payload.size": "16"}

	var first, second int
	t.Run("stop in the middle of the stream", func(t *testing.T) {
		w.writePipeline(t, "resume", connector{id: "seq", typ: "source", plugin: sequencePlugin, settings: before}, dest)
		c := w.startConduit(t)
		checkProvisioned(t, c, provisionedCreate, "resume")
		c.waitRecords(out, records)
		c.stop()
		c.checkLog(ours...)
		c.checkPluginsExited(ours...)
		recs := readWritten(t, out)
		first = len(recs)
		checkSequenceRecords(t, recs, before, 1, first, "resume:seq")
		t.Logf("the first run wrote records 1 to %d", first)
	})
	if t.Failed() {
		return
	}

	t.Run("restart with changed settings continues after the last acked position", func(t *testing.T) {
		pipeline := w.writePipeline(t, "resume", connector{id: "seq", typ: "source", plugin: sequencePlugin, settings: after}, dest)
		c := w.startConduit(t, "--log.level=trace")
		c.waitProvisioned()
		c.waitRecords(out, first+records)
		c.stop()
		c.checkLog(ours...)
		c.checkPluginsExited(ours...)
		c.checkCalls(map[string][]string{
			"resume:seq":   {configureSource, updatedSource, openSource, teardownSource},
			"resume:lines": {configureDest, openDest, teardownDest}, // unchanged: no event
		})
		recs := readWritten(t, out)
		second = len(recs)
		checkSequenceRecords(t, recs[:first], before, 1, first, "resume:seq")
		checkSequenceRecords(t, recs[first:], after, first+1, second, "resume:seq")
		t.Logf("the second run wrote records %d to %d", first+1, second)
		if err := os.Remove(pipeline); err != nil {
			t.Fatal(err)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("pipeline file removed: LifecycleOnDeleted without Configure", func(t *testing.T) {
		c := w.startConduit(t, "--log.level=trace")
		checkProvisioned(t, c, provisionedDelete, "resume")
		c.stop()
		c.checkLog(ours...)
		c.checkPluginsExited(ours...)
		c.checkCalls(map[string][]string{
			"resume:seq":   {deletedSource},
			"resume:lines": {deletedDest},
		})
		if n := len(readWritten(t, out)); n != second {
			t.Errorf("the output file holds %d records after the deletion, want the %d written before", n, second)
		}
	})
}

// sequenceRecord is record n of a sequence source configured with cfg.
func sequenceRecord(t *testing.T, cfg map[string]string, n int) cpluginv1.Record {
	t.Helper()
	rec, err := sequence.Record(cfg, uint64(n))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestControlUnimplementedLifecycleIsRefused is the control of the tests
// above: a connector that answers the lifecycle events with Unimplemented,
// as every connector built with cpluginv1 did before the fix, must fail
// under the real Conduit, and the checks of the log must say so. Conduit
// v0.14.0 fails the pipeline at LifecycleOnCreated ("error while triggering
// lifecycle event \"created\": ... method not implemented"). It then
// usually exits with status 1 (exit-on-degraded), but not always: at
// times it logs the pipeline as stopped and keeps running. The test stops
// it either way.
func TestControlUnimplementedLifecycleIsRefused(t *testing.T) {
	w := newWorkspace(t)
	w.connectors = controlConnectorsDir(t)
	out := filepath.Join(w.dir, "out.json")
	w.writePipeline(t, "control",
		connector{id: "seq", typ: "source", plugin: controlPlugin, settings: map[string]string{"records": "10"}},
		connector{id: "file", typ: "destination", plugin: "builtin:file", settings: map[string]string{"path": out}},
	)
	c := w.startConduit(t)
	c.waitLog(`the failed lifecycle event "created"`, startTimeout, func(l logLine) bool {
		return l.str("level") == "error" && strings.Contains(l.str("error"), `error while triggering lifecycle event "created"`)
	})
	c.end()
	if bad := c.offendingLines("control:seq"); len(bad) == 0 {
		t.Error("the checks of the log found nothing wrong with a run that failed")
	}
	if data, err := os.ReadFile(out); err == nil && len(data) > 0 {
		t.Errorf("the pipeline that failed wrote records:\n%s", data)
	}
}
