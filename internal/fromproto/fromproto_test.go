package fromproto_test

import (
	"math"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

// nilSafeCase checks that a converter turns a nil message and an empty one
// into the zero value of the Go type.
type nilSafeCase struct {
	name string
	run  func(t *testing.T)
}

func nilSafe[P proto.Message, G any](from func(P) G) nilSafeCase {
	var nilMessage P
	return nilSafeCase{
		name: string(nilMessage.ProtoReflect().Descriptor().FullName()),
		run: func(t *testing.T) {
			t.Helper()
			var zero G
			if diff := cmp.Diff(zero, from(nilMessage)); diff != "" {
				t.Errorf("nil message (-want +got):\n%s", diff)
			}
			empty := nilMessage.ProtoReflect().Type().New().Interface().(P)
			if diff := cmp.Diff(zero, from(empty)); diff != "" {
				t.Errorf("empty message (-want +got):\n%s", diff)
			}
		},
	}
}

func TestNilAndEmptyMessages(t *testing.T) {
	cases := []nilSafeCase{
		nilSafe(fromproto.SourceConfigureRequest),
		nilSafe(fromproto.SourceConfigureResponse),
		nilSafe(fromproto.SourceStartRequest),
		nilSafe(fromproto.SourceStartResponse),
		nilSafe(fromproto.SourceRunRequest),
		nilSafe(fromproto.SourceRunResponse),
		nilSafe(fromproto.SourceStopRequest),
		nilSafe(fromproto.SourceStopResponse),
		nilSafe(fromproto.SourceTeardownRequest),
		nilSafe(fromproto.SourceTeardownResponse),
		nilSafe(fromproto.SourceLifecycleOnCreatedRequest),
		nilSafe(fromproto.SourceLifecycleOnCreatedResponse),
		nilSafe(fromproto.SourceLifecycleOnUpdatedRequest),
		nilSafe(fromproto.SourceLifecycleOnUpdatedResponse),
		nilSafe(fromproto.SourceLifecycleOnDeletedRequest),
		nilSafe(fromproto.SourceLifecycleOnDeletedResponse),
		nilSafe(fromproto.DestinationConfigureRequest),
		nilSafe(fromproto.DestinationConfigureResponse),
		nilSafe(fromproto.DestinationStartRequest),
		nilSafe(fromproto.DestinationStartResponse),
		nilSafe(fromproto.DestinationRunRequest),
		nilSafe(fromproto.DestinationRunResponse),
		nilSafe(fromproto.DestinationStopRequest),
		nilSafe(fromproto.DestinationStopResponse),
		nilSafe(fromproto.DestinationTeardownRequest),
		nilSafe(fromproto.DestinationTeardownResponse),
		nilSafe(fromproto.DestinationLifecycleOnCreatedRequest),
		nilSafe(fromproto.DestinationLifecycleOnCreatedResponse),
		nilSafe(fromproto.DestinationLifecycleOnUpdatedRequest),
		nilSafe(fromproto.DestinationLifecycleOnUpdatedResponse),
		nilSafe(fromproto.DestinationLifecycleOnDeletedRequest),
		nilSafe(fromproto.DestinationLifecycleOnDeletedResponse),
		nilSafe(fromproto.SpecifierSpecifyRequest),
		nilSafe(fromproto.SpecifierSpecifyResponse),
		nilSafe(fromproto.Parameter),
		nilSafe(fromproto.Validation),
		nilSafe(fromproto.Record),
		nilSafe(fromproto.Change),
		nilSafe(fromproto.Data),
		nilSafe(fromproto.Value),
	}
	for _, tc := range cases {
		t.Run(tc.name, tc.run)
	}

	// These two give a non-nil result for an empty message: an empty Struct
	// is data without fields, not the absence of data.
	if got := fromproto.StructuredData(nil); got != nil {
		t.Errorf("StructuredData(nil) = %#v, want nil", got)
	}
	if got := fromproto.StructuredData(&structpb.Struct{}); got == nil || len(got) != 0 {
		t.Errorf("StructuredData(empty) = %#v, want empty non-nil", got)
	}
}

// TestMalformedMessages covers messages that a Go sender can build in
// memory or a sender in another language can put on the wire, which a
// well-behaved sender does not produce. They must convert without panic,
// as the package documentation says.
func TestMalformedMessages(t *testing.T) {
	cases := []struct {
		name string
		got  any
		want any
	}{
		{
			name: "record without payload",
			got:  fromproto.Record(&opencdcv1.Record{Position: []byte("p"), Operation: opencdcv1.Operation_OPERATION_CREATE}),
			want: cpluginv1.Record{Position: []byte("p"), Operation: cpluginv1.OperationCreate},
		},
		{
			name: "operation unspecified and unknown",
			got:  []cpluginv1.Operation{fromproto.Operation(opencdcv1.Operation_OPERATION_UNSPECIFIED), fromproto.Operation(opencdcv1.Operation(123)), fromproto.Operation(opencdcv1.Operation(-1))},
			want: []cpluginv1.Operation{0, 123, -1},
		},
		{
			name: "data oneof unset",
			got:  fromproto.Change(&opencdcv1.Change{Before: &opencdcv1.Data{}, After: &opencdcv1.Data{}}),
			want: cpluginv1.Change{},
		},
		{
			name: "raw data set to nil bytes",
			got:  fromproto.Data(&opencdcv1.Data{Data: &opencdcv1.Data_RawData{}}),
			want: cpluginv1.Data(cpluginv1.RawData{}),
		},
		{
			name: "structured data set to nil struct",
			got:  fromproto.Data(&opencdcv1.Data{Data: &opencdcv1.Data_StructuredData{}}),
			want: cpluginv1.Data(cpluginv1.StructuredData{}),
		},
		{
			name: "values without kind, nil values, nil containers",
			got: fromproto.StructuredData(&structpb.Struct{Fields: map[string]*structpb.Value{
				"nil value":       nil,
				"no kind":         {},
				"null":            structpb.NewNullValue(),
				"odd null":        {Kind: &structpb.Value_NullValue{NullValue: structpb.NullValue(7)}},
				"nil struct":      {Kind: &structpb.Value_StructValue{}},
				"nil list":        {Kind: &structpb.Value_ListValue{}},
				"nil struct kind": {Kind: &structpb.Value_StructValue{StructValue: &structpb.Struct{Fields: map[string]*structpb.Value{"x": nil}}}},
				"list of nils":    {Kind: &structpb.Value_ListValue{ListValue: &structpb.ListValue{Values: []*structpb.Value{nil, {}}}}},
			}}),
			want: cpluginv1.StructuredData{
				"nil value":       nil,
				"no kind":         nil,
				"null":            nil,
				"odd null":        nil,
				"nil struct":      map[string]any{},
				"nil list":        []any{},
				"nil struct kind": map[string]any{"x": nil},
				"list of nils":    []any{nil, nil},
			},
		},
		{
			name: "nil parameter and nil validation",
			got: fromproto.SpecifierSpecifyResponse(&connectorv1.Specifier_Specify_Response{
				SourceParams: map[string]*connectorv1.Specifier_Parameter{
					"nil": nil,
					"nil validation": {Validations: []*connectorv1.Specifier_Parameter_Validation{
						nil,
						{Type: connectorv1.Specifier_Parameter_Validation_Type(99), Value: "v"},
					}},
				},
				DestinationParams: map[string]*connectorv1.Specifier_Parameter{},
			}),
			want: cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
				SourceParams: map[string]cpluginv1.Parameter{
					"nil":            {},
					"nil validation": {Validations: []cpluginv1.Validation{{}, {Type: 99, Value: "v"}}},
				},
				DestinationParams: map[string]cpluginv1.Parameter{},
			}},
		},
		{
			name: "unknown parameter type",
			got:  fromproto.Parameter(&connectorv1.Specifier_Parameter{Type: connectorv1.Specifier_Parameter_Type(1000)}),
			want: cpluginv1.Parameter{Type: 1000},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestNonFiniteNumbersPassThrough: a peer in another language can send NaN
// or infinity in a Struct. fromproto never fails, so they reach the Go
// side as they are; toproto rejects them if they are sent on.
func TestNonFiniteNumbersPassThrough(t *testing.T) {
	got := fromproto.StructuredData(&structpb.Struct{Fields: map[string]*structpb.Value{
		"nan": structpb.NewNumberValue(math.NaN()),
		"inf": structpb.NewNumberValue(math.Inf(-1)),
	}})
	if f, ok := got["nan"].(float64); !ok || !math.IsNaN(f) {
		t.Errorf("nan = %#v, want NaN", got["nan"])
	}
	if f, ok := got["inf"].(float64); !ok || !math.IsInf(f, -1) {
		t.Errorf("inf = %#v, want -Inf", got["inf"])
	}
}

// TestResultsAliasInput documents that converters do not copy bytes or
// maps, which the record path relies on for speed.
func TestResultsAliasInput(t *testing.T) {
	in := &opencdcv1.Record{Position: []byte("p"), Metadata: map[string]string{"k": "v"}, Key: &opencdcv1.Data{Data: &opencdcv1.Data_RawData{RawData: []byte("k")}}}
	got := fromproto.Record(in)
	if &got.Position[0] != &in.Position[0] {
		t.Error("Position was copied")
	}
	got.Metadata["k2"] = "v2"
	if in.Metadata["k2"] != "v2" {
		t.Error("Metadata was copied")
	}
	if &got.Key.(cpluginv1.RawData)[0] != &in.Key.GetRawData()[0] {
		t.Error("raw key was copied")
	}
}
