package cpluginv1

import "context"

// SpecifierPlugin is implemented by every connector: it describes the
// connector and its parameters. Specify has no side effects and may be
// called at any time, also in a process started only for this call.
type SpecifierPlugin interface {
	// Specify returns the connector's specification.
	Specify(context.Context, SpecifierSpecifyRequest) (SpecifierSpecifyResponse, error)
}

// SpecifierSpecifyRequest is the request of SpecifierPlugin.Specify.
type SpecifierSpecifyRequest struct{}

// SpecifierSpecifyResponse is the response of SpecifierPlugin.Specify.
type SpecifierSpecifyResponse struct {
	Specification
}

// Specification describes a connector.
type Specification struct {
	// Name is the connector's name, unique among connectors. Required.
	Name string
	// Summary says in one line what the connector does.
	Summary string
	// Description is a longer description, in Markdown.
	Description string
	// Version is the connector's version, preferably "v"-prefixed semantic
	// versioning ("v1.2.3"). Any string is accepted, such as "(devel)".
	Version string
	// Author says who wrote the connector.
	Author string
	// DestinationParams are the parameters the destination accepts, by name.
	DestinationParams map[string]Parameter
	// SourceParams are the parameters the source accepts, by name.
	SourceParams map[string]Parameter
}

// Parameter describes one configuration parameter.
type Parameter struct {
	// Default is the value used when the user sets none; empty for none.
	Default string
	// Required is the protocol's deprecated required flag.
	//
	// Deprecated: add a Validation of type ValidationTypeRequired instead;
	// hosts treat both the same.
	Required bool
	// Description says what the parameter does, for users.
	Description string
	// Type says how to parse the parameter's string value.
	Type ParameterType
	// Validations are rules the value must satisfy, all of them.
	Validations []Validation
}

// ParameterType says how a parameter's string value is to be read. The
// values are the protocol's enum numbers.
type ParameterType int32

// The parameter types. The zero value is "unspecified" (read as a string).
const (
	// ParameterTypeUnspecified: unknown; hosts read the value as a string.
	ParameterTypeUnspecified ParameterType = 0
	// ParameterTypeString: any string.
	ParameterTypeString ParameterType = 1
	// ParameterTypeInt: a base-10 integer.
	ParameterTypeInt ParameterType = 2
	// ParameterTypeFloat: a decimal floating point number.
	ParameterTypeFloat ParameterType = 3
	// ParameterTypeBool: "true" or "false".
	ParameterTypeBool ParameterType = 4
	// ParameterTypeFile: the path of a file.
	ParameterTypeFile ParameterType = 5
	// ParameterTypeDuration: a duration as time.ParseDuration reads it.
	ParameterTypeDuration ParameterType = 6
)

// Validation is one rule a parameter's value must satisfy.
type Validation struct {
	// Type is the kind of rule.
	Type ValidationType
	// Value is the rule's argument: a decimal number for greater/less than,
	// a comma-separated list for inclusion/exclusion, a RE2 regular
	// expression for regex, unused for required.
	Value string
}

// ValidationType is the kind of a validation rule. The values are the
// protocol's enum numbers.
type ValidationType int32

// The validation types.
const (
	// ValidationTypeUnspecified: unknown; hosts ignore the rule.
	ValidationTypeUnspecified ValidationType = 0
	// ValidationTypeRequired: the value must be set and not empty.
	ValidationTypeRequired ValidationType = 1
	// ValidationTypeGreaterThan: the value is a number greater than Value.
	ValidationTypeGreaterThan ValidationType = 2
	// ValidationTypeLessThan: the value is a number less than Value.
	ValidationTypeLessThan ValidationType = 3
	// ValidationTypeInclusion: the value is one of the comma-separated
	// entries of Value.
	ValidationTypeInclusion ValidationType = 4
	// ValidationTypeExclusion: the value is none of the comma-separated
	// entries of Value.
	ValidationTypeExclusion ValidationType = 5
	// ValidationTypeRegex: the value matches the RE2 regular expression in
	// Value.
	ValidationTypeRegex ValidationType = 6
)
