package fromproto

import (
	"slices"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// The converters of protocol v2 (packages connectorv2 and configv1) into
// the cpluginv1 types, one per message, named after the message with the
// suffix V2. They follow the rules of the package documentation (nil
// converts to the zero value, unknown enum numbers pass through, results
// share slices and maps with the message). Protocol v2's Open converts to
// the cpluginv1 Start types. The Run streams' messages are not here: the
// transports' codec (package wire) decodes them straight into the Go types
// (see DecodeRecordBatch and the other batch decoders).

// SpecifierSpecifyRequestV2 converts the request of SpecifierPlugin.Specify.
func SpecifierSpecifyRequestV2(*connectorv2.Specifier_Specify_Request) cpluginv1.SpecifierSpecifyRequest {
	return cpluginv1.SpecifierSpecifyRequest{}
}

// SpecifierSpecifyResponseV2 converts the response of
// SpecifierPlugin.Specify (see [SpecificationV2]).
func SpecifierSpecifyResponseV2(in *connectorv2.Specifier_Specify_Response) cpluginv1.SpecifierSpecifyResponse {
	return cpluginv1.SpecifierSpecifyResponse{Specification: SpecificationV2(in.GetSpecification())}
}

// SpecificationV2 converts a connector's specification. Parameter maps
// that are empty on the wire convert to nil; a nil specification converts
// to the zero Specification.
func SpecificationV2(in *connectorv2.Specification) cpluginv1.Specification {
	if in == nil {
		return cpluginv1.Specification{}
	}
	return cpluginv1.Specification{
		Name:              in.Name,
		Summary:           in.Summary,
		Description:       in.Description,
		Version:           in.Version,
		Author:            in.Author,
		DestinationParams: parametersV2(in.DestinationParams),
		SourceParams:      parametersV2(in.SourceParams),
	}
}

func parametersV2(in map[string]*configv1.Parameter) map[string]cpluginv1.Parameter {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]cpluginv1.Parameter, len(in))
	for name, p := range in {
		out[name] = ParameterV2(p)
	}
	return out
}

// ParameterV2 converts the description of one configuration parameter of
// protocol v2 (config.v1.Parameter), which has no required flag: the
// deprecated Required flag of the result reports whether the validations
// hold one of type required, as hosts treat both the same (and as
// protocol v1 connectors set both). A nil parameter converts to the zero
// Parameter, a nil validation in the list to the zero Validation.
func ParameterV2(in *configv1.Parameter) cpluginv1.Parameter {
	if in == nil {
		return cpluginv1.Parameter{}
	}
	var validations []cpluginv1.Validation
	if in.Validations != nil {
		validations = make([]cpluginv1.Validation, len(in.Validations))
		for i, v := range in.Validations {
			validations[i] = ValidationV2(v)
		}
	}
	required := slices.ContainsFunc(validations, func(v cpluginv1.Validation) bool {
		return v.Type == cpluginv1.ValidationTypeRequired
	})
	return cpluginv1.Parameter{
		Default:     in.Default,
		Required:    required, //nolint:staticcheck // the deprecated flag is what v1 hosts read: it must say "required" here too
		Description: in.Description,
		Type:        cpluginv1.ParameterType(in.Type),
		Validations: validations,
	}
}

// ValidationV2 converts one validation rule of protocol v2. A nil rule
// converts to the zero Validation.
func ValidationV2(in *configv1.Validation) cpluginv1.Validation {
	return cpluginv1.Validation{Type: cpluginv1.ValidationType(in.GetType()), Value: in.GetValue()}
}

// SourceConfigureRequestV2 converts the request of SourcePlugin.Configure.
func SourceConfigureRequestV2(in *connectorv2.Source_Configure_Request) cpluginv1.SourceConfigureRequest {
	return cpluginv1.SourceConfigureRequest{Config: in.GetConfig()}
}

// SourceOpenRequestV2 converts the request of SourcePlugin.Open, protocol
// v1's Start.
func SourceOpenRequestV2(in *connectorv2.Source_Open_Request) cpluginv1.SourceStartRequest {
	return cpluginv1.SourceStartRequest{Position: in.GetPosition()}
}

// SourceStopRequestV2 converts the request of SourcePlugin.Stop.
func SourceStopRequestV2(*connectorv2.Source_Stop_Request) cpluginv1.SourceStopRequest {
	return cpluginv1.SourceStopRequest{}
}

// SourceStopResponseV2 converts the response of SourcePlugin.Stop.
func SourceStopResponseV2(in *connectorv2.Source_Stop_Response) cpluginv1.SourceStopResponse {
	return cpluginv1.SourceStopResponse{LastPosition: in.GetLastPosition()}
}

// SourceTeardownRequestV2 converts the request of SourcePlugin.Teardown.
func SourceTeardownRequestV2(*connectorv2.Source_Teardown_Request) cpluginv1.SourceTeardownRequest {
	return cpluginv1.SourceTeardownRequest{}
}

// SourceLifecycleOnCreatedRequestV2 converts the request of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedRequestV2(in *connectorv2.Source_Lifecycle_OnCreated_Request) cpluginv1.SourceLifecycleOnCreatedRequest {
	return cpluginv1.SourceLifecycleOnCreatedRequest{Config: in.GetConfig()}
}

// SourceLifecycleOnUpdatedRequestV2 converts the request of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedRequestV2(in *connectorv2.Source_Lifecycle_OnUpdated_Request) cpluginv1.SourceLifecycleOnUpdatedRequest {
	return cpluginv1.SourceLifecycleOnUpdatedRequest{ConfigBefore: in.GetConfigBefore(), ConfigAfter: in.GetConfigAfter()}
}

// SourceLifecycleOnDeletedRequestV2 converts the request of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedRequestV2(in *connectorv2.Source_Lifecycle_OnDeleted_Request) cpluginv1.SourceLifecycleOnDeletedRequest {
	return cpluginv1.SourceLifecycleOnDeletedRequest{Config: in.GetConfig()}
}

// DestinationConfigureRequestV2 converts the request of
// DestinationPlugin.Configure.
func DestinationConfigureRequestV2(in *connectorv2.Destination_Configure_Request) cpluginv1.DestinationConfigureRequest {
	return cpluginv1.DestinationConfigureRequest{Config: in.GetConfig()}
}

// DestinationOpenRequestV2 converts the request of DestinationPlugin.Open,
// protocol v1's Start.
func DestinationOpenRequestV2(*connectorv2.Destination_Open_Request) cpluginv1.DestinationStartRequest {
	return cpluginv1.DestinationStartRequest{}
}

// DestinationStopRequestV2 converts the request of DestinationPlugin.Stop.
func DestinationStopRequestV2(in *connectorv2.Destination_Stop_Request) cpluginv1.DestinationStopRequest {
	return cpluginv1.DestinationStopRequest{LastPosition: in.GetLastPosition()}
}

// DestinationTeardownRequestV2 converts the request of
// DestinationPlugin.Teardown.
func DestinationTeardownRequestV2(*connectorv2.Destination_Teardown_Request) cpluginv1.DestinationTeardownRequest {
	return cpluginv1.DestinationTeardownRequest{}
}

// DestinationLifecycleOnCreatedRequestV2 converts the request of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedRequestV2(in *connectorv2.Destination_Lifecycle_OnCreated_Request) cpluginv1.DestinationLifecycleOnCreatedRequest {
	return cpluginv1.DestinationLifecycleOnCreatedRequest{Config: in.GetConfig()}
}

// DestinationLifecycleOnUpdatedRequestV2 converts the request of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedRequestV2(in *connectorv2.Destination_Lifecycle_OnUpdated_Request) cpluginv1.DestinationLifecycleOnUpdatedRequest {
	return cpluginv1.DestinationLifecycleOnUpdatedRequest{ConfigBefore: in.GetConfigBefore(), ConfigAfter: in.GetConfigAfter()}
}

// DestinationLifecycleOnDeletedRequestV2 converts the request of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedRequestV2(in *connectorv2.Destination_Lifecycle_OnDeleted_Request) cpluginv1.DestinationLifecycleOnDeletedRequest {
	return cpluginv1.DestinationLifecycleOnDeletedRequest{Config: in.GetConfig()}
}
