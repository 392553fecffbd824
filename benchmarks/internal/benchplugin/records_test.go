package benchplugin

import (
	"bytes"
	"maps"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

func TestPositions(t *testing.T) {
	for i, want := range map[int]string{0: "0000000000000001", 41: "0000000000000042", 999999: "0000000001000000"} {
		if got := string(AppendPosition(nil, i)); got != want {
			t.Errorf("AppendPosition(%d) = %q, want %q", i, got, want)
		}
	}
}

// TestBaselineMessages checks that the pre-marshaled messages of the bare
// gRPC baseline carry the record the transports carry: the baseline must
// move the same bytes.
func TestBaselineMessages(t *testing.T) {
	want := RawRecord(41)
	var msg connectorv1.Source_Run_Response
	if err := proto.Unmarshal(MustMarshal(SourceRecordMessage(41)), &msg); err != nil {
		t.Fatal(err)
	}
	got := msg.GetRecord()
	if !bytes.Equal(got.GetPosition(), want.Position) ||
		int32(got.GetOperation()) != int32(want.Operation) ||
		!maps.Equal(got.GetMetadata(), want.Metadata) ||
		!bytes.Equal(got.GetKey().GetRawData(), want.Key.Bytes()) ||
		got.GetPayload().GetBefore() != nil ||
		!bytes.Equal(got.GetPayload().GetAfter().GetRawData(), want.Payload.After.Bytes()) {
		t.Errorf("the baseline's record message %v does not carry RawRecord(41)", got)
	}
	if n := len(want.Payload.After.Bytes()); n != PayloadSize {
		t.Errorf("payload of %d bytes, want %d", n, PayloadSize)
	}
	var ack connectorv1.Destination_Run_Response
	if err := proto.Unmarshal(MustMarshal(DestinationAckMessage(41)), &ack); err != nil {
		t.Fatal(err)
	}
	if string(ack.GetAckPosition()) != string(want.Position) {
		t.Errorf("ack position %q, want %q", ack.GetAckPosition(), want.Position)
	}
	if _, ok := any(want.Payload.After).(cpluginv1.RawData); !ok {
		t.Errorf("the payload is a %T, want RawData", want.Payload.After)
	}
}
