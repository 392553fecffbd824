package utf8check

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// rule ends every message: it says why the string was refused.
const rule = "(protobuf strings must be UTF-8)"

// Config returns nil if every key and value of config, the configuration
// map in the request field named field (for example "config_after"), is
// valid UTF-8, and otherwise an error naming the first offending entry that
// wraps cpluginv1.ErrInvalidArgument.
func Config(field string, config map[string]string) error {
	return stringMap(field, config, cpluginv1.ErrInvalidArgument)
}

// Metadata returns nil if every key and value of a record's metadata is
// valid UTF-8, and otherwise an error naming the first offending entry that
// wraps cpluginv1.ErrUnsupportedValue, as the error for structured data that
// cannot cross does.
func Metadata(metadata map[string]string) error {
	return stringMap("metadata", metadata, cpluginv1.ErrUnsupportedValue)
}

func stringMap(field string, m map[string]string, sentinel error) error {
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return &invalidError{msg: firstInvalid(field, m), sentinel: sentinel}
		}
	}
	return nil
}

// firstInvalid describes the invalid entry of m whose key sorts first.
func firstInvalid(field string, m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return field + ": key " + strconv.Quote(k) + " is not valid UTF-8 " + rule
		}
		if !utf8.ValidString(m[k]) {
			return field + "[" + strconv.Quote(k) + "]: value is not valid UTF-8 " + rule
		}
	}
	return field + ": not valid UTF-8 " + rule // unreachable: m holds an invalid entry
}

// Specification returns nil if every string of spec is valid UTF-8, and
// otherwise an error naming the first offending field by its protobuf name,
// for example `specification: source_params["url"].description is not
// valid UTF-8`. The error wraps none of the sentinels: the connector
// answered with something it cannot send, which hosts see as INTERNAL.
func Specification(spec cpluginv1.Specification) error {
	for _, f := range []struct{ name, value string }{
		{"name", spec.Name},
		{"summary", spec.Summary},
		{"description", spec.Description},
		{"version", spec.Version},
		{"author", spec.Author},
	} {
		if !utf8.ValidString(f.value) {
			return invalidField(f.name)
		}
	}
	if err := parameters("destination_params", spec.DestinationParams); err != nil {
		return err
	}
	return parameters("source_params", spec.SourceParams)
}

func parameters(field string, params map[string]cpluginv1.Parameter) error {
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !utf8.ValidString(name) {
			return errors.New("specification: " + field + ": key " + strconv.Quote(name) + " is not valid UTF-8 " + rule)
		}
		p := params[name]
		prefix := field + "[" + strconv.Quote(name) + "]."
		if !utf8.ValidString(p.Default) {
			return invalidField(prefix + "default")
		}
		if !utf8.ValidString(p.Description) {
			return invalidField(prefix + "description")
		}
		for i, v := range p.Validations {
			if !utf8.ValidString(v.Value) {
				return invalidField(prefix + "validations[" + strconv.Itoa(i) + "].value")
			}
		}
	}
	return nil
}

func invalidField(path string) error {
	return errors.New("specification: " + path + " is not valid UTF-8 " + rule)
}

// Text returns s with each byte that is not part of valid UTF-8 replaced by
// U+FFFD, one replacement per byte, as gRPC does with a status message; s
// itself if it is valid UTF-8.
func Text(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		// Ranging over a string yields utf8.RuneError for every byte that
		// is not part of a valid sequence, one at a time.
		b.WriteRune(r)
	}
	return b.String()
}

// invalidError is the error for data that is not valid UTF-8: its message
// names the field, and errors.Is reports the sentinel it wraps.
type invalidError struct {
	msg      string
	sentinel error
}

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return e.sentinel }
