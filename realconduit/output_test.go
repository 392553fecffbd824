//go:build unix

package realconduit_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// writtenRecord is one line of an output file. examples/jsonlines and
// Conduit's builtin:file write the same shape: the OpenCDC record as JSON,
// bytes as base64 strings, structured data as objects.
type writtenRecord struct {
	Position  []byte            `json:"position"`
	Operation string            `json:"operation"`
	Metadata  map[string]string `json:"metadata"`
	Key       json.RawMessage   `json:"key"`
	Payload   struct {
		Before json.RawMessage `json:"before"`
		After  json.RawMessage `json:"after"`
	} `json:"payload"`
}

// readWritten reads every line of an output file.
func readWritten(t *testing.T, path string) []writtenRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var recs []writtenRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r writtenRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s line %d: %v: %s", path, len(recs)+1, err, sc.Bytes())
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

// checkPositionsInOrder checks that recs are the records at positions
// "1", "2", ... "len(recs)" in this order: none lost, none duplicated.
// It returns the first mismatch as an error.
func checkPositionsInOrder(recs []writtenRecord) error {
	for i, r := range recs {
		if want := strconv.Itoa(i + 1); string(r.Position) != want {
			return fmt.Errorf("record %d of %d has position %q, want %q (every position once, in order)", i+1, len(recs), r.Position, want)
		}
	}
	return nil
}

// checkSequenceRecords checks that recs are exactly the records from..to of
// a sequence source configured with cfg, in order, with operation, key and
// payload as the source produced them and the source's metadata, as the
// destination received them through Conduit. connectorID is the source's
// ID in Conduit ("pipeline:connector"), which Conduit adds to the metadata.
func checkSequenceRecords(t *testing.T, recs []writtenRecord, cfg map[string]string, from, to int, connectorID string) {
	t.Helper()
	if len(recs) != to-from+1 {
		t.Errorf("%d records written, want %d (%d to %d)", len(recs), to-from+1, from, to)
	}
	for i, got := range recs {
		if want := strconv.Itoa(from + i); string(got.Position) != want {
			t.Fatalf("record %d of %d has position %q, want %q (every position once, in order)", i+1, len(recs), got.Position, want)
		}
		want := sequenceRecord(t, cfg, from+i)
		if got.Operation != want.Operation.String() {
			t.Errorf("record %s: operation %q, want %q", got.Position, got.Operation, want.Operation)
		}
		for k, v := range want.Metadata {
			if got.Metadata[k] != v {
				t.Errorf("record %s: metadata %s = %q, want %q", got.Position, k, got.Metadata[k], v)
			}
		}
		if got.Metadata[cpluginv1.MetadataReadAt] == "" {
			t.Errorf("record %s: metadata %s missing", got.Position, cpluginv1.MetadataReadAt)
		}
		if id := got.Metadata["conduit.source.connector.id"]; id != connectorID {
			t.Errorf("record %s: metadata conduit.source.connector.id = %q, want %q", got.Position, id, connectorID)
		}
		checkData(t, got.Position, "key", got.Key, want.Key)
		checkData(t, got.Position, "payload.before", got.Payload.Before, want.Payload.Before)
		checkData(t, got.Position, "payload.after", got.Payload.After, want.Payload.After)
		if t.Failed() {
			t.FailNow() // one record's differences are enough to read
		}
	}
}

// checkData compares written JSON with the data it must encode: raw data is
// a base64 string, structured data an object, no data null. Numbers are
// compared by their decimal text.
func checkData(t *testing.T, pos []byte, field string, got json.RawMessage, want cpluginv1.Data) {
	t.Helper()
	var wantJSON []byte
	var err error
	switch d := want.(type) {
	case cpluginv1.RawData:
		wantJSON, err = json.Marshal([]byte(d))
	case cpluginv1.StructuredData:
		wantJSON, err = json.Marshal(map[string]any(d))
	default:
		wantJSON = []byte("null")
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		got = json.RawMessage("null")
	}
	g, gerr := decodeNumbers(got)
	w, werr := decodeNumbers(wantJSON)
	if gerr != nil || werr != nil || !reflect.DeepEqual(g, w) {
		t.Errorf("record %s: %s = %s, want %s", pos, field, got, wantJSON)
	}
}

func decodeNumbers(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}
