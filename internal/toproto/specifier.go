package toproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
)

// SpecifierSpecifyRequest converts the request of SpecifierPlugin.Specify.
func SpecifierSpecifyRequest(cpluginv1.SpecifierSpecifyRequest) *connectorv1.Specifier_Specify_Request {
	return &connectorv1.Specifier_Specify_Request{}
}

// SpecifierSpecifyResponse converts the response of SpecifierPlugin.Specify.
func SpecifierSpecifyResponse(in cpluginv1.SpecifierSpecifyResponse) *connectorv1.Specifier_Specify_Response {
	return &connectorv1.Specifier_Specify_Response{
		Name:              in.Name,
		Summary:           in.Summary,
		Description:       in.Description,
		Version:           in.Version,
		Author:            in.Author,
		DestinationParams: parameters(in.DestinationParams),
		SourceParams:      parameters(in.SourceParams),
	}
}

func parameters(in map[string]cpluginv1.Parameter) map[string]*connectorv1.Specifier_Parameter {
	if in == nil {
		return nil
	}
	out := make(map[string]*connectorv1.Specifier_Parameter, len(in))
	for name, p := range in {
		out[name] = Parameter(p)
	}
	return out
}

// Parameter converts the description of one configuration parameter,
// including the deprecated Required flag, which older hosts still read.
func Parameter(in cpluginv1.Parameter) *connectorv1.Specifier_Parameter {
	var validations []*connectorv1.Specifier_Parameter_Validation
	if in.Validations != nil {
		validations = make([]*connectorv1.Specifier_Parameter_Validation, len(in.Validations))
		for i, v := range in.Validations {
			validations[i] = Validation(v)
		}
	}
	return &connectorv1.Specifier_Parameter{
		Default:     in.Default,
		Required:    in.Required, //nolint:staticcheck // the deprecated field is part of the wire contract and must survive conversion
		Description: in.Description,
		Type:        ParameterType(in.Type),
		Validations: validations,
	}
}

// ParameterType converts a parameter type; numbers the protocol does not
// define keep their number.
func ParameterType(in cpluginv1.ParameterType) connectorv1.Specifier_Parameter_Type {
	return connectorv1.Specifier_Parameter_Type(in)
}

// Validation converts one validation rule.
func Validation(in cpluginv1.Validation) *connectorv1.Specifier_Parameter_Validation {
	return &connectorv1.Specifier_Parameter_Validation{Type: ValidationType(in.Type), Value: in.Value}
}

// ValidationType converts a validation type; numbers the protocol does not
// define keep their number.
func ValidationType(in cpluginv1.ValidationType) connectorv1.Specifier_Parameter_Validation_Type {
	return connectorv1.Specifier_Parameter_Validation_Type(in)
}
