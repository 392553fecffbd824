package toproto_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
	"github.com/connectorkit/conduit-connector-protocol/internal/fromproto"
	"github.com/connectorkit/conduit-connector-protocol/internal/toproto"
)

// The parameters of protocol v2 (config.v1.Parameter) have no required
// flag: toproto turns the deprecated flag into a validation of type
// required, unless one is there; fromproto sets the flag when one is there.
func TestParameterV2(t *testing.T) {
	required := &configv1.Validation{Type: configv1.Validation_TYPE_REQUIRED}
	gt := &configv1.Validation{Type: configv1.Validation_TYPE_GREATER_THAN, Value: "0"}
	for _, tt := range []struct {
		name string
		in   cpluginv1.Parameter
		wire *configv1.Parameter
		back cpluginv1.Parameter // fromproto of wire
	}{
		{
			name: "zero",
			in:   cpluginv1.Parameter{},
			wire: &configv1.Parameter{},
			back: cpluginv1.Parameter{},
		},
		{
			name: "every field, no rule on required",
			in: cpluginv1.Parameter{
				Default: "5", Description: "how many", Type: cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}},
			},
			wire: &configv1.Parameter{Default: "5", Description: "how many", Type: configv1.Parameter_TYPE_INT, Validations: []*configv1.Validation{gt}},
			back: cpluginv1.Parameter{
				Default: "5", Description: "how many", Type: cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}},
			},
		},
		{
			name: "deprecated flag alone becomes a validation",
			in:   withRequired(cpluginv1.Parameter{}),
			wire: &configv1.Parameter{Validations: []*configv1.Validation{required}},
			back: withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}}),
		},
		{
			name: "deprecated flag is appended to the validations",
			in:   withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}}}),
			wire: &configv1.Parameter{Validations: []*configv1.Validation{gt, required}},
			back: withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{
				{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"}, {Type: cpluginv1.ValidationTypeRequired},
			}}),
		},
		{
			name: "flag and validation: the validation once",
			in: withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{
				{Type: cpluginv1.ValidationTypeRequired}, {Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
			}}),
			wire: &configv1.Parameter{Validations: []*configv1.Validation{required, gt}},
			back: withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{
				{Type: cpluginv1.ValidationTypeRequired}, {Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
			}}),
		},
		{
			name: "validation alone sets the flag on the way back",
			in:   cpluginv1.Parameter{Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
			wire: &configv1.Parameter{Validations: []*configv1.Validation{required}},
			back: withRequired(cpluginv1.Parameter{Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}}),
		},
		{
			name: "numbers the protocol does not define pass through",
			in:   cpluginv1.Parameter{Type: 42, Validations: []cpluginv1.Validation{{Type: 77, Value: "v"}}},
			wire: &configv1.Parameter{Type: 42, Validations: []*configv1.Validation{{Type: 77, Value: "v"}}},
			back: cpluginv1.Parameter{Type: 42, Validations: []cpluginv1.Validation{{Type: 77, Value: "v"}}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			wire := toproto.ParameterV2(tt.in)
			if diff := cmp.Diff(tt.wire, wire, protocmp.Transform()); diff != "" {
				t.Errorf("toproto.ParameterV2 (-want +got):\n%s", diff)
			}
			// Through the bytes, as a host receives it.
			b, err := proto.Marshal(wire)
			if err != nil {
				t.Fatal(err)
			}
			received := new(configv1.Parameter)
			if err := proto.Unmarshal(b, received); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.back, fromproto.ParameterV2(received)); diff != "" {
				t.Errorf("fromproto.ParameterV2 (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpecificationV2RoundTrip(t *testing.T) {
	spec := cpluginv1.Specification{
		Name: "n", Summary: "s", Description: "d", Version: "v1.2.3", Author: "a",
		SourceParams: map[string]cpluginv1.Parameter{
			"url": {Required: true, Type: cpluginv1.ParameterTypeString, Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}}},
		},
		DestinationParams: map[string]cpluginv1.Parameter{"path": {Type: cpluginv1.ParameterTypeFile, Default: "/tmp/x"}},
	}
	resp := toproto.SpecifierSpecifyResponseV2(cpluginv1.SpecifierSpecifyResponse{Specification: spec})
	b, err := proto.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	received := new(connectorv2.Specifier_Specify_Response)
	if err := proto.Unmarshal(b, received); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, fromproto.SpecifierSpecifyResponseV2(received).Specification); diff != "" {
		t.Errorf("specification after a round trip through protocol v2 (-want +got):\n%s", diff)
	}
}

// withRequired returns p with the deprecated Required flag set.
func withRequired(p cpluginv1.Parameter) cpluginv1.Parameter {
	p.Required = true //nolint:staticcheck // the deprecated flag is what is being tested
	return p
}

// Every fromproto converter of protocol v2 turns nil into the zero value,
// as those of v1 do.
func TestFromprotoV2Nil(t *testing.T) {
	check := func(name string, got, want any) {
		t.Helper()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s(nil) (-want +got):\n%s", name, diff)
		}
	}
	check("SpecifierSpecifyResponseV2", fromproto.SpecifierSpecifyResponseV2(nil), cpluginv1.SpecifierSpecifyResponse{})
	check("SpecificationV2", fromproto.SpecificationV2(nil), cpluginv1.Specification{})
	check("ParameterV2", fromproto.ParameterV2(nil), cpluginv1.Parameter{})
	check("ValidationV2", fromproto.ValidationV2(nil), cpluginv1.Validation{})
	check("SourceConfigureRequestV2", fromproto.SourceConfigureRequestV2(nil), cpluginv1.SourceConfigureRequest{})
	check("SourceOpenRequestV2", fromproto.SourceOpenRequestV2(nil), cpluginv1.SourceStartRequest{})
	check("SourceStopResponseV2", fromproto.SourceStopResponseV2(nil), cpluginv1.SourceStopResponse{})
	check("SourceLifecycleOnCreatedRequestV2", fromproto.SourceLifecycleOnCreatedRequestV2(nil), cpluginv1.SourceLifecycleOnCreatedRequest{})
	check("SourceLifecycleOnUpdatedRequestV2", fromproto.SourceLifecycleOnUpdatedRequestV2(nil), cpluginv1.SourceLifecycleOnUpdatedRequest{})
	check("SourceLifecycleOnDeletedRequestV2", fromproto.SourceLifecycleOnDeletedRequestV2(nil), cpluginv1.SourceLifecycleOnDeletedRequest{})
	check("DestinationConfigureRequestV2", fromproto.DestinationConfigureRequestV2(nil), cpluginv1.DestinationConfigureRequest{})
	check("DestinationStopRequestV2", fromproto.DestinationStopRequestV2(nil), cpluginv1.DestinationStopRequest{})
	check("DestinationLifecycleOnCreatedRequestV2", fromproto.DestinationLifecycleOnCreatedRequestV2(nil), cpluginv1.DestinationLifecycleOnCreatedRequest{})
	check("DestinationLifecycleOnUpdatedRequestV2", fromproto.DestinationLifecycleOnUpdatedRequestV2(nil), cpluginv1.DestinationLifecycleOnUpdatedRequest{})
	check("DestinationLifecycleOnDeletedRequestV2", fromproto.DestinationLifecycleOnDeletedRequestV2(nil), cpluginv1.DestinationLifecycleOnDeletedRequest{})
	// A nil validation in a list is the zero validation.
	p := fromproto.ParameterV2(&configv1.Parameter{Validations: []*configv1.Validation{nil}})
	check("ParameterV2 with a nil validation", p, cpluginv1.Parameter{Validations: []cpluginv1.Validation{{}}})
}

// The requests and responses of protocol v2 carry what v1's carry.
func TestRequestsV2RoundTrip(t *testing.T) {
	config := map[string]string{"a": "1"}
	before := map[string]string{"a": "0"}
	roundTrip := func(name string, msg, into proto.Message, back func() any, want any) {
		t.Helper()
		b, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if err := proto.Unmarshal(b, into); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, back()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	{
		in := cpluginv1.SourceConfigureRequest{Config: config}
		got := new(connectorv2.Source_Configure_Request)
		roundTrip("source Configure", toproto.SourceConfigureRequestV2(in), got, func() any { return fromproto.SourceConfigureRequestV2(got) }, in)
	}
	{
		in := cpluginv1.SourceStartRequest{Position: []byte("p")}
		got := new(connectorv2.Source_Open_Request)
		roundTrip("source Open", toproto.SourceOpenRequestV2(in), got, func() any { return fromproto.SourceOpenRequestV2(got) }, in)
	}
	{
		in := cpluginv1.SourceStopResponse{LastPosition: []byte("last")}
		got := new(connectorv2.Source_Stop_Response)
		roundTrip("source Stop", toproto.SourceStopResponseV2(in), got, func() any { return fromproto.SourceStopResponseV2(got) }, in)
	}
	{
		in := cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: before, ConfigAfter: config}
		got := new(connectorv2.Source_Lifecycle_OnUpdated_Request)
		roundTrip("source LifecycleOnUpdated", toproto.SourceLifecycleOnUpdatedRequestV2(in), got, func() any { return fromproto.SourceLifecycleOnUpdatedRequestV2(got) }, in)
	}
	{
		in := cpluginv1.SourceLifecycleOnDeletedRequest{Config: config}
		got := new(connectorv2.Source_Lifecycle_OnDeleted_Request)
		roundTrip("source LifecycleOnDeleted", toproto.SourceLifecycleOnDeletedRequestV2(in), got, func() any { return fromproto.SourceLifecycleOnDeletedRequestV2(got) }, in)
	}
	{
		in := cpluginv1.DestinationStopRequest{LastPosition: []byte("last")}
		got := new(connectorv2.Destination_Stop_Request)
		roundTrip("destination Stop", toproto.DestinationStopRequestV2(in), got, func() any { return fromproto.DestinationStopRequestV2(got) }, in)
	}
	{
		in := cpluginv1.DestinationLifecycleOnCreatedRequest{Config: config}
		got := new(connectorv2.Destination_Lifecycle_OnCreated_Request)
		roundTrip("destination LifecycleOnCreated", toproto.DestinationLifecycleOnCreatedRequestV2(in), got, func() any { return fromproto.DestinationLifecycleOnCreatedRequestV2(got) }, in)
	}
}
