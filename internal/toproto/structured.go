package toproto

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"google.golang.org/protobuf/types/known/structpb"
)

// StructuredData converts structured data into a google.protobuf.Struct,
// normalising it on the way as [cpluginv1.StructuredData.Normalize] does,
// without building the normalised copy first. A nil StructuredData converts
// to a nil Struct. It fails with the error Normalize returns if the data
// holds an unsupported value.
func StructuredData(in cpluginv1.StructuredData) (*structpb.Struct, error) {
	return structuredData(in, "")
}

// structuredData converts in; path names in within the message being
// converted ("" for the root) and is used only to report an error.
func structuredData(in cpluginv1.StructuredData, path string) (*structpb.Struct, error) {
	if in == nil {
		return nil, nil
	}
	s, err := structFields(in)
	if err != nil {
		// The conversion does not track where it is, so that no path is
		// built per field on the hot path. Now that there is an error,
		// normalise again with the path: that gives the error naming the
		// field, in the very words the built-in transport uses.
		if _, pathErr := cpluginv1.NormalizeStructuredValue(in, path); pathErr != nil {
			return nil, pathErr
		}
		// Unreachable while both conversions share the rules of
		// NormalizeStructuredValue; kept so that a divergence is an error
		// rather than a silent success.
		return nil, err
	}
	return s, nil
}

// errInvalidKey reports a key that is not valid UTF-8; structuredData
// replaces it by NormalizeStructuredValue's error, which names the field.
var errInvalidKey = fmt.Errorf("%w: a key is not valid UTF-8", cpluginv1.ErrUnsupportedValue)

func structFields(in map[string]any) (*structpb.Struct, error) {
	fields := make(map[string]*structpb.Value, len(in))
	for k, v := range in {
		if !utf8.ValidString(k) {
			return nil, errInvalidKey
		}
		pv, err := value(v)
		if err != nil {
			return nil, err
		}
		fields[k] = pv
	}
	return &structpb.Struct{Fields: fields}, nil
}

func listValues(in []any) (*structpb.ListValue, error) {
	values := make([]*structpb.Value, len(in))
	for i, v := range in {
		pv, err := value(v)
		if err != nil {
			return nil, err
		}
		values[i] = pv
	}
	return &structpb.ListValue{Values: values}, nil
}

// value converts one value. Containers are walked here so that they are
// copied once, into proto messages; valid UTF-8 strings and finite float64
// numbers, which the rules accept as they are, are converted directly; every other
// value goes through cpluginv1.NormalizeStructuredValue, the single home of
// the rules.
func value(v any) (*structpb.Value, error) {
	switch v := v.(type) {
	case map[string]any:
		return structValue(v)
	case cpluginv1.StructuredData:
		return structValue(v)
	case []any:
		return listValue(v)
	case string:
		// A string that is not valid UTF-8 goes to NormalizeStructuredValue
		// for the error.
		if utf8.ValidString(v) {
			return stringValue(v), nil
		}
	case float64:
		// Most numbers in structured data are float64 already. Finite ones
		// are taken as they are: asking NormalizeStructuredValue would box
		// the number again, one allocation per number for nothing. Any other
		// float64 goes to it for the verdict, so the rules stay there.
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			return numberValue(v), nil
		}
	}
	// The path is left empty: structuredData asks again with the path if
	// this fails.
	nv, err := cpluginv1.NormalizeStructuredValue(v, "")
	if err != nil {
		return nil, err
	}
	switch nv := nv.(type) {
	case nil:
		return nullValue(), nil
	case bool:
		return boolValue(nv), nil
	case string:
		return stringValue(nv), nil
	case float64:
		return numberValue(nv), nil
	case map[string]any, []any:
		// A container type the rules accept but this switch does not walk
		// itself (none today): convert its normalised copy.
		return value(nv)
	default:
		return nil, fmt.Errorf("%w: normalising %T gave %T, which has no google.protobuf.Value kind", cpluginv1.ErrUnsupportedValue, v, nv)
	}
}

func structValue(in map[string]any) (*structpb.Value, error) {
	s, err := structFields(in)
	if err != nil {
		return nil, err
	}
	return structKindValue(s), nil
}

func listValue(in []any) (*structpb.Value, error) {
	l, err := listValues(in)
	if err != nil {
		return nil, err
	}
	return listKindValue(l), nil
}

// The constructors below allocate a Value together with its kind wrapper:
// one allocation per value instead of two, which is most of the cost of
// converting structured data.

func nullValue() *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_NullValue
	}{}
	b.value.Kind = &b.kind
	return &b.value
}

func boolValue(v bool) *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_BoolValue
	}{kind: structpb.Value_BoolValue{BoolValue: v}}
	b.value.Kind = &b.kind
	return &b.value
}

func stringValue(v string) *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_StringValue
	}{kind: structpb.Value_StringValue{StringValue: v}}
	b.value.Kind = &b.kind
	return &b.value
}

func numberValue(v float64) *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_NumberValue
	}{kind: structpb.Value_NumberValue{NumberValue: v}}
	b.value.Kind = &b.kind
	return &b.value
}

func structKindValue(v *structpb.Struct) *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_StructValue
	}{kind: structpb.Value_StructValue{StructValue: v}}
	b.value.Kind = &b.kind
	return &b.value
}

func listKindValue(v *structpb.ListValue) *structpb.Value {
	b := &struct {
		value structpb.Value
		kind  structpb.Value_ListValue
	}{kind: structpb.Value_ListValue{ListValue: v}}
	b.value.Kind = &b.kind
	return &b.value
}
