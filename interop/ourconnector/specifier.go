package main

import (
	"context"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

// specifier describes the connector with the same parameters as
// interop/sdkconnector.
type specifier struct{}

func (specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:        contract.OurConnectorName,
		Summary:     "Interop test connector written with cpluginv1.",
		Description: "Produces numbered records and writes received records to a file.",
		Version:     contract.Version,
		Author:      "interop test",
		SourceParams: map[string]cpluginv1.Parameter{
			contract.ParamRecords: {
				Default:     contract.RecordsDefault,
				Description: "How many records to produce.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "-1"}},
			},
			contract.ParamAcksFile: {
				Description: "File to append ack positions to.",
				Type:        cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}},
			},
		},
		DestinationParams: map[string]cpluginv1.Parameter{
			contract.ParamOutputFile: {
				Description: "File to append written records to.",
				Type:        cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeRequired}},
			},
			contract.ParamNackPosition: {
				Description: "Position of a record to answer with a negative ack.",
				Type:        cpluginv1.ParameterTypeString,
			},
		},
	}}, nil
}
