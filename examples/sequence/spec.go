package sequence

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// Name is the connector's name in its specification.
const Name = "sequence"

// Version is the connector's version. The example versions itself like any
// connector would, independently of the module it lives in.
const Version = "v0.1.0"

// The configuration parameters of the source.
const (
	// ParamRecords is how many records the source produces; "0" means
	// unbounded.
	ParamRecords = "records"
	// ParamPayloadSize is the size of each record's payload in bytes (raw)
	// or of its "data" field in characters (structured).
	ParamPayloadSize = "payload.size"
	// ParamPayloadFormat is "raw" or "structured".
	ParamPayloadFormat = "payload.format"
	// ParamOperations is a comma-separated list of operations the records
	// cycle through: create, update, delete, snapshot.
	ParamOperations = "operations"
	// ParamBatch is how many records the source sends at once when it is
	// served through protocol v2's Go API (Source.V2): on protocol v2 they
	// travel in one message.
	ParamBatch = "batch"
)

// maxBatch bounds ParamBatch, so that a batch of the largest records stays
// under the default message size limit of 4 MiB.
const maxBatch = 1000

// maxPayloadSize keeps a record well below the 4 MiB that hosts accept by
// default (CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE), whatever the format.
const maxPayloadSize = 1 << 20

// Specification returns the generator's specification.
func Specification() cpluginv1.Specification {
	return cpluginv1.Specification{
		Name:        Name,
		Summary:     "Generates deterministic records, raw or structured, and resumes from a position.",
		Description: "A reference source connector. Record N has position \"N\" (a decimal number) and the same key and payload on every run, so a restart from a position continues without gaps or duplicates.",
		Version:     Version,
		Author:      "conduit-connector-protocol authors",
		SourceParams: map[string]cpluginv1.Parameter{
			ParamRecords: {
				Default:     "0",
				Description: "How many records to produce; 0 means unbounded.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeGreaterThan, Value: "-1"}},
			},
			ParamPayloadSize: {
				Default:     "64",
				Description: "Payload size: bytes of a raw payload, characters of the \"data\" field of a structured one.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeGreaterThan, Value: "-1"},
					{Type: cpluginv1.ValidationTypeLessThan, Value: strconv.Itoa(maxPayloadSize + 1)},
				},
			},
			ParamPayloadFormat: {
				Default:     "raw",
				Description: "Payload format: raw (bytes) or structured (an object).",
				Type:        cpluginv1.ParameterTypeString,
				Validations: []cpluginv1.Validation{{Type: cpluginv1.ValidationTypeInclusion, Value: "raw,structured"}},
			},
			ParamOperations: {
				Default:     "create",
				Description: "Comma-separated operations the records cycle through: create, update, delete, snapshot.",
				Type:        cpluginv1.ParameterTypeString,
			},
			ParamBatch: {
				Default:     "1",
				Description: "How many records to send at once; on protocol v2 they travel in one message.",
				Type:        cpluginv1.ParameterTypeInt,
				Validations: []cpluginv1.Validation{
					{Type: cpluginv1.ValidationTypeGreaterThan, Value: "0"},
					{Type: cpluginv1.ValidationTypeLessThan, Value: strconv.Itoa(maxBatch + 1)},
				},
			},
		},
	}
}

// Specifier is the generator's SpecifierPlugin.
type Specifier struct{}

var _ cpluginv1.SpecifierPlugin = Specifier{}

// Specify returns [Specification].
func (Specifier) Specify(context.Context, cpluginv1.SpecifierSpecifyRequest) (cpluginv1.SpecifierSpecifyResponse, error) {
	return cpluginv1.SpecifierSpecifyResponse{Specification: Specification()}, nil
}

// config is the parsed configuration.
type config struct {
	records     uint64 // 0: unbounded
	payloadSize int
	structured  bool
	operations  []cpluginv1.Operation
	batch       int
}

// parseConfig reads raw as the specification describes it. Unknown keys are
// rejected so that a typo does not silently fall back to a default.
func parseConfig(raw map[string]string) (config, error) {
	cfg := config{payloadSize: 64, operations: []cpluginv1.Operation{cpluginv1.OperationCreate}, batch: 1}
	for key, value := range raw {
		switch key {
		case ParamRecords:
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return config{}, fmt.Errorf("%w: %s must be a whole number >= 0, got %q", cpluginv1.ErrInvalidArgument, key, value)
			}
			cfg.records = n
		case ParamPayloadSize:
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || n > maxPayloadSize {
				return config{}, fmt.Errorf("%w: %s must be a whole number from 0 to %d, got %q", cpluginv1.ErrInvalidArgument, key, maxPayloadSize, value)
			}
			cfg.payloadSize = n
		case ParamPayloadFormat:
			switch value {
			case "raw":
				cfg.structured = false
			case "structured":
				cfg.structured = true
			default:
				return config{}, fmt.Errorf("%w: %s must be raw or structured, got %q", cpluginv1.ErrInvalidArgument, key, value)
			}
		case ParamOperations:
			ops, err := parseOperations(value)
			if err != nil {
				return config{}, fmt.Errorf("%w: %s: %w", cpluginv1.ErrInvalidArgument, key, err)
			}
			cfg.operations = ops
		case ParamBatch:
			n, err := strconv.Atoi(value)
			if err != nil || n < 1 || n > maxBatch {
				return config{}, fmt.Errorf("%w: %s must be a whole number from 1 to %d, got %q", cpluginv1.ErrInvalidArgument, key, maxBatch, value)
			}
			cfg.batch = n
		default:
			return config{}, fmt.Errorf("%w: unknown parameter %q", cpluginv1.ErrInvalidArgument, key)
		}
	}
	return cfg, nil
}

func parseOperations(list string) ([]cpluginv1.Operation, error) {
	var ops []cpluginv1.Operation
	for name := range strings.SplitSeq(list, ",") {
		switch strings.TrimSpace(name) {
		case "create":
			ops = append(ops, cpluginv1.OperationCreate)
		case "update":
			ops = append(ops, cpluginv1.OperationUpdate)
		case "delete":
			ops = append(ops, cpluginv1.OperationDelete)
		case "snapshot":
			ops = append(ops, cpluginv1.OperationSnapshot)
		default:
			return nil, fmt.Errorf("unknown operation %q (want create, update, delete or snapshot)", name)
		}
	}
	return ops, nil
}
