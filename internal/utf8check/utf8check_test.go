package utf8check

import (
	"errors"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

func TestConfigAndMetadata(t *testing.T) {
	tests := []struct {
		name string
		m    map[string]string
		want string // "" for no error
	}{
		{"nil", nil, ""},
		{"valid", map[string]string{"": "", "ü": "✓", "a\tb": "line\nbreak"}, ""},
		{"value", map[string]string{"url": "caf\xe9"}, `FIELD["url"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`},
		{"key", map[string]string{"caf\xe9": "x"}, `FIELD: key "caf\xe9" is not valid UTF-8 (protobuf strings must be UTF-8)`},
		// With several bad entries the one whose key sorts first is named,
		// whatever the map's order, so that every mode names the same one.
		{"first by key", map[string]string{"z": "\xff", "b": "\xfe", "c\xff": "", "a": "ok"}, `FIELD["b"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`},
		{"truncated sequence", map[string]string{"k": "\xe2\x9c"}, `FIELD["k"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`},
		{"surrogate half", map[string]string{"k": "\xed\xa0\x80"}, `FIELD["k"]: value is not valid UTF-8 (protobuf strings must be UTF-8)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				field    string
				check    func(map[string]string) error
				sentinel error
			}{
				{"config_after", func(m map[string]string) error { return Config("config_after", m) }, cpluginv1.ErrInvalidArgument},
				{"metadata", Metadata, cpluginv1.ErrUnsupportedValue},
			} {
				for range 5 { // map order varies between runs of the loop
					err := c.check(tt.m)
					if tt.want == "" {
						if err != nil {
							t.Fatalf("%s: %v, want no error", c.field, err)
						}
						continue
					}
					want := replaceField(tt.want, c.field)
					if err == nil || err.Error() != want {
						t.Fatalf("%s: %v, want %q", c.field, err, want)
					}
					if !errors.Is(err, c.sentinel) {
						t.Fatalf("%s: %v does not wrap %v", c.field, err, c.sentinel)
					}
				}
			}
		})
	}
}

func replaceField(s, field string) string {
	const placeholder = "FIELD"
	return field + s[len(placeholder):]
}

func TestSpecification(t *testing.T) {
	valid := func() cpluginv1.Specification {
		return cpluginv1.Specification{
			Name: "n", Summary: "s", Description: "d ✓", Version: "v1", Author: "a",
			SourceParams: map[string]cpluginv1.Parameter{
				"url": {Default: "x", Description: "d", Validations: []cpluginv1.Validation{{Value: "1"}, {Value: "2"}}},
				"b":   {},
			},
			DestinationParams: map[string]cpluginv1.Parameter{"p": {}},
		}
	}
	if err := Specification(valid()); err != nil {
		t.Fatalf("valid specification: %v", err)
	}
	if err := Specification(cpluginv1.Specification{}); err != nil {
		t.Fatalf("empty specification: %v", err)
	}
	tests := []struct {
		name   string
		modify func(*cpluginv1.Specification)
		want   string
	}{
		{"name", func(s *cpluginv1.Specification) { s.Name = "\xff" }, "specification: name"},
		{"summary", func(s *cpluginv1.Specification) { s.Summary = "\xff" }, "specification: summary"},
		{"description", func(s *cpluginv1.Specification) { s.Description = "\xff" }, "specification: description"},
		{"version", func(s *cpluginv1.Specification) { s.Version = "\xff" }, "specification: version"},
		{"author", func(s *cpluginv1.Specification) { s.Author = "\xff" }, "specification: author"},
		{"name before author", func(s *cpluginv1.Specification) { s.Author, s.Name = "\xff", "\xff" }, "specification: name"},
		{"parameter default", func(s *cpluginv1.Specification) {
			p := s.SourceParams["url"]
			p.Default = "\xff"
			s.SourceParams["url"] = p
		}, `specification: source_params["url"].default`},
		{"parameter description", func(s *cpluginv1.Specification) {
			p := s.SourceParams["url"]
			p.Description = "\xff"
			s.SourceParams["url"] = p
		}, `specification: source_params["url"].description`},
		{"validation value", func(s *cpluginv1.Specification) {
			s.SourceParams["url"].Validations[1].Value = "\xff"
		}, `specification: source_params["url"].validations[1].value`},
		{"destination before source", func(s *cpluginv1.Specification) {
			s.SourceParams["url"].Validations[0].Value = "\xff"
			s.DestinationParams["p"] = cpluginv1.Parameter{Description: "\xff"}
		}, `specification: destination_params["p"].description`},
		{"first parameter by name", func(s *cpluginv1.Specification) {
			s.SourceParams["url"] = cpluginv1.Parameter{Description: "\xff"}
			s.SourceParams["b"] = cpluginv1.Parameter{Default: "\xff"}
		}, `specification: source_params["b"].default`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := valid()
			tt.modify(&spec)
			want := tt.want + " is not valid UTF-8 (protobuf strings must be UTF-8)"
			if err := Specification(spec); err == nil || err.Error() != want {
				t.Fatalf("Specification = %v, want %q", err, want)
			}
		})
	}
	spec := valid()
	spec.DestinationParams["a\xff"] = cpluginv1.Parameter{}
	want := `specification: destination_params: key "a\xff" is not valid UTF-8 (protobuf strings must be UTF-8)`
	if err := Specification(spec); err == nil || err.Error() != want {
		t.Fatalf("parameter name: Specification = %v, want %q", err, want)
	}
}

func TestText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain ✓", "plain ✓"},
		{"\uFFFD stays", "\uFFFD stays"},
		// One replacement per byte, as gRPC does in a status message (not
		// one per run, as strings.ToValidUTF8 does).
		{"a\xff\xfeb", "a\uFFFD\uFFFDb"},
		{"caf\xe9", "caf\uFFFD"},
		{"\xe2\x9c", "\uFFFD\uFFFD"}, // a truncated three-byte sequence
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
