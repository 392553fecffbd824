package main

import (
	"fmt"
	"slices"
	"sort"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// checkConfig rejects parameters the connector does not know and required
// ones that are missing or empty, with an error wrapping
// cpluginv1.ErrInvalidArgument that names the parameter.
func checkConfig(config map[string]string, known, required []string) error {
	var unknown []string
	for name := range config {
		if !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("unknown parameters %q: %w", unknown, cpluginv1.ErrInvalidArgument)
	}
	for _, name := range required {
		if config[name] == "" {
			return fmt.Errorf("parameter %q is required: %w", name, cpluginv1.ErrInvalidArgument)
		}
	}
	return nil
}
