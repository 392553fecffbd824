package fromproto_test

import (
	"errors"
	"math"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"
	"google.golang.org/protobuf/types/known/structpb"
)

func mustMarshal(f *testing.F, m proto.Message) []byte {
	f.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func mustStruct(f *testing.F, m map[string]any) *structpb.Struct {
	f.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// hasNonFinite reports whether a record carries a NaN or infinite number,
// which the wire allows and the Go side does not send.
func hasNonFinite(r *opencdcv1.Record) bool {
	var value func(*structpb.Value) bool
	value = func(v *structpb.Value) bool {
		switch k := v.GetKind().(type) {
		case *structpb.Value_NumberValue:
			return math.IsNaN(k.NumberValue) || math.IsInf(k.NumberValue, 0)
		case *structpb.Value_StructValue:
			for _, f := range k.StructValue.GetFields() {
				if value(f) {
					return true
				}
			}
		case *structpb.Value_ListValue:
			for _, e := range k.ListValue.GetValues() {
				if value(e) {
					return true
				}
			}
		}
		return false
	}
	for _, d := range []*opencdcv1.Data{r.GetKey(), r.GetPayload().GetBefore(), r.GetPayload().GetAfter()} {
		if value(structpb.NewStructValue(d.GetStructuredData())) {
			return true
		}
	}
	return false
}

// FuzzRecordFromProto feeds arbitrary bytes to the path a received record
// takes: unmarshal, fromproto. That must never panic, and a record that
// parses must be stable: Go -> proto -> Go gives it back, also across the
// wire, and toproto fails only for the non-finite numbers the Go side does
// not send.
func FuzzRecordFromProto(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x0a\x01p\x10\x01"))
	f.Add(mustMarshal(f, &opencdcv1.Record{
		Position:  []byte("pos"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"opencdc.collection": "users", "": ""},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("k")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{}},
			After: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: mustStruct(f, map[string]any{
				"n": 1.5, "s": "x", "b": true, "null": nil,
				"list": []any{1.0, "two", []any{}, map[string]any{"deep": false}},
				"obj":  map[string]any{},
			})}},
		},
	}))
	f.Add(mustMarshal(f, &opencdcv1.Record{
		Operation: opencdcv1.Operation(99),
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{}},
		Payload:   &opencdcv1.Change{After: &opencdcv1.Data{}},
	}))
	f.Add(mustMarshal(f, &opencdcv1.Record{Payload: &opencdcv1.Change{After: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: &structpb.Struct{Fields: map[string]*structpb.Value{
		"nan":     structpb.NewNumberValue(math.NaN()),
		"no kind": {},
		"null":    {Kind: &structpb.Value_NullValue{NullValue: 5}},
	}}}}}}))
	// Unknown fields, and a field number used with the wrong wire type.
	f.Add(protowire.AppendVarint(protowire.AppendTag(nil, 42, protowire.VarintType), 7))
	f.Add(protowire.AppendVarint(protowire.AppendTag(nil, 4, protowire.VarintType), 7))

	f.Fuzz(func(t *testing.T, wire []byte) {
		var received opencdcv1.Record
		if proto.Unmarshal(wire, &received) != nil {
			return
		}
		record := fromproto.Record(&received)

		sent, err := toproto.Record(record)
		if err != nil {
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) || !hasNonFinite(&received) {
				t.Fatalf("toproto failed for a record without non-finite numbers: %v", err)
			}
			return
		}
		if diff := cmp.Diff(record, fromproto.Record(sent)); diff != "" {
			t.Fatalf("proto -> Go -> proto -> Go is not stable (-first +second):\n%s", diff)
		}

		again, err := toproto.Record(fromproto.Record(sent))
		if err != nil {
			t.Fatalf("second toproto: %v", err)
		}
		if diff := cmp.Diff(sent, again, protocmp.Transform()); diff != "" {
			t.Fatalf("toproto(fromproto(m)) is not stable (-first +second):\n%s", diff)
		}

		wire2, err := proto.Marshal(sent)
		if err != nil {
			t.Fatalf("marshal what toproto built: %v", err)
		}
		var received2 opencdcv1.Record
		if err := proto.Unmarshal(wire2, &received2); err != nil {
			t.Fatalf("unmarshal what toproto built: %v", err)
		}
		if diff := cmp.Diff(record, fromproto.Record(&received2), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("record changed across a second trip over the wire (-first +second):\n%s", diff)
		}
	})
}

// FuzzSpecifyResponseFromProto does the same for the specification, which
// a host reads from connectors in any language.
func FuzzSpecifyResponseFromProto(f *testing.F) {
	f.Add([]byte{})
	f.Add(mustMarshal(f, &connectorv1.Specifier_Specify_Response{
		Name: "c", Summary: "s", Description: "d", Version: "v1.0.0", Author: "a",
		SourceParams: map[string]*connectorv1.Specifier_Parameter{
			"p": {
				Default: "1", Required: true, Description: "d", Type: connectorv1.Specifier_Parameter_TYPE_INT,
				Validations: []*connectorv1.Specifier_Parameter_Validation{
					{Type: connectorv1.Specifier_Parameter_Validation_TYPE_GREATER_THAN, Value: "0"},
					{},
				},
			},
			"empty": {},
		},
		DestinationParams: map[string]*connectorv1.Specifier_Parameter{
			"q": {Type: connectorv1.Specifier_Parameter_Type(77), Validations: []*connectorv1.Specifier_Parameter_Validation{{Type: 88}}},
		},
	}))
	// A map entry without a value.
	f.Add([]byte("\x3a\x03\x0a\x01k"))

	f.Fuzz(func(t *testing.T, wire []byte) {
		var received connectorv1.Specifier_Specify_Response
		// Unknown fields do not survive conversion; leave them out so that
		// the messages can be compared.
		if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(wire, &received) != nil {
			return
		}
		spec := fromproto.SpecifierSpecifyResponse(&received)
		sent := toproto.SpecifierSpecifyResponse(spec)
		if diff := cmp.Diff(&received, sent, protocmp.Transform()); diff != "" {
			t.Fatalf("proto -> Go -> proto changed the message (-received +sent):\n%s", diff)
		}
		if diff := cmp.Diff(spec, fromproto.SpecifierSpecifyResponse(sent)); diff != "" {
			t.Fatalf("proto -> Go -> proto -> Go is not stable (-first +second):\n%s", diff)
		}
	})
}

// receivedMessage is one message type that crosses from another process:
// a request a connector receives or a response a host receives. check
// feeds it arbitrary bytes.
type receivedMessage struct {
	name  string
	seeds []proto.Message
	check func(t *testing.T, wire []byte)
}

// exact is a message whose conversion keeps everything that parses (but
// unknown fields): proto -> Go -> proto gives the message back, and Go ->
// proto -> Go gives the Go value back.
func exact[P proto.Message, G any](from func(P) G, to func(G) P, seeds ...P) receivedMessage {
	var zero P
	m := receivedMessage{name: string(zero.ProtoReflect().Descriptor().FullName())}
	for _, seed := range seeds {
		m.seeds = append(m.seeds, seed)
	}
	m.check = func(t *testing.T, wire []byte) {
		received := zero.ProtoReflect().New().Interface().(P)
		// Unknown fields do not survive conversion; leave them out so that
		// the messages can be compared.
		if (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(wire, received) != nil {
			return
		}
		got := from(received)
		sent := to(got)
		if diff := cmp.Diff(received, sent, protocmp.Transform()); diff != "" {
			t.Fatalf("%s: proto -> Go -> proto changed the message (-received +sent):\n%s", m.name, diff)
		}
		if diff := cmp.Diff(got, from(sent)); diff != "" {
			t.Fatalf("%s: proto -> Go -> proto -> Go is not stable (-first +second):\n%s", m.name, diff)
		}
	}
	return m
}

// withRecord is a Run message that carries a record, which is checked as
// FuzzRecordFromProto checks records: the Go value is stable across
// toproto and fromproto, and toproto fails only for the non-finite numbers
// the Go side does not send.
func withRecord[P proto.Message, G any](from func(P) G, to func(G) (P, error), record func(P) *opencdcv1.Record, seeds ...P) receivedMessage {
	var zero P
	m := receivedMessage{name: string(zero.ProtoReflect().Descriptor().FullName())}
	for _, seed := range seeds {
		m.seeds = append(m.seeds, seed)
	}
	m.check = func(t *testing.T, wire []byte) {
		received := zero.ProtoReflect().New().Interface().(P)
		if proto.Unmarshal(wire, received) != nil {
			return
		}
		got := from(received)
		sent, err := to(got)
		if err != nil {
			if !errors.Is(err, cpluginv1.ErrUnsupportedValue) || !hasNonFinite(record(received)) {
				t.Fatalf("%s: toproto failed for a record without non-finite numbers: %v", m.name, err)
			}
			return
		}
		if diff := cmp.Diff(got, from(sent)); diff != "" {
			t.Fatalf("%s: proto -> Go -> proto -> Go is not stable (-first +second):\n%s", m.name, diff)
		}
	}
	return m
}

func structOf(tb testing.TB, m map[string]any) *structpb.Struct {
	tb.Helper()
	s, err := structpb.NewStruct(m)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// receivedMessages are every message that a connector (the requests) or a
// host (the responses) receives from another process, but the
// specification, which FuzzSpecifyResponseFromProto covers.
func receivedMessages(tb testing.TB) []receivedMessage {
	config := map[string]string{"url": "https://example.com/ä", "": "", "empty": ""}
	record := &opencdcv1.Record{
		Position:  []byte("pos-1"),
		Operation: opencdcv1.Operation_OPERATION_UPDATE,
		Metadata:  map[string]string{"opencdc.collection": "users"},
		Key:       &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("k")}},
		Payload: &opencdcv1.Change{
			Before: &opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{StructuredData: structOf(tb, map[string]any{"n": 1.0, "l": []any{"x", nil}})}},
			After:  &opencdcv1.Data{},
		},
	}
	return []receivedMessage{
		// Requests a source connector receives.
		exact(fromproto.SourceConfigureRequest, toproto.SourceConfigureRequest, &connectorv1.Source_Configure_Request{Config: config}),
		exact(fromproto.SourceStartRequest, toproto.SourceStartRequest, &connectorv1.Source_Start_Request{Position: []byte{0, 1, 0xff}}),
		exact(fromproto.SourceRunRequest, toproto.SourceRunRequest, &connectorv1.Source_Run_Request{AckPosition: []byte("pos-1")}),
		exact(fromproto.SourceStopRequest, toproto.SourceStopRequest),
		exact(fromproto.SourceTeardownRequest, toproto.SourceTeardownRequest),
		exact(fromproto.SourceLifecycleOnCreatedRequest, toproto.SourceLifecycleOnCreatedRequest, &connectorv1.Source_Lifecycle_OnCreated_Request{Config: config}),
		exact(fromproto.SourceLifecycleOnUpdatedRequest, toproto.SourceLifecycleOnUpdatedRequest, &connectorv1.Source_Lifecycle_OnUpdated_Request{ConfigBefore: config, ConfigAfter: map[string]string{"a": "b"}}),
		exact(fromproto.SourceLifecycleOnDeletedRequest, toproto.SourceLifecycleOnDeletedRequest, &connectorv1.Source_Lifecycle_OnDeleted_Request{Config: config}),
		// Responses a host receives from a source connector.
		exact(fromproto.SourceConfigureResponse, toproto.SourceConfigureResponse),
		exact(fromproto.SourceStartResponse, toproto.SourceStartResponse),
		withRecord(fromproto.SourceRunResponse, toproto.SourceRunResponse, (*connectorv1.Source_Run_Response).GetRecord,
			&connectorv1.Source_Run_Response{Record: record}, &connectorv1.Source_Run_Response{}),
		exact(fromproto.SourceStopResponse, toproto.SourceStopResponse, &connectorv1.Source_Stop_Response{LastPosition: []byte("pos-9")}),
		exact(fromproto.SourceTeardownResponse, toproto.SourceTeardownResponse),
		exact(fromproto.SourceLifecycleOnCreatedResponse, toproto.SourceLifecycleOnCreatedResponse),
		exact(fromproto.SourceLifecycleOnUpdatedResponse, toproto.SourceLifecycleOnUpdatedResponse),
		exact(fromproto.SourceLifecycleOnDeletedResponse, toproto.SourceLifecycleOnDeletedResponse),
		// Requests a destination connector receives.
		exact(fromproto.DestinationConfigureRequest, toproto.DestinationConfigureRequest, &connectorv1.Destination_Configure_Request{Config: config}),
		exact(fromproto.DestinationStartRequest, toproto.DestinationStartRequest),
		withRecord(fromproto.DestinationRunRequest, toproto.DestinationRunRequest, (*connectorv1.Destination_Run_Request).GetRecord,
			&connectorv1.Destination_Run_Request{Record: record}, &connectorv1.Destination_Run_Request{}),
		exact(fromproto.DestinationStopRequest, toproto.DestinationStopRequest, &connectorv1.Destination_Stop_Request{LastPosition: []byte("pos-9")}),
		exact(fromproto.DestinationTeardownRequest, toproto.DestinationTeardownRequest),
		exact(fromproto.DestinationLifecycleOnCreatedRequest, toproto.DestinationLifecycleOnCreatedRequest, &connectorv1.Destination_Lifecycle_OnCreated_Request{Config: config}),
		exact(fromproto.DestinationLifecycleOnUpdatedRequest, toproto.DestinationLifecycleOnUpdatedRequest, &connectorv1.Destination_Lifecycle_OnUpdated_Request{ConfigBefore: config}),
		exact(fromproto.DestinationLifecycleOnDeletedRequest, toproto.DestinationLifecycleOnDeletedRequest, &connectorv1.Destination_Lifecycle_OnDeleted_Request{Config: config}),
		// Responses a host receives from a destination connector.
		exact(fromproto.DestinationConfigureResponse, toproto.DestinationConfigureResponse),
		exact(fromproto.DestinationStartResponse, toproto.DestinationStartResponse),
		exact(fromproto.DestinationRunResponse, toproto.DestinationRunResponse,
			&connectorv1.Destination_Run_Response{AckPosition: []byte("pos-1")},
			&connectorv1.Destination_Run_Response{AckPosition: []byte("pos-2"), Error: "not written: ✗"}),
		exact(fromproto.DestinationStopResponse, toproto.DestinationStopResponse),
		exact(fromproto.DestinationTeardownResponse, toproto.DestinationTeardownResponse),
		exact(fromproto.DestinationLifecycleOnCreatedResponse, toproto.DestinationLifecycleOnCreatedResponse),
		exact(fromproto.DestinationLifecycleOnUpdatedResponse, toproto.DestinationLifecycleOnUpdatedResponse),
		exact(fromproto.DestinationLifecycleOnDeletedResponse, toproto.DestinationLifecycleOnDeletedResponse),
		// The request a connector's specifier receives.
		exact(fromproto.SpecifierSpecifyRequest, toproto.SpecifierSpecifyRequest),
	}
}

// FuzzMessagesFromProto feeds arbitrary bytes to the path every message
// received from another process takes: unmarshal, fromproto. kind picks
// the message type (modulo their number). That must never panic, and what
// parses must survive toproto and fromproto again (see exact and
// withRecord). Every type is seeded with its empty encoding, a message
// with every field set (where it has fields), unknown fields, and a field
// of a wrong wire type.
func FuzzMessagesFromProto(f *testing.F) {
	messages := receivedMessages(f)
	unknown := protowire.AppendVarint(protowire.AppendTag(nil, 42, protowire.VarintType), 7)
	wrongType := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 7)
	for kind, m := range messages {
		f.Add(uint8(kind), []byte{})
		f.Add(uint8(kind), unknown)
		f.Add(uint8(kind), wrongType)
		for _, seed := range m.seeds {
			f.Add(uint8(kind), mustMarshal(f, seed))
		}
	}

	f.Fuzz(func(t *testing.T, kind uint8, wire []byte) {
		messages[int(kind)%len(messages)].check(t, wire)
	})
}

// TestReceivedMessagesCoverEveryConverter ties the fuzz target's table to
// the converters: every message type of the connector.v1 services that
// crosses from another process is fuzzed, once.
func TestReceivedMessagesCoverEveryConverter(t *testing.T) {
	names := map[string]bool{}
	for _, m := range receivedMessages(t) {
		if names[m.name] {
			t.Errorf("%s is in the table twice", m.name)
		}
		names[m.name] = true
	}
	// The specification response has a target of its own.
	names[string((&connectorv1.Specifier_Specify_Response{}).ProtoReflect().Descriptor().FullName())] = true
	var count int
	for _, service := range []protoreflect.ServiceDescriptor{
		connectorv1.File_connector_v1_connector_proto.Services().ByName("SourcePlugin"),
		connectorv1.File_connector_v1_connector_proto.Services().ByName("DestinationPlugin"),
		connectorv1.File_connector_v1_connector_proto.Services().ByName("SpecifierPlugin"),
	} {
		methods := service.Methods()
		for i := range methods.Len() {
			for _, msg := range []protoreflect.MessageDescriptor{methods.Get(i).Input(), methods.Get(i).Output()} {
				count++
				if !names[string(msg.FullName())] {
					t.Errorf("%s (of %s) is not fuzzed", msg.FullName(), methods.Get(i).FullName())
				}
			}
		}
	}
	if count != len(names) {
		t.Errorf("the services have %d messages, the table %d", count, len(names))
	}
}
