package cpluginv1

import (
	"bytes"
	"maps"
	"strconv"
)

// Operation says what kind of change a [Record] describes. The values are the
// protocol's enum numbers.
type Operation int32

// The operations a record can carry. The zero value is not a valid operation.
const (
	// OperationCreate: the data was created; Payload.After holds it.
	OperationCreate Operation = 1
	// OperationUpdate: the data was updated; Payload.Before (if known) holds
	// the old state and Payload.After the new one.
	OperationUpdate Operation = 2
	// OperationDelete: the data was deleted; Payload.Before (if known) holds
	// what was deleted.
	OperationDelete Operation = 3
	// OperationSnapshot: the data was read from a snapshot of existing data;
	// Payload.After holds it.
	OperationSnapshot Operation = 4
)

// String returns the operation's lower-case name ("create", "update",
// "delete", "snapshot"), or "operation(N)" for other values.
func (o Operation) String() string {
	switch o {
	case OperationCreate:
		return "create"
	case OperationUpdate:
		return "update"
	case OperationDelete:
		return "delete"
	case OperationSnapshot:
		return "snapshot"
	default:
		return "operation(" + strconv.Itoa(int(o)) + ")"
	}
}

// Record is one OpenCDC record: a change or a piece of data moving from a
// source connector through the host to a destination connector.
type Record struct {
	// Position identifies the record's place in the source. It is opaque to
	// everyone but the source connector that produced it and must not be
	// empty: acks name records by their position.
	Position []byte
	// Operation says what kind of change this is.
	Operation Operation
	// Metadata holds additional information, such as the standard keys
	// (MetadataCreatedAt, ...). May be nil. Keys and values must be valid
	// UTF-8, as protobuf requires: a transport refuses a record whose
	// metadata is not, with an error wrapping ErrUnsupportedValue that names
	// the entry.
	Metadata map[string]string
	// Key identifies the data in the source system. Nil means no key.
	Key Data
	// Payload holds the data before and after the change.
	Payload Change
}

// Change holds the data before and after a change. A nil Data means "none".
type Change struct {
	// Before is the state before the change, or nil.
	Before Data
	// After is the state after the change, or nil.
	After Data
}

// Clone returns a deep copy of r that shares no memory with it. Structured
// data is copied as is, without the normalisation that crossing a transport
// applies (see [StructuredData]).
func (r Record) Clone() Record {
	return Record{
		Position:  bytes.Clone(r.Position),
		Operation: r.Operation,
		Metadata:  maps.Clone(r.Metadata),
		Key:       cloneData(r.Key),
		Payload: Change{
			Before: cloneData(r.Payload.Before),
			After:  cloneData(r.Payload.After),
		},
	}
}

// Data is the key or payload of a record: either [RawData] or
// [StructuredData]. A nil Data means there is no data.
type Data interface {
	// Bytes returns the data as bytes: raw data as is, structured data
	// encoded as JSON.
	Bytes() []byte
	// isData restricts the implementations to this package's types, which
	// are the two kinds the protocol can carry.
	isData()
}

// RawData is data as bytes whose format the connectors agree on out of band
// (JSON, Avro, ...). A non-nil empty RawData is "raw data of length zero",
// which is different from a nil Data ("no data").
type RawData []byte

// Bytes returns d.
func (d RawData) Bytes() []byte { return d }

func (RawData) isData() {}

func cloneData(d Data) Data {
	switch d := d.(type) {
	case RawData:
		if d == nil {
			return RawData(nil)
		}
		return RawData(bytes.Clone(d))
	case StructuredData:
		return d.Clone()
	default:
		return nil
	}
}
