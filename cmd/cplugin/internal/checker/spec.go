package checker

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
)

// semver is "v"-prefixed semantic versioning 2.0.0, as Go modules use it.
var semver = regexp.MustCompile(`^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?` +
	`(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$`)

// runSpec starts the connector for the first time and checks its
// specification. It returns false if the connector did not start, in which
// case nothing else can be checked.
func (c *checker) runSpec(ctx context.Context) bool {
	inst, ok := c.launch(ctx, checkConnect)
	if !ok {
		c.skipAll(specChecks, "needs connect")
		return false
	}
	defer c.release(inst)

	resp, err := call(ctx, c.cfg.Timeout, func(ctx context.Context) (cpluginv1.SpecifierSpecifyResponse, error) {
		return inst.Specifier.Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	})
	if err != nil {
		c.res.problem(checkSpecify, "Specify "+describe(err), "")
		c.skipAll(specChecks, "needs spec.specify")
		return true
	}
	c.res.pass(checkSpecify, "")
	spec := resp.Specification
	c.spec = spec

	// The contract's rules on the name and the parameters are checked on
	// the wire (see wire.report); these checks pass unless a rule broke.
	c.res.pass(checkSpecName, fmt.Sprintf("%q", spec.Name))
	c.checkParams(spec)

	if semver.MatchString(spec.Version) {
		c.res.pass(checkSpecVersion, spec.Version)
	} else {
		c.res.problem(checkSpecVersion, fmt.Sprintf(`version %q is not "v"-prefixed semantic versioning such as "v1.2.3"; hosts accept any string, but compare and display versions that follow it`, spec.Version), "")
	}

	switch {
	case spec.Summary == "" && spec.Author == "":
		c.res.problem(checkSpecSummary, "summary and author are empty; hosts show them in their list of connectors", "")
	case spec.Summary == "":
		c.res.problem(checkSpecSummary, "summary is empty; hosts show it in their list of connectors", "")
	case spec.Author == "":
		c.res.problem(checkSpecSummary, "author is empty; hosts show it in their list of connectors", "")
	default:
		c.res.pass(checkSpecSummary, "")
	}
	return true
}

// checkParams checks what the contract states about parameters beyond its
// protovalidate rules: a regex validation holds an RE2 expression.
func (c *checker) checkParams(spec cpluginv1.Specification) {
	sides := []struct {
		name   string
		params map[string]cpluginv1.Parameter
	}{{"source", spec.SourceParams}, {"destination", spec.DestinationParams}}
	count := 0
	for _, side := range sides {
		for _, name := range slices.Sorted(maps.Keys(side.params)) {
			count++
			for _, v := range side.params[name].Validations {
				if v.Type != cpluginv1.ValidationTypeRegex {
					continue
				}
				if _, err := regexp.Compile(v.Value); err != nil {
					c.res.problem(checkSpecParams, fmt.Sprintf("%s parameter %q: the regex validation %q is not an RE2 regular expression: %v", side.name, name, v.Value, err), "")
				}
			}
		}
	}
	c.res.pass(checkSpecParams, fmt.Sprintf("%d parameters", count))
}
