package builtin

import (
	"bytes"
	"fmt"
	"maps"
	"slices"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/internal/utf8check"
)

// The functions below give the receiver of a request, response or record
// its own copy, as decoding a message on the other side of gRPC does, so
// that the host and the connector never share a map, slice or record. They
// also give it the form decoding gives: a map, byte slice or list that is
// empty arrives as nil, because protobuf does not tell an empty one from an
// absent one. Strings that are not valid UTF-8, which protobuf cannot
// encode, are refused or replaced as the gRPC transports do (see package
// utf8check): the configuration by the wrappers' methods, the metadata by
// normalizeRecord, the specification in Specify, and the error of an ack in
// destinationStream.Send.

func copyConfig(config map[string]string) map[string]string {
	if len(config) == 0 {
		return nil
	}
	return maps.Clone(config)
}

func copyPosition(position []byte) []byte {
	if len(position) == 0 {
		return nil
	}
	return bytes.Clone(position)
}

func copySpecification(spec cpluginv1.Specification) cpluginv1.Specification {
	spec.DestinationParams = copyParameters(spec.DestinationParams)
	spec.SourceParams = copyParameters(spec.SourceParams)
	return spec
}

func copyParameters(params map[string]cpluginv1.Parameter) map[string]cpluginv1.Parameter {
	if len(params) == 0 {
		return nil
	}
	out := make(map[string]cpluginv1.Parameter, len(params))
	for name, param := range params {
		if len(param.Validations) == 0 {
			param.Validations = nil
		} else {
			param.Validations = slices.Clone(param.Validations)
		}
		out[name] = param
	}
	return out
}

// normalizeRecord returns a deep copy of r with its structured data
// normalised as encoding it for gRPC and decoding it again would (see
// cpluginv1.StructuredData). It fails with an error wrapping
// cpluginv1.ErrUnsupportedValue if r holds a value that cannot cross: a
// metadata entry that is not valid UTF-8, or structured data outside the
// supported set, checked in the order toproto.Record checks them, so that a
// record with several faults gets the same error in both modes.
func normalizeRecord(r cpluginv1.Record) (cpluginv1.Record, error) {
	if err := utf8check.Metadata(r.Metadata); err != nil {
		return cpluginv1.Record{}, err
	}
	key, err := normalizeData(r.Key, "key")
	if err != nil {
		return cpluginv1.Record{}, err
	}
	before, err := normalizeData(r.Payload.Before, "payload.before")
	if err != nil {
		return cpluginv1.Record{}, err
	}
	after, err := normalizeData(r.Payload.After, "payload.after")
	if err != nil {
		return cpluginv1.Record{}, err
	}
	return cpluginv1.Record{
		Position:  copyPosition(r.Position),
		Operation: r.Operation,
		Metadata:  copyConfig(r.Metadata),
		Key:       key,
		Payload:   cpluginv1.Change{Before: before, After: after},
	}, nil
}

// normalizeData copies d as encoding and decoding would: a nil interface
// is "no data", while RawData and StructuredData, even nil ones, are data
// (on the wire the oneof is set), so they arrive non-nil and possibly empty.
func normalizeData(d cpluginv1.Data, path string) (cpluginv1.Data, error) {
	switch d := d.(type) {
	case nil:
		return nil, nil
	case cpluginv1.RawData:
		return append(cpluginv1.RawData{}, d...), nil
	case cpluginv1.StructuredData:
		if d == nil {
			return cpluginv1.StructuredData{}, nil
		}
		v, err := cpluginv1.NormalizeStructuredValue(map[string]any(d), path)
		if err != nil {
			return nil, err
		}
		return cpluginv1.StructuredData(v.(map[string]any)), nil
	default:
		// Only a type embedding RawData or StructuredData gets here; the
		// wire knows only the two.
		return nil, fmt.Errorf("%w: field %q holds data of type %T; use RawData or StructuredData", cpluginv1.ErrUnsupportedValue, path, d)
	}
}
