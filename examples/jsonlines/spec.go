package jsonlines

import (
	"context"
	"fmt"
	"strconv"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Name is the connector's name in its specification.
const Name = "jsonlines"

// Version is the connector's version. The example versions itself like any
// connector would, independently of the module it lives in.
const Version = "v0.1.0"

// The configuration parameters of the destination.
const (
	// ParamPath is the file the records are appended to; empty discards
	// them.
	ParamPath = "path"
	// ParamMaxLineSize is the largest line, in bytes, the destination
	// writes; a record whose line is longer gets a negative ack. "0" means
	// no limit.
	ParamMaxLineSize = "max.line.size"
)

// Specification returns the file connector's specification.
func Specification() cpluginv1.Specification {
	return cpluginv1.Specification{
		Name:        Name,
		Summary:     "Writes records as JSON Lines to a file, or discards them.",
		Description: "A reference destination connector. Each record becomes one line of JSON with the fields position, operation, metadata, key and payload (before, after); bytes are base64 strings and structured data stays an object. Acks keep the order of the records; a record whose line would exceed max.line.size gets a negative ack.",
		Version:     Version,
		Author:      "conduit-connector-protocol authors",
		DestinationParams: map[string]cpluginv1.Parameter{
			ParamPath: {
				Description: "The file to append the records to, created if missing. Empty discards the records.",
				Type:        cpluginv1.ParameterTypeFile,
			},
			ParamMaxLineSize: {
				Default:     "0",
				Description: "The largest line in bytes; a longer record gets a negative ack. 0 means no limit.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "-1"}},
			},
		},
	}
}

// Specifier is the file connector's SpecifierPlugin.
type Specifier struct{}

var _ cpluginv1.SpecifierPlugin = Specifier{}

// Specify returns [Specification].
func (Specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: Specification()}, nil
}

type config struct {
	path        string // empty: discard
	maxLineSize int    // 0: no limit
}

// parseConfig reads raw as the specification describes it. Unknown keys are
// rejected so that a typo does not silently fall back to a default.
func parseConfig(raw map[string]string) (config, error) {
	var cfg config
	for key, value := range raw {
		switch key {
		case ParamPath:
			cfg.path = value
		case ParamMaxLineSize:
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return config{}, fmt.Errorf("%w: %s must be a whole number >= 0, got %q", cpluginv1.ErrInvalidArgument, key, value)
			}
			cfg.maxLineSize = n
		default:
			return config{}, fmt.Errorf("%w: unknown parameter %q", cpluginv1.ErrInvalidArgument, key)
		}
	}
	return cfg, nil
}
