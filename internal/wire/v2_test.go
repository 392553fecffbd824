package wire_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/wire"
)

// The server forces the codec on every call (grpc.ForceServerCodecV2), the
// calls of protocol v2 included: it must hand the generated messages of v2
// to gRPC's standard codec both ways, byte for byte.
func TestCodecPassesV2MessagesThrough(t *testing.T) {
	rec := &opencdcv1.Record{
		Position:  []byte("pos-1"),
		Operation: opencdcv1.Operation_OPERATION_CREATE,
		Metadata:  map[string]string{"k": "v"},
		Payload:   &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("x")}}},
	}
	for _, tt := range []struct {
		msg  proto.Message
		into func() proto.Message
	}{
		{&connectorv2.Source_Run_Response{Records: []*opencdcv1.Record{rec, rec}}, func() proto.Message { return new(connectorv2.Source_Run_Response) }},
		{&connectorv2.Source_Run_Request{AckPositions: [][]byte{[]byte("a"), []byte("b")}}, func() proto.Message { return new(connectorv2.Source_Run_Request) }},
		{&connectorv2.Destination_Run_Request{Records: []*opencdcv1.Record{rec}}, func() proto.Message { return new(connectorv2.Destination_Run_Request) }},
		{&connectorv2.Destination_Run_Response{Acks: []*connectorv2.Destination_Run_Response_Ack{{Position: []byte("a"), Error: "e"}}}, func() proto.Message { return new(connectorv2.Destination_Run_Response) }},
		{&connectorv2.Specifier_Specify_Response{Specification: &connectorv2.Specification{
			Name:         "n",
			SourceParams: map[string]*configv1.Parameter{"p": {Validations: []*configv1.Validation{{Type: configv1.Validation_TYPE_REQUIRED}}}},
		}}, func() proto.Message { return new(connectorv2.Specifier_Specify_Response) }},
	} {
		name := string(tt.msg.ProtoReflect().Descriptor().FullName())
		data, err := wire.Codec{}.Marshal(tt.msg)
		if err != nil {
			t.Fatalf("%s: Marshal: %v", name, err)
		}
		want, err := standard.Marshal(tt.msg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := data.Materialize(), want.Materialize(); !proto.Equal(unmarshalV2(t, got, tt.into()), unmarshalV2(t, want, tt.into())) || len(got) != len(want) {
			t.Errorf("%s: Marshal wrote %x, want what the standard codec writes, %x", name, got, want)
		}
		got := tt.into()
		if err := (wire.Codec{}).Unmarshal(mem.BufferSlice{mem.SliceBuffer(data.Materialize())}, got); err != nil {
			t.Fatalf("%s: Unmarshal: %v", name, err)
		}
		if diff := cmp.Diff(tt.msg, got, protocmp.Transform()); diff != "" {
			t.Errorf("%s: Unmarshal (-want +got):\n%s", name, diff)
		}
	}
}

func unmarshalV2(t *testing.T, b []byte, into proto.Message) proto.Message {
	t.Helper()
	if err := proto.Unmarshal(b, into); err != nil {
		t.Fatal(err)
	}
	return into
}
