package checker

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// indexOf returns the index of the record at position, or -1.
func indexOf(records []cpluginv1.Record, position []byte) int {
	for i, r := range records {
		if bytes.Equal(r.Position, position) {
			return i
		}
	}
	return -1
}

func lastPosition(records []cpluginv1.Record) []byte {
	if len(records) == 0 {
		return nil
	}
	return records[len(records)-1].Position
}

// formatRecord renders a record on one line, in the field names of
// opencdc.v1.Record, shortened if it is long.
func formatRecord(r cpluginv1.Record) string {
	var b strings.Builder
	fmt.Fprintf(&b, "position: %q operation: %s", r.Position, r.Operation)
	if len(r.Metadata) > 0 {
		fmt.Fprintf(&b, " metadata: %v", r.Metadata)
	}
	writeData := func(name string, d cpluginv1.Data) {
		switch d := d.(type) {
		case cpluginv1.RawData:
			fmt.Fprintf(&b, " %s: {raw_data: %q}", name, []byte(d))
		case cpluginv1.StructuredData:
			fmt.Fprintf(&b, " %s: {structured_data: %s}", name, d.Bytes())
		}
	}
	writeData("key", r.Key)
	writeData("payload.before", r.Payload.Before)
	writeData("payload.after", r.Payload.After)
	return shorten(b.String())
}

// formatAck renders a destination's ack on one line.
func formatAck(a cpluginv1.DestinationRunResponse) string {
	if a.Error == "" {
		return fmt.Sprintf("ack_position: %q", a.AckPosition)
	}
	return shorten(fmt.Sprintf("ack_position: %q error: %q", a.AckPosition, a.Error))
}
