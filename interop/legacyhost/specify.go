package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/conduitio/conduit-commons/config"
	"github.com/conduitio/conduit-connector-protocol/pconnector"

	"github.com/connectorkit/conduit-connector-protocol/interop/internal/contract"
)

func specify(ctx context.Context, opts options) error {
	p, err := launch(opts, opts.connector)
	if err != nil {
		return err
	}
	defer p.close()
	specifier, err := dispense[pconnector.SpecifierPlugin](p, "specifier")
	if err != nil {
		return err
	}
	resp, err := specifier.Specify(ctx, pconnector.SpecifierSpecifyRequest{})
	if err != nil {
		return fmt.Errorf("specify: %w", err)
	}
	spec := resp.Specification
	if spec.Name != opts.name || spec.Version != contract.Version {
		return fmt.Errorf("specification names %s %s, want %s %s", spec.Name, spec.Version, opts.name, contract.Version)
	}
	checks := []struct {
		params   config.Parameters
		name     string
		typ      config.ParameterType
		def      string
		validity config.ValidationType
		value    string
	}{
		{spec.SourceParams, contract.ParamRecords, config.ParameterTypeInt, contract.RecordsDefault, config.ValidationTypeGreaterThan, "-1"},
		{spec.SourceParams, contract.ParamAcksFile, config.ParameterTypeString, "", config.ValidationTypeRequired, ""},
		{spec.DestinationParams, contract.ParamOutputFile, config.ParameterTypeString, "", config.ValidationTypeRequired, ""},
	}
	for _, c := range checks {
		param, ok := c.params[c.name]
		if !ok {
			return fmt.Errorf("parameter %q missing from the specification", c.name)
		}
		if param.Type != c.typ || param.Default != c.def || param.Description == "" {
			return fmt.Errorf("parameter %q: type %v, default %q, description %q; want type %v, default %q and a description",
				c.name, param.Type, param.Default, param.Description, c.typ, c.def)
		}
		if !slices.ContainsFunc(param.Validations, func(v config.Validation) bool {
			return v.Type() == c.validity && v.Value() == c.value
		}) {
			return fmt.Errorf("parameter %q: validations %v lack %v %q", c.name, param.Validations, c.validity, c.value)
		}
	}
	if _, ok := spec.DestinationParams[contract.ParamNackPosition]; !ok {
		return fmt.Errorf("parameter %q missing from the specification", contract.ParamNackPosition)
	}
	emit(map[string]any{
		"step":               "specify",
		"protocol_version":   p.client.NegotiatedVersion(),
		"name":               spec.Name,
		"version":            spec.Version,
		"source_params":      len(spec.SourceParams),
		"destination_params": len(spec.DestinationParams),
	})
	return nil
}
