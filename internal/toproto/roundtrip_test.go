package toproto_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/testing/protocmp"
)

// roundTripCase checks one Go value of one message type in both directions.
type roundTripCase struct {
	name    string
	message protoreflect.FullName
	run     func(t *testing.T)
}

// roundTrip returns a case that checks, for the Go value goValue:
//   - Go -> proto -> Go gives goValue back exactly (in the same process);
//   - Go -> proto -> wire -> proto -> Go gives goValue back, up to the nil
//     and empty slices and maps that proto3 does not tell apart;
//   - the proto received from the wire -> Go -> proto is proto.Equal to it.
func roundTrip[G any, P proto.Message](name string, goValue G, to func(G) (P, error), from func(P) G) roundTripCase {
	var zero P
	return roundTripCase{
		name:    name,
		message: zero.ProtoReflect().Descriptor().FullName(),
		run: func(t *testing.T) {
			t.Helper()
			p, err := to(goValue)
			if err != nil {
				t.Fatalf("to proto: %v", err)
			}
			if diff := cmp.Diff(goValue, from(p)); diff != "" {
				t.Errorf("Go -> proto -> Go changed the value (-want +got):\n%s", diff)
			}

			wire, err := proto.Marshal(p)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			received := p.ProtoReflect().Type().New().Interface().(P)
			if err := proto.Unmarshal(wire, received); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if diff := cmp.Diff(goValue, from(received), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Go -> wire -> Go changed the value (-want +got):\n%s", diff)
			}

			again, err := to(from(received))
			if err != nil {
				t.Fatalf("to proto again: %v", err)
			}
			if diff := cmp.Diff(received, again, protocmp.Transform()); diff != "" {
				t.Errorf("proto -> Go -> proto changed the message (-want +got):\n%s", diff)
			}
		},
	}
}

// infallible adapts a converter that cannot fail to roundTrip.
func infallible[G any, P proto.Message](to func(G) P) func(G) (P, error) {
	return func(g G) (P, error) { return to(g), nil }
}

var (
	config    = map[string]string{"url": "postgres://localhost", "table": "users", "empty": ""}
	position  = []byte("position-42")
	rawRecord = cpluginv1.Record{
		Position:  []byte("pos-1"),
		Operation: cpluginv1.OperationCreate,
		Metadata:  map[string]string{cpluginv1.MetadataCollection: "users", cpluginv1.MetadataCreatedAt: "1700000000000000000"},
		Key:       cpluginv1.RawData("id-1"),
		Payload:   cpluginv1.Change{After: cpluginv1.RawData(`{"name":"Ada"}`)},
	}
	// structuredRecord holds structured data in normalised form, so that it
	// comes back unchanged.
	structuredRecord = cpluginv1.Record{
		Position:  []byte("pos-2"),
		Operation: cpluginv1.OperationUpdate,
		Key:       cpluginv1.StructuredData{"id": float64(1)},
		Payload: cpluginv1.Change{
			Before: cpluginv1.StructuredData{"id": float64(1), "name": "Ada", "tags": []any{}},
			After: cpluginv1.StructuredData{
				"id":      float64(1),
				"name":    "Ada Lovelace",
				"active":  true,
				"deleted": nil,
				"score":   -12.5,
				"address": map[string]any{"city": "London", "zip": nil, "geo": map[string]any{}},
				"tags":    []any{"math", float64(1815), []any{true, nil}, map[string]any{"a": "b"}},
			},
		},
	}
	specification = cpluginv1.Specification{
		Name:        "postgres",
		Summary:     "Reads and writes PostgreSQL tables.",
		Description: "A **longer** description.",
		Version:     "v1.2.3",
		Author:      "Ada",
		SourceParams: map[string]cpluginv1.Parameter{
			"url": {
				Description: "Connection URL.",
				Type:        cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeRequired},
					{Type: cpluginv1.ValidationTypeRegex, Value: "^postgres://"},
				},
			},
			"batchSize": {
				Default:  "100",
				Required: true,
				Type:     cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
					{Type: cpluginv1.ValidationTypeLessThan, Value: "10001"},
				},
			},
			"mode": {
				Default:     "append",
				Type:        cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeInclusion, Value: "append,upsert"}},
			},
			"future": {Type: cpluginv1.ParameterType(99), Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationType(42), Value: "x"}}},
		},
		DestinationParams: map[string]cpluginv1.Parameter{
			"timeout": {Default: "1s", Type: cpluginv1.ParameterTypeDuration},
			"ratio":   {Type: cpluginv1.ParameterTypeFloat},
			"debug":   {Type: cpluginv1.ParameterTypeBool},
			"cert":    {Type: cpluginv1.ParameterTypeFile},
			"skip":    {Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeExclusion, Value: "a,b"}}},
			"plain":   {},
		},
	}
)

func roundTripCases() []roundTripCase {
	return []roundTripCase{
		// Source.
		roundTrip("empty", cpluginv1.SourceConfigureRequest{}, infallible(toproto.SourceConfigureRequest), fromproto.SourceConfigureRequest),
		roundTrip("config", cpluginv1.SourceConfigureRequest{Config: config}, infallible(toproto.SourceConfigureRequest), fromproto.SourceConfigureRequest),
		roundTrip("empty", cpluginv1.SourceConfigureResponse{}, infallible(toproto.SourceConfigureResponse), fromproto.SourceConfigureResponse),
		roundTrip("empty", cpluginv1.SourceStartRequest{}, infallible(toproto.SourceStartRequest), fromproto.SourceStartRequest),
		roundTrip("position", cpluginv1.SourceStartRequest{Position: position}, infallible(toproto.SourceStartRequest), fromproto.SourceStartRequest),
		roundTrip("empty", cpluginv1.SourceStartResponse{}, infallible(toproto.SourceStartResponse), fromproto.SourceStartResponse),
		roundTrip("ack", cpluginv1.SourceRunRequest{AckPosition: position}, infallible(toproto.SourceRunRequest), fromproto.SourceRunRequest),
		roundTrip("raw", cpluginv1.SourceRunResponse{Record: rawRecord}, toproto.SourceRunResponse, fromproto.SourceRunResponse),
		roundTrip("structured", cpluginv1.SourceRunResponse{Record: structuredRecord}, toproto.SourceRunResponse, fromproto.SourceRunResponse),
		roundTrip("empty", cpluginv1.SourceStopRequest{}, infallible(toproto.SourceStopRequest), fromproto.SourceStopRequest),
		roundTrip("last position", cpluginv1.SourceStopResponse{LastPosition: position}, infallible(toproto.SourceStopResponse), fromproto.SourceStopResponse),
		roundTrip("empty", cpluginv1.SourceTeardownRequest{}, infallible(toproto.SourceTeardownRequest), fromproto.SourceTeardownRequest),
		roundTrip("empty", cpluginv1.SourceTeardownResponse{}, infallible(toproto.SourceTeardownResponse), fromproto.SourceTeardownResponse),
		roundTrip("config", cpluginv1.SourceLifecycleOnCreatedRequest{Config: config}, infallible(toproto.SourceLifecycleOnCreatedRequest), fromproto.SourceLifecycleOnCreatedRequest),
		roundTrip("empty", cpluginv1.SourceLifecycleOnCreatedResponse{}, infallible(toproto.SourceLifecycleOnCreatedResponse), fromproto.SourceLifecycleOnCreatedResponse),
		roundTrip("configs", cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: map[string]string{"a": "1"}, ConfigAfter: config}, infallible(toproto.SourceLifecycleOnUpdatedRequest), fromproto.SourceLifecycleOnUpdatedRequest),
		roundTrip("empty", cpluginv1.SourceLifecycleOnUpdatedResponse{}, infallible(toproto.SourceLifecycleOnUpdatedResponse), fromproto.SourceLifecycleOnUpdatedResponse),
		roundTrip("config", cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}, infallible(toproto.SourceLifecycleOnDeletedRequest), fromproto.SourceLifecycleOnDeletedRequest),
		roundTrip("empty", cpluginv1.SourceLifecycleOnDeletedResponse{}, infallible(toproto.SourceLifecycleOnDeletedResponse), fromproto.SourceLifecycleOnDeletedResponse),

		// Destination.
		roundTrip("config", cpluginv1.DestinationConfigureRequest{Config: config}, infallible(toproto.DestinationConfigureRequest), fromproto.DestinationConfigureRequest),
		roundTrip("empty", cpluginv1.DestinationConfigureResponse{}, infallible(toproto.DestinationConfigureResponse), fromproto.DestinationConfigureResponse),
		roundTrip("empty", cpluginv1.DestinationStartRequest{}, infallible(toproto.DestinationStartRequest), fromproto.DestinationStartRequest),
		roundTrip("empty", cpluginv1.DestinationStartResponse{}, infallible(toproto.DestinationStartResponse), fromproto.DestinationStartResponse),
		roundTrip("raw", cpluginv1.DestinationRunRequest{Record: rawRecord}, toproto.DestinationRunRequest, fromproto.DestinationRunRequest),
		roundTrip("structured", cpluginv1.DestinationRunRequest{Record: structuredRecord}, toproto.DestinationRunRequest, fromproto.DestinationRunRequest),
		roundTrip("empty record", cpluginv1.DestinationRunRequest{}, toproto.DestinationRunRequest, fromproto.DestinationRunRequest),
		roundTrip("ack", cpluginv1.DestinationRunResponse{AckPosition: position}, infallible(toproto.DestinationRunResponse), fromproto.DestinationRunResponse),
		roundTrip("nack", cpluginv1.DestinationRunResponse{AckPosition: position, Error: "table users does not exist"}, infallible(toproto.DestinationRunResponse), fromproto.DestinationRunResponse),
		roundTrip("last position", cpluginv1.DestinationStopRequest{LastPosition: position}, infallible(toproto.DestinationStopRequest), fromproto.DestinationStopRequest),
		roundTrip("empty", cpluginv1.DestinationStopResponse{}, infallible(toproto.DestinationStopResponse), fromproto.DestinationStopResponse),
		roundTrip("empty", cpluginv1.DestinationTeardownRequest{}, infallible(toproto.DestinationTeardownRequest), fromproto.DestinationTeardownRequest),
		roundTrip("empty", cpluginv1.DestinationTeardownResponse{}, infallible(toproto.DestinationTeardownResponse), fromproto.DestinationTeardownResponse),
		roundTrip("config", cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}, infallible(toproto.DestinationLifecycleOnCreatedRequest), fromproto.DestinationLifecycleOnCreatedRequest),
		roundTrip("empty", cpluginv1.DestinationLifecycleOnCreatedResponse{}, infallible(toproto.DestinationLifecycleOnCreatedResponse), fromproto.DestinationLifecycleOnCreatedResponse),
		roundTrip("configs", cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigBefore: config, ConfigAfter: map[string]string{"b": "2"}}, infallible(toproto.DestinationLifecycleOnUpdatedRequest), fromproto.DestinationLifecycleOnUpdatedRequest),
		roundTrip("empty", cpluginv1.DestinationLifecycleOnUpdatedResponse{}, infallible(toproto.DestinationLifecycleOnUpdatedResponse), fromproto.DestinationLifecycleOnUpdatedResponse),
		roundTrip("config", cpluginv1.DestinationLifecycleOnDeletedRequest{Config: config}, infallible(toproto.DestinationLifecycleOnDeletedRequest), fromproto.DestinationLifecycleOnDeletedRequest),
		roundTrip("empty", cpluginv1.DestinationLifecycleOnDeletedResponse{}, infallible(toproto.DestinationLifecycleOnDeletedResponse), fromproto.DestinationLifecycleOnDeletedResponse),

		// Specifier.
		roundTrip("empty", cpluginv1.SpecifierSpecifyRequest{}, infallible(toproto.SpecifierSpecifyRequest), fromproto.SpecifierSpecifyRequest),
		roundTrip("full", cpluginv1.SpecifierSpecifyResponse{Specification: specification}, infallible(toproto.SpecifierSpecifyResponse), fromproto.SpecifierSpecifyResponse),
		roundTrip("empty", cpluginv1.SpecifierSpecifyResponse{}, infallible(toproto.SpecifierSpecifyResponse), fromproto.SpecifierSpecifyResponse),
		roundTrip("full", specification.SourceParams["batchSize"], infallible(toproto.Parameter), fromproto.Parameter),
		roundTrip("empty", cpluginv1.Parameter{}, infallible(toproto.Parameter), fromproto.Parameter),
		roundTrip("regex", cpluginv1.Validation{Type: cpluginv1.ValidationTypeRegex, Value: "^a+$"}, infallible(toproto.Validation), fromproto.Validation),

		// OpenCDC.
		roundTrip("raw", rawRecord, toproto.Record, fromproto.Record),
		roundTrip("structured", structuredRecord, toproto.Record, fromproto.Record),
		roundTrip("zero", cpluginv1.Record{}, toproto.Record, fromproto.Record),
		roundTrip("unknown operation", cpluginv1.Record{Position: position, Operation: cpluginv1.Operation(77)}, toproto.Record, fromproto.Record),
		roundTrip("delete", cpluginv1.Record{
			Position:  position,
			Operation: cpluginv1.OperationDelete,
			Key:       cpluginv1.RawData{},
			Payload:   cpluginv1.Change{Before: cpluginv1.StructuredData{}},
		}, toproto.Record, fromproto.Record),
		roundTrip("snapshot", cpluginv1.Record{Operation: cpluginv1.OperationSnapshot, Payload: cpluginv1.Change{After: cpluginv1.RawData{0, 1, 2}}}, toproto.Record, fromproto.Record),
		roundTrip("both", cpluginv1.Change{Before: cpluginv1.RawData("a"), After: cpluginv1.StructuredData{"a": "b"}}, toproto.Change, fromproto.Change),
		roundTrip("none", cpluginv1.Change{}, toproto.Change, fromproto.Change),
		roundTrip("raw", cpluginv1.Data(cpluginv1.RawData("bytes")), toproto.Data, fromproto.Data),
		roundTrip("empty raw", cpluginv1.Data(cpluginv1.RawData{}), toproto.Data, fromproto.Data),
		roundTrip("structured", structuredRecord.Payload.After, toproto.Data, fromproto.Data),
		roundTrip("empty structured", cpluginv1.Data(cpluginv1.StructuredData{}), toproto.Data, fromproto.Data),
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range roundTripCases() {
		t.Run(string(tc.message.Name())+"/"+tc.name, tc.run)
	}
}

// TestRoundTripCoversEveryMessage keeps the table above total: a message
// added to the contract without converters and a case fails here.
func TestRoundTripCoversEveryMessage(t *testing.T) {
	covered := map[protoreflect.FullName]bool{}
	for _, tc := range roundTripCases() {
		covered[tc.message] = true
	}
	var walk func(protoreflect.MessageDescriptors)
	walk = func(messages protoreflect.MessageDescriptors) {
		for i := range messages.Len() {
			m := messages.Get(i)
			walk(m.Messages())
			if m.IsMapEntry() {
				continue
			}
			// Source, Source.Run, ... only group the messages they contain.
			if m.Fields().Len() == 0 && m.Messages().Len() > 0 {
				continue
			}
			if !covered[m.FullName()] {
				t.Errorf("no round-trip case for %s", m.FullName())
			}
		}
	}
	walk(connectorv1.File_connector_v1_connector_proto.Messages())
	walk(opencdcv1.File_opencdc_v1_opencdc_proto.Messages())
}

// TestDataPresence checks, across the wire, the difference between no data
// (a nil Data, field unset) and empty data (oneof set), which receivers
// rely on to tell "no key" from "empty key".
func TestDataPresence(t *testing.T) {
	cases := []struct {
		name string
		in   cpluginv1.Data
		// wantSet is whether the Data message is present on the wire.
		wantSet bool
		want    cpluginv1.Data
	}{
		{name: "nil Data is unset", in: nil, wantSet: false, want: nil},
		{name: "empty RawData is set", in: cpluginv1.RawData{}, wantSet: true, want: cpluginv1.RawData{}},
		{name: "nil RawData is set and empty", in: cpluginv1.RawData(nil), wantSet: true, want: cpluginv1.RawData{}},
		{name: "empty StructuredData is set", in: cpluginv1.StructuredData{}, wantSet: true, want: cpluginv1.StructuredData{}},
		{name: "nil StructuredData is set and empty", in: cpluginv1.StructuredData(nil), wantSet: true, want: cpluginv1.StructuredData{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := toproto.Record(cpluginv1.Record{Key: tc.in})
			if err != nil {
				t.Fatal(err)
			}
			wire, err := proto.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var received opencdcv1.Record
			if err := proto.Unmarshal(wire, &received); err != nil {
				t.Fatal(err)
			}
			if got := received.Key != nil; got != tc.wantSet {
				t.Errorf("key set on the wire = %v, want %v", got, tc.wantSet)
			}
			got := fromproto.Record(&received).Key
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("received key (-want +got):\n%s", diff)
			}
			// cmp treats nil and empty slices alike only with EquateEmpty;
			// check non-nil-ness explicitly, since it is the point here.
			switch got := got.(type) {
			case cpluginv1.RawData:
				if got == nil {
					t.Error("received RawData is nil, want empty non-nil")
				}
			case cpluginv1.StructuredData:
				if got == nil {
					t.Error("received StructuredData is nil, want empty non-nil")
				}
			}
		})
	}
}

// embeddedData satisfies cpluginv1.Data through embedding without being
// one of the two kinds the protocol carries.
type embeddedData struct{ cpluginv1.RawData }

func TestDataRejectsForeignImplementation(t *testing.T) {
	_, err := toproto.Record(cpluginv1.Record{Payload: cpluginv1.Change{Before: embeddedData{}}})
	if err == nil {
		t.Fatal("want an error for a Data that is neither RawData nor StructuredData")
	}
	if !errors.Is(err, cpluginv1.ErrUnsupportedValue) {
		t.Errorf("error %q does not wrap ErrUnsupportedValue", err)
	}
	if !strings.Contains(err.Error(), `"payload.before"`) {
		t.Errorf("error %q does not name the field", err)
	}
}
