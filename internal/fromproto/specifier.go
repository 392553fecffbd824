package fromproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// SpecifierSpecifyRequest converts the request of SpecifierPlugin.Specify.
func SpecifierSpecifyRequest(*connectorv1.Specifier_Specify_Request) cpluginv1.SpecifierSpecifyRequest {
	return cpluginv1.SpecifierSpecifyRequest{}
}

// SpecifierSpecifyResponse converts the response of SpecifierPlugin.Specify.
// Parameter maps that are empty on the wire convert to nil.
func SpecifierSpecifyResponse(in *connectorv1.Specifier_Specify_Response) cpluginv1.SpecifierSpecifyResponse {
	if in == nil {
		return cpluginv1.SpecifierSpecifyResponse{}
	}
	return cpluginv1.SpecifierSpecifyResponse{Specification: cpluginv1.Specification{
		Name:              in.Name,
		Summary:           in.Summary,
		Description:       in.Description,
		Version:           in.Version,
		Author:            in.Author,
		DestinationParams: parameters(in.DestinationParams),
		SourceParams:      parameters(in.SourceParams),
	}}
}

func parameters(in map[string]*connectorv1.Specifier_Parameter) map[string]cpluginv1.Parameter {
	if in == nil {
		return nil
	}
	out := make(map[string]cpluginv1.Parameter, len(in))
	for name, p := range in {
		out[name] = Parameter(p)
	}
	return out
}

// Parameter converts the description of one configuration parameter. A nil
// parameter converts to the zero Parameter, a nil validation in the list to
// the zero Validation (of unspecified type, which hosts ignore).
func Parameter(in *connectorv1.Specifier_Parameter) cpluginv1.Parameter {
	if in == nil {
		return cpluginv1.Parameter{}
	}
	var validations []cpluginv1.Validation
	if in.Validations != nil {
		validations = make([]cpluginv1.Validation, len(in.Validations))
		for i, v := range in.Validations {
			validations[i] = Validation(v)
		}
	}
	return cpluginv1.Parameter{
		Default:     in.Default,
		Required:    in.Required, //nolint:staticcheck // the deprecated field is part of the wire contract and must survive conversion
		Description: in.Description,
		Type:        ParameterType(in.Type),
		Validations: validations,
	}
}

// ParameterType converts a parameter type; numbers the protocol does not
// define keep their number.
func ParameterType(in connectorv1.Specifier_Parameter_Type) cpluginv1.ParameterType {
	return cpluginv1.ParameterType(in)
}

// Validation converts one validation rule. A nil rule converts to the zero
// Validation.
func Validation(in *connectorv1.Specifier_Parameter_Validation) cpluginv1.Validation {
	return cpluginv1.Validation{Type: ValidationType(in.GetType()), Value: in.GetValue()}
}

// ValidationType converts a validation type; numbers the protocol does not
// define keep their number.
func ValidationType(in connectorv1.Specifier_Parameter_Validation_Type) cpluginv1.ValidationType {
	return cpluginv1.ValidationType(in)
}
