// Package contract describes the behaviour every connector in the interop
// module promises, whichever implementation it is written with: the
// parameters it accepts, the records its source produces, the files it writes
// so that a host in another process can see what crossed the boundary, and
// the errors it reports.
//
// It is imported by the connectors (interop/sdkconnector, interop/ourconnector),
// by the hosts (interop/legacyhost and the interop test) and by nothing else.
// It must not import either protocol implementation: it is linked into
// binaries of both kinds.
package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Connector names returned by Specify, so a host can tell which connector
// it launched.
const (
	// SDKConnectorName is the name of interop/sdkconnector.
	SDKConnectorName = "interop-sdk"
	// OurConnectorName is the name of interop/ourconnector.
	OurConnectorName = "interop-ours"
	// Version is the version both connectors report.
	Version = "v0.1.0"
)

// Source parameters.
const (
	// ParamRecords is how many records the source produces in total (an
	// integer, at least 0). Positions run from 1 to this number.
	ParamRecords = "records"
	// ParamAcksFile is the path of a file the source appends every ack
	// position to, one per line, as the ack arrives.
	ParamAcksFile = "acks_file"
)

// Destination parameters.
const (
	// ParamOutputFile is the path of a file the destination appends every
	// record it wrote to, as one JSON-encoded WrittenRecord per line.
	ParamOutputFile = "output_file"
	// ParamNackPosition is the position of a record the destination does
	// not write: it answers it with a negative ack (see NackError).
	ParamNackPosition = "nack_position"
)

// RecordsDefault is the default of ParamRecords.
const RecordsDefault = "10"

// Record content.
const (
	// Collection is the value of the "opencdc.collection" metadata key of
	// every record the source produces.
	Collection = "interop"
	// MetadataIndex is a metadata key holding the record's index in decimal.
	MetadataIndex = "interop.index"
	// OperationCreate is the protocol's enum number of the create operation,
	// the operation of every record the source produces.
	OperationCreate = 1
)

// Position returns the position of the record with the given index (1-based).
func Position(index int) []byte { return []byte(strconv.Itoa(index)) }

// ParsePosition returns the index a position names; the empty position (no
// record yet) is index 0.
func ParsePosition(position []byte) (int, error) {
	if len(position) == 0 {
		return 0, nil
	}
	index, err := strconv.Atoi(string(position))
	if err != nil || index < 0 {
		return 0, fmt.Errorf("position %q is not a record index", position)
	}
	return index, nil
}

// ParseRecords validates and returns the value of ParamRecords.
func ParseRecords(value string) (int, error) {
	n, err := strconv.Atoi(value)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s must be a non-negative integer, got %q", ParamRecords, value)
	}
	return n, nil
}

// Key returns the raw key of the record with the given index.
func Key(index int) []byte { return []byte("key-" + strconv.Itoa(index)) }

// Metadata returns the metadata the source sets on the record with the
// given index. SDK connectors add "opencdc.readAt" as well.
func Metadata(index int) map[string]string {
	return map[string]string{
		"opencdc.collection": Collection,
		MetadataIndex:        strconv.Itoa(index),
	}
}

// Payload returns the structured payload (Payload.After) of the record with
// the given index. It holds only values that both implementations carry
// through google.protobuf.Struct.
func Payload(index int) map[string]any {
	return map[string]any{
		"index":  index,
		"name":   "record-" + strconv.Itoa(index),
		"even":   index%2 == 0,
		"tags":   []any{"a", "b"},
		"nested": map[string]any{"half": float64(index) / 2},
		"none":   nil,
	}
}

// ReceivedPayload is Payload as a receiver on the other side of the wire
// sees it: numbers become float64 (google.protobuf.Struct holds doubles).
func ReceivedPayload(index int) map[string]any {
	p := Payload(index)
	p["index"] = float64(index)
	return p
}

// NackError is the error of the negative ack a destination sends for the
// record at ParamNackPosition.
func NackError(position []byte) string {
	return fmt.Sprintf("interop destination: refusing record at position %q as configured", position)
}

// WrittenRecord is a record as the destination wrote it to ParamOutputFile.
type WrittenRecord struct {
	// Position is the record's position as a string.
	Position string `json:"position"`
	// Operation is the protocol's enum number of the operation.
	Operation int `json:"operation"`
	// Metadata is the record's metadata.
	Metadata map[string]string `json:"metadata"`
	// Key is the record's key.
	Key WrittenData `json:"key"`
	// Before is Payload.Before.
	Before WrittenData `json:"before"`
	// After is Payload.After.
	After WrittenData `json:"after"`
}

// WrittenData is a record's key or payload as the destination wrote it: at
// most one of the fields is set; none means there was no data.
type WrittenData struct {
	// Raw is set for raw data.
	Raw *string `json:"raw,omitempty"`
	// Structured is set for structured data.
	Structured map[string]any `json:"structured,omitempty"`
}

// AppendLine appends one line to the file at path, creating it if needed.
// Each call opens and closes the file so that a line is on disk when the
// call returns, before the connector acknowledges anything.
func AppendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err // names the path already
	}
	_, err = f.Write(append(line, '\n'))
	return errors.Join(err, f.Close())
}

// AppendWrittenRecord appends rec to the output file at path.
func AppendWrittenRecord(path string, rec WrittenRecord) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode written record: %w", err)
	}
	return AppendLine(path, line)
}

// ReadAcks returns the ack positions the source appended to path, in order.
// A missing file means no acks.
func ReadAcks(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read acks: %w", err)
	}
	return strings.Fields(string(b)), nil
}

// ReadWrittenRecords returns the records the destination appended to path,
// in order. A missing file means no records.
func ReadWrittenRecords(path string) ([]WrittenRecord, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read written records: %w", err)
	}
	var out []WrittenRecord
	for line := range strings.Lines(string(b)) {
		var rec WrittenRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			return nil, fmt.Errorf("decode written record %q: %w", line, err)
		}
		out = append(out, rec)
	}
	return out, nil
}

// Positions returns the positions of the records from index first to last,
// both included, as strings.
func Positions(first, last int) []string {
	var out []string
	for i := first; i <= last; i++ {
		out = append(out, string(Position(i)))
	}
	return out
}
