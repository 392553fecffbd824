// Command sdkconnector is a standalone connector written with the existing Go
// connector SDK (github.com/conduitio/conduit-connector-sdk). It has a source
// and a destination that behave as interop/internal/contract describes, so
// that the interop test can drive it with this repository's cpluginv1/client
// and check every value that crosses the process boundary.
//
// Like every SDK connector it refuses to start without the environment
// variables CONDUIT_CONNECTOR_TOKEN, CONDUIT_CONNECTOR_ID and
// CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET. It never contacts the utilities
// target: it uses no schema service.
package main

import (
	"github.com/conduitio/conduit-commons/config"
	sdk "github.com/conduitio/conduit-connector-sdk"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

func main() {
	sdk.Serve(sdk.Connector{
		NewSpecification: specification,
		NewSource:        func() sdk.Source { return &source{} },
		NewDestination:   func() sdk.Destination { return &destination{} },
	})
}

func specification() sdk.Specification {
	return sdk.Specification{
		Name:        contract.SDKConnectorName,
		Summary:     "Interop test connector written with the Conduit connector SDK.",
		Description: "Produces numbered records and writes received records to a file.",
		Version:     contract.Version,
		Author:      "interop test",
		SourceParams: config.Parameters{
			contract.ParamRecords: {
				Default:     contract.RecordsDefault,
				Description: "How many records to produce.",
				Type:        config.ParameterTypeInt,
				Validations: []config.Validation{config.ValidationGreaterThan{V: -1}},
			},
			contract.ParamAcksFile: {
				Description: "File to append ack positions to.",
				Type:        config.ParameterTypeString,
				Validations: []config.Validation{config.ValidationRequired{}},
			},
		},
		DestinationParams: config.Parameters{
			contract.ParamOutputFile: {
				Description: "File to append written records to.",
				Type:        config.ParameterTypeString,
				Validations: []config.Validation{config.ValidationRequired{}},
			},
			contract.ParamNackPosition: {
				Description: "Position of a record to answer with a negative ack.",
				Type:        config.ParameterTypeString,
			},
		},
	}
}
