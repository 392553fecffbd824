package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// configKeyError is a configuration key the connector's specification does
// not declare: a usage error, reported before the connector is configured.
type configKeyError struct {
	flag     string // "--source-config"
	ref      string // the connector, as the user named it
	side     string // "source" or "destination"
	key      string
	declared []string // the parameters the specification declares, sorted
}

func (e *configKeyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s=...: %s declares no %s parameter %q", e.flag, e.key, e.ref, e.side, e.key)
	if len(e.declared) == 0 {
		fmt.Fprintf(&b, "; it declares no %s parameters at all", e.side)
		return b.String()
	}
	if s := suggest(e.key, e.declared); s != "" {
		fmt.Fprintf(&b, "; did you mean %s?", s)
	}
	fmt.Fprintf(&b, " Its %s parameters: %s (see 'cplugin spec %s')", e.side, strings.Join(e.declared, ", "), e.ref)
	return b.String()
}

// checkConfigKeys returns a *configKeyError for the first key of the given
// configurations, in order, that the specification does not declare.
// Connectors built with the Go connector SDK refuse such keys too, but
// only once configured, and in their own words.
func checkConfigKeys(ref string, spec cpluginv1.Specification, sourceConfig, destinationConfig map[string]string) error {
	sides := []struct {
		flag, side string
		given      map[string]string
		declared   map[string]cpluginv1.Parameter
	}{
		{"--source-config", "source", sourceConfig, spec.SourceParams},
		{"--destination-config", "destination", destinationConfig, spec.DestinationParams},
	}
	for _, s := range sides {
		for _, key := range slices.Sorted(maps.Keys(s.given)) {
			if !declares(s.declared, key) {
				return &configKeyError{flag: s.flag, ref: ref, side: s.side, key: key, declared: slices.Sorted(maps.Keys(s.declared))}
			}
		}
	}
	return nil
}

// declares reports whether params declares key: by its name, or by a name
// with wildcards, as connectors built with the Go connector SDK declare
// maps ("format.options.*", "collections.*.format.type"), where each "*"
// stands for a non-empty part of the key.
func declares(params map[string]cpluginv1.Parameter, key string) bool {
	if _, ok := params[key]; ok {
		return true
	}
	for name := range params {
		if strings.Contains(name, "*") && wildcardMatch(name, key) {
			return true
		}
	}
	return false
}

// wildcardMatch reports whether key matches pattern, in which each "*"
// stands for one or more characters.
func wildcardMatch(pattern, key string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(key, parts[0]) {
		return false
	}
	rest := key[len(parts[0]):]
	for i, part := range parts[1:] {
		last := i == len(parts)-2
		if last {
			return len(rest) > len(part) && strings.HasSuffix(rest, part)
		}
		// The wildcard takes at least one character before part.
		j := strings.Index(rest[min(1, len(rest)):], part)
		if j < 0 {
			return false
		}
		rest = rest[1+j+len(part):]
	}
	return rest == ""
}
