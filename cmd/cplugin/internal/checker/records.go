package checker

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// largePayload is the size of the one larger record among the test
// records: big enough that a destination with a size limit may refuse it
// (and so show that a negative ack keeps the stream open), small enough for
// every host's default limit.
const largePayload = 4096

// testRecords returns the records the checker sends to a destination: every
// operation, raw and structured keys and payloads, standard metadata, and
// one larger record in the middle.
func testRecords(n int) []cpluginv1.Record {
	ops := []cpluginv1.Operation{cpluginv1.OperationCreate, cpluginv1.OperationUpdate, cpluginv1.OperationDelete, cpluginv1.OperationSnapshot}
	now := strconv.FormatInt(time.Now().UnixNano(), 10)
	records := make([]cpluginv1.Record, n)
	for i := range records {
		seq := i + 1
		size := 32
		if seq == n/2 {
			size = largePayload
		}
		data := func(version int) cpluginv1.Data {
			if seq%3 == 0 {
				return cpluginv1.StructuredData{
					"id":      float64(seq),
					"version": float64(version),
					"name":    fmt.Sprintf("record %d", seq),
					"tags":    []any{"cplugin", "check"},
					"nested":  map[string]any{"ok": true, "nothing": nil},
				}
			}
			return cpluginv1.RawData(strings.Repeat(strconv.Itoa(version), size))
		}
		var key cpluginv1.Data = cpluginv1.RawData("key-" + strconv.Itoa(seq))
		if seq%2 == 0 {
			key = cpluginv1.StructuredData{"id": float64(seq)}
		}
		op := ops[i%len(ops)]
		rec := cpluginv1.Record{
			Position:  []byte("cplugin-check-" + strconv.Itoa(seq)),
			Operation: op,
			Metadata: map[string]string{
				cpluginv1.MetadataCollection: "cplugin-check",
				cpluginv1.MetadataCreatedAt:  now,
				cpluginv1.MetadataReadAt:     now,
			},
			Key: key,
		}
		switch op {
		case cpluginv1.OperationUpdate:
			rec.Payload = cpluginv1.Change{Before: data(1), After: data(2)}
		case cpluginv1.OperationDelete:
			rec.Payload = cpluginv1.Change{Before: data(1)}
		default:
			rec.Payload = cpluginv1.Change{After: data(1)}
		}
		records[i] = rec
	}
	return records
}
