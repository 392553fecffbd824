package fromproto

import (
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	opencdcv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/opencdc/v1"
	"google.golang.org/protobuf/types/known/structpb"
)

// Record converts an OpenCDC record. A nil record converts to the zero
// Record, a nil payload to a Change with neither before nor after.
func Record(in *opencdcv1.Record) cpluginv1.Record {
	if in == nil {
		return cpluginv1.Record{}
	}
	return cpluginv1.Record{
		Position:  in.Position,
		Operation: Operation(in.Operation),
		Metadata:  in.Metadata,
		Key:       Data(in.Key),
		Payload:   Change(in.Payload),
	}
}

// Operation converts an operation; numbers the protocol does not define
// keep their number.
func Operation(in opencdcv1.Operation) cpluginv1.Operation {
	return cpluginv1.Operation(in)
}

// Change converts a change. A nil change has neither before nor after.
func Change(in *opencdcv1.Change) cpluginv1.Change {
	if in == nil {
		return cpluginv1.Change{}
	}
	return cpluginv1.Change{
		Before: Data(in.Before),
		After:  Data(in.After),
	}
}

// Data converts the key or payload of a record. A nil Data or one whose
// oneof is not set is "no data" and converts to nil. Set raw data converts
// to a non-nil RawData (empty for zero bytes); set structured data converts
// to a non-nil StructuredData (empty for a nil Struct, which goes over the
// wire as an empty one).
func Data(in *opencdcv1.Data) cpluginv1.Data {
	switch d := in.GetData().(type) {
	case *opencdcv1.Data_RawData:
		if d.RawData == nil {
			return cpluginv1.RawData{}
		}
		return cpluginv1.RawData(d.RawData)
	case *opencdcv1.Data_StructuredData:
		if d.StructuredData == nil {
			return cpluginv1.StructuredData{}
		}
		return StructuredData(d.StructuredData)
	default:
		// Not set, or (from a future version of the generated code) a kind
		// this version does not know: either way no data it can represent.
		return nil
	}
}

// StructuredData converts a google.protobuf.Struct into the normalised form
// of StructuredData: numbers as float64, nested objects as map[string]any,
// lists as []any. A nil Struct converts to nil, any other Struct to a
// non-nil StructuredData.
func StructuredData(in *structpb.Struct) cpluginv1.StructuredData {
	if in == nil {
		return nil
	}
	return cpluginv1.StructuredData(structFields(in.Fields))
}

func structFields(fields map[string]*structpb.Value) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		out[k] = Value(v)
	}
	return out
}

// Value converts one google.protobuf.Value into nil, bool, string, float64,
// map[string]any or []any. A nil Value, a Value with no kind set and a null
// Value convert to nil; a nil struct or list value to an empty map or
// slice, as the wire would deliver it.
func Value(in *structpb.Value) any {
	switch k := in.GetKind().(type) {
	case *structpb.Value_NullValue:
		return nil
	case *structpb.Value_NumberValue:
		return k.NumberValue
	case *structpb.Value_StringValue:
		return k.StringValue
	case *structpb.Value_BoolValue:
		return k.BoolValue
	case *structpb.Value_StructValue:
		return structFields(k.StructValue.GetFields())
	case *structpb.Value_ListValue:
		values := k.ListValue.GetValues()
		out := make([]any, len(values))
		for i, v := range values {
			out[i] = Value(v)
		}
		return out
	default:
		return nil
	}
}
