package toproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	configv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/config/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// The converters of the cpluginv1 types into the messages of protocol v2
// (packages connectorv2 and configv1), one per message, named after the
// message with the suffix V2. The cpluginv1 Start types convert to
// protocol v2's Open. The Run streams' messages are not here: the
// transports' codec (package wire) encodes them straight from the Go types.

// SpecifierSpecifyResponseV2 converts the response of
// SpecifierPlugin.Specify (see [SpecificationV2]).
func SpecifierSpecifyResponseV2(in cpluginv1.SpecifierSpecifyResponse) *connectorv2.Specifier_Specify_Response {
	return &connectorv2.Specifier_Specify_Response{Specification: SpecificationV2(in.Specification)}
}

// SpecificationV2 converts a connector's specification; its parameters
// convert with [ParameterV2].
func SpecificationV2(in cpluginv1.Specification) *connectorv2.Specification {
	return &connectorv2.Specification{
		Name:              in.Name,
		Summary:           in.Summary,
		Description:       in.Description,
		Version:           in.Version,
		Author:            in.Author,
		DestinationParams: parametersV2(in.DestinationParams),
		SourceParams:      parametersV2(in.SourceParams),
	}
}

func parametersV2(in map[string]cpluginv1.Parameter) map[string]*configv1.Parameter {
	if in == nil {
		return nil
	}
	out := make(map[string]*configv1.Parameter, len(in))
	for name, p := range in {
		out[name] = ParameterV2(p)
	}
	return out
}

// ParameterV2 converts the description of one configuration parameter to
// protocol v2's config.v1.Parameter, which has no required flag: the
// deprecated Required flag becomes a validation of type required, appended
// to the validations unless they hold one already. Types and validation
// types the protocol does not define keep their number.
func ParameterV2(in cpluginv1.Parameter) *configv1.Parameter {
	var validations []*configv1.Validation
	required := in.Required //nolint:staticcheck // the deprecated flag still means "required" and must survive conversion
	if in.Validations != nil || required {
		validations = make([]*configv1.Validation, 0, len(in.Validations)+1)
		for _, v := range in.Validations {
			if v.Type == cpluginv1.ValidationTypeRequired {
				required = false // present already
			}
			validations = append(validations, ValidationV2(v))
		}
		if required {
			validations = append(validations, &configv1.Validation{Type: configv1.Validation_TYPE_REQUIRED})
		}
	}
	return &configv1.Parameter{
		Default:     in.Default,
		Description: in.Description,
		Type:        configv1.Parameter_Type(in.Type),
		Validations: validations,
	}
}

// ValidationV2 converts one validation rule to protocol v2's
// config.v1.Validation.
func ValidationV2(in cpluginv1.Validation) *configv1.Validation {
	return &configv1.Validation{Type: configv1.Validation_Type(in.Type), Value: in.Value}
}

// SourceConfigureRequestV2 converts the request of SourcePlugin.Configure.
func SourceConfigureRequestV2(in cpluginv1.SourceConfigureRequest) *connectorv2.Source_Configure_Request {
	return &connectorv2.Source_Configure_Request{Config: in.Config}
}

// SourceConfigureResponseV2 converts the response of SourcePlugin.Configure.
func SourceConfigureResponseV2(cpluginv1.SourceConfigureResponse) *connectorv2.Source_Configure_Response {
	return &connectorv2.Source_Configure_Response{}
}

// SourceOpenRequestV2 converts the request of SourcePlugin.Start to the
// request of protocol v2's Open.
func SourceOpenRequestV2(in cpluginv1.SourceStartRequest) *connectorv2.Source_Open_Request {
	return &connectorv2.Source_Open_Request{Position: in.Position}
}

// SourceOpenResponseV2 converts the response of SourcePlugin.Start to the
// response of protocol v2's Open.
func SourceOpenResponseV2(cpluginv1.SourceStartResponse) *connectorv2.Source_Open_Response {
	return &connectorv2.Source_Open_Response{}
}

// SourceStopResponseV2 converts the response of SourcePlugin.Stop.
func SourceStopResponseV2(in cpluginv1.SourceStopResponse) *connectorv2.Source_Stop_Response {
	return &connectorv2.Source_Stop_Response{LastPosition: in.LastPosition}
}

// SourceTeardownResponseV2 converts the response of SourcePlugin.Teardown.
func SourceTeardownResponseV2(cpluginv1.SourceTeardownResponse) *connectorv2.Source_Teardown_Response {
	return &connectorv2.Source_Teardown_Response{}
}

// SourceLifecycleOnCreatedResponseV2 converts the response of
// SourcePlugin.LifecycleOnCreated.
func SourceLifecycleOnCreatedResponseV2(cpluginv1.SourceLifecycleOnCreatedResponse) *connectorv2.Source_Lifecycle_OnCreated_Response {
	return &connectorv2.Source_Lifecycle_OnCreated_Response{}
}

// SourceLifecycleOnUpdatedRequestV2 converts the request of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedRequestV2(in cpluginv1.SourceLifecycleOnUpdatedRequest) *connectorv2.Source_Lifecycle_OnUpdated_Request {
	return &connectorv2.Source_Lifecycle_OnUpdated_Request{ConfigBefore: in.ConfigBefore, ConfigAfter: in.ConfigAfter}
}

// SourceLifecycleOnUpdatedResponseV2 converts the response of
// SourcePlugin.LifecycleOnUpdated.
func SourceLifecycleOnUpdatedResponseV2(cpluginv1.SourceLifecycleOnUpdatedResponse) *connectorv2.Source_Lifecycle_OnUpdated_Response {
	return &connectorv2.Source_Lifecycle_OnUpdated_Response{}
}

// SourceLifecycleOnDeletedRequestV2 converts the request of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedRequestV2(in cpluginv1.SourceLifecycleOnDeletedRequest) *connectorv2.Source_Lifecycle_OnDeleted_Request {
	return &connectorv2.Source_Lifecycle_OnDeleted_Request{Config: in.Config}
}

// SourceLifecycleOnDeletedResponseV2 converts the response of
// SourcePlugin.LifecycleOnDeleted.
func SourceLifecycleOnDeletedResponseV2(cpluginv1.SourceLifecycleOnDeletedResponse) *connectorv2.Source_Lifecycle_OnDeleted_Response {
	return &connectorv2.Source_Lifecycle_OnDeleted_Response{}
}

// DestinationConfigureResponseV2 converts the response of
// DestinationPlugin.Configure.
func DestinationConfigureResponseV2(cpluginv1.DestinationConfigureResponse) *connectorv2.Destination_Configure_Response {
	return &connectorv2.Destination_Configure_Response{}
}

// DestinationOpenResponseV2 converts the response of
// DestinationPlugin.Start to the response of protocol v2's Open.
func DestinationOpenResponseV2(cpluginv1.DestinationStartResponse) *connectorv2.Destination_Open_Response {
	return &connectorv2.Destination_Open_Response{}
}

// DestinationStopRequestV2 converts the request of DestinationPlugin.Stop.
func DestinationStopRequestV2(in cpluginv1.DestinationStopRequest) *connectorv2.Destination_Stop_Request {
	return &connectorv2.Destination_Stop_Request{LastPosition: in.LastPosition}
}

// DestinationStopResponseV2 converts the response of DestinationPlugin.Stop.
func DestinationStopResponseV2(cpluginv1.DestinationStopResponse) *connectorv2.Destination_Stop_Response {
	return &connectorv2.Destination_Stop_Response{}
}

// DestinationTeardownResponseV2 converts the response of
// DestinationPlugin.Teardown.
func DestinationTeardownResponseV2(cpluginv1.DestinationTeardownResponse) *connectorv2.Destination_Teardown_Response {
	return &connectorv2.Destination_Teardown_Response{}
}

// DestinationLifecycleOnCreatedRequestV2 converts the request of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedRequestV2(in cpluginv1.DestinationLifecycleOnCreatedRequest) *connectorv2.Destination_Lifecycle_OnCreated_Request {
	return &connectorv2.Destination_Lifecycle_OnCreated_Request{Config: in.Config}
}

// DestinationLifecycleOnCreatedResponseV2 converts the response of
// DestinationPlugin.LifecycleOnCreated.
func DestinationLifecycleOnCreatedResponseV2(cpluginv1.DestinationLifecycleOnCreatedResponse) *connectorv2.Destination_Lifecycle_OnCreated_Response {
	return &connectorv2.Destination_Lifecycle_OnCreated_Response{}
}

// DestinationLifecycleOnUpdatedResponseV2 converts the response of
// DestinationPlugin.LifecycleOnUpdated.
func DestinationLifecycleOnUpdatedResponseV2(cpluginv1.DestinationLifecycleOnUpdatedResponse) *connectorv2.Destination_Lifecycle_OnUpdated_Response {
	return &connectorv2.Destination_Lifecycle_OnUpdated_Response{}
}

// DestinationLifecycleOnDeletedResponseV2 converts the response of
// DestinationPlugin.LifecycleOnDeleted.
func DestinationLifecycleOnDeletedResponseV2(cpluginv1.DestinationLifecycleOnDeletedResponse) *connectorv2.Destination_Lifecycle_OnDeleted_Response {
	return &connectorv2.Destination_Lifecycle_OnDeleted_Response{}
}
