package cplugintest

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Specification returns the specification the test connector's Specify
// answers with. It uses every parameter type and validation type.
func Specification() cpluginv1.Specification {
	return cpluginv1.Specification{
		Name:        "cplugintest",
		Summary:     "The connector of the cpluginv1 transport parity suite.",
		Description: "Behaves as its configuration says, so that the same\n*tests* run against every transport. ✓",
		Version:     "v0.0.0-test",
		Author:      "conduit-connector-protocol",
		SourceParams: map[string]cpluginv1.Parameter{
			"url": {
				Description: "Where to read from.",
				Type:        cpluginv1.ParameterTypeString,
				Required:    true, // deprecated, but it still crosses the wire and must survive
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeRequired},
					{Type: cpluginv1.ValidationTypeRegex, Value: `^https?://`},
				},
			},
			"batch": {
				Default:     "10",
				Description: "Records per batch.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
					{Type: cpluginv1.ValidationTypeLessThan, Value: "1e4"},
				},
			},
			"ratio":    {Default: "0.5", Type: cpluginv1.ParameterTypeFloat},
			"enabled":  {Default: "true", Type: cpluginv1.ParameterTypeBool},
			"interval": {Default: "1m30s", Type: cpluginv1.ParameterTypeDuration},
			"untyped":  {Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeUnspecified}}},
		},
		DestinationParams: map[string]cpluginv1.Parameter{
			"path": {Description: "Where to write.", Type: cpluginv1.ParameterTypeFile},
			"format": {
				Default: "json",
				Type:    cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeInclusion, Value: "json,avro,raw"},
					{Type: cpluginv1.ValidationTypeExclusion, Value: "xml"},
				},
			},
		},
	}
}

type specifier struct {
	shared *shared
}

func (s specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	spec := Specification()
	if s.shared.invalidSpecification.Load() {
		url := spec.SourceParams["url"]
		url.Description = "Where to read from: \xff"
		spec.SourceParams["url"] = url
	}
	return cpluginv1.SpecifierSpecifyResponse{Specification: spec}, nil
}
