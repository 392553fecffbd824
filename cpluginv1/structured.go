package cpluginv1

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// ErrUnsupportedValue is wrapped by the error a transport returns when a
// record holds a value it cannot carry: [StructuredData] holding a value
// outside the supported set, or a metadata key or value that is not valid
// UTF-8.
var ErrUnsupportedValue = errors.New("unsupported structured data value")

// utf8Rule says why a string that is not valid UTF-8 cannot travel, in the
// words of every such error of the transports.
const utf8Rule = "(protobuf strings must be UTF-8)"

// maxExactInteger is 2^53: every integer of at most this magnitude has an
// exact float64 representation, and no larger range of integers does.
const maxExactInteger = 1 << 53

// StructuredData is data as a JSON-like object. On the wire it travels as a
// google.protobuf.Struct, whose numbers are IEEE 754 doubles, so only these
// Go values are supported, in built-in and standalone mode alike:
//
//   - nil, bool, and string holding valid UTF-8;
//   - float64, and float32 (becomes float64); NaN and ±Inf are not supported;
//   - int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64
//     whose value is at most 2^53 in magnitude (becomes float64, exactly);
//   - map[string]any and StructuredData (become map[string]any), whose keys
//     are valid UTF-8, and []any (stays []any), holding supported values.
//
// Every transport applies [StructuredData.Normalize] when a record crosses
// it: the receiver sees numbers as float64 and nested objects as
// map[string]any, whether the connector runs built-in or standalone. A value
// outside the set (an integer beyond 2^53, []byte, time.Time, a struct, a
// []string, a string or key that is not valid UTF-8, which protobuf cannot
// encode, ...) is never sent: a connector's Send returns an error that wraps
// [ErrUnsupportedValue] and names the offending field, and a record the host
// sends ends the Run stream with that error (Recv and Wait report it), in
// both modes alike. Encode such values yourself (for example bytes as base64
// strings, times as RFC 3339 strings) or use [RawData].
type StructuredData map[string]any

// Bytes returns the data encoded as JSON, or nil if it holds a value that
// encoding/json cannot encode.
func (d StructuredData) Bytes() []byte {
	b, err := json.Marshal(d)
	if err != nil {
		return nil
	}
	return b
}

func (StructuredData) isData() {}

// Clone returns a deep copy of d: nested maps and slices are copied, other
// values are copied as they are.
func (d StructuredData) Clone() StructuredData {
	if d == nil {
		return nil
	}
	return StructuredData(cloneMap(d))
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case StructuredData:
		return StructuredData(cloneMap(v))
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v
	}
}

// Normalize returns a deep copy of d in the form every receiver sees after a
// transport: numbers as float64, nested objects as map[string]any. It fails
// with an error wrapping [ErrUnsupportedValue] if d holds a value outside the
// supported set. A nil d stays nil.
func (d StructuredData) Normalize() (StructuredData, error) {
	if d == nil {
		return nil, nil
	}
	m, err := normalizeMap(d, "")
	if err != nil {
		return nil, err
	}
	return StructuredData(m), nil
}

func normalizeMap(m map[string]any, path string) (map[string]any, error) {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if !utf8.ValidString(k) {
			return nil, fmt.Errorf("%w: field %q holds the key %q, which is not valid UTF-8 %s", ErrUnsupportedValue, displayPath(path), k, utf8Rule)
		}
		nv, err := NormalizeStructuredValue(v, joinPath(path, k))
		if err != nil {
			return nil, err
		}
		out[k] = nv
	}
	return out, nil
}

// NormalizeStructuredValue normalises one value of [StructuredData] as
// [StructuredData.Normalize] does; path names the value in error messages
// (for example "payload.after.items[2]"). Transports use it to convert
// values one at a time.
func NormalizeStructuredValue(v any, path string) (any, error) {
	switch v := v.(type) {
	case nil, bool:
		return v, nil
	case string:
		if !utf8.ValidString(v) {
			return nil, fmt.Errorf("%w: field %q holds a string that is not valid UTF-8 %s; send bytes as RawData or encode them, for example as base64", ErrUnsupportedValue, displayPath(path), utf8Rule)
		}
		return v, nil
	case float64:
		return checkFloat(v, path)
	case float32:
		return checkFloat(float64(v), path)
	case int:
		return checkInt(int64(v), path)
	case int8:
		return float64(v), nil
	case int16:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case int64:
		return checkInt(v, path)
	case uint:
		return checkUint(uint64(v), path)
	case uint8:
		return float64(v), nil
	case uint16:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case uint64:
		return checkUint(v, path)
	case map[string]any:
		return normalizeMap(v, path)
	case StructuredData:
		return normalizeMap(v, path)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			ne, err := NormalizeStructuredValue(e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = ne
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: field %q holds a %T; use nil, bool, string, a number, map[string]any or []any", ErrUnsupportedValue, displayPath(path), v)
	}
}

func checkFloat(v float64, path string) (any, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, fmt.Errorf("%w: field %q holds %v, which JSON and google.protobuf.Struct cannot carry", ErrUnsupportedValue, displayPath(path), v)
	}
	return v, nil
}

func checkInt(v int64, path string) (any, error) {
	if v > maxExactInteger || v < -maxExactInteger {
		return nil, fmt.Errorf("%w: field %q holds the integer %d, which is beyond 2^53 and cannot travel exactly as a double; send it as a string", ErrUnsupportedValue, displayPath(path), v)
	}
	return float64(v), nil
}

func checkUint(v uint64, path string) (any, error) {
	if v > maxExactInteger {
		return nil, fmt.Errorf("%w: field %q holds the integer %d, which is beyond 2^53 and cannot travel exactly as a double; send it as a string", ErrUnsupportedValue, displayPath(path), v)
	}
	return float64(v), nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func displayPath(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}
