package main

import (
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// SDK connectors declare maps with wildcards; a key such a name covers is
// declared, one it does not cover is refused.
func TestConfigKeysWithWildcards(t *testing.T) {
	t.Parallel()
	spec := cpluginv1.Specification{SourceParams: map[string]cpluginv1.Parameter{
		"format.type":               {},
		"format.options.*":          {},
		"collections.*.format.type": {},
		"collections.*.operations":  {},
	}}
	tests := map[string]bool{
		"format.type":                   true,
		"format.options.id":             true,
		"format.options.a.b":            true,
		"format.options.":               false,
		"format.option.id":              false,
		"collections.users.format.type": true,
		"collections..format.type":      false,
		"collections.users.operations":  true,
		"collections.users.other":       false,
	}
	for key, want := range tests {
		err := checkConfigKeys("c", spec, map[string]string{key: "v"}, nil)
		if got := err == nil; got != want {
			t.Errorf("key %q declared = %v (%v), want %v", key, got, err, want)
		}
	}
}
