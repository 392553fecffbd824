package cpluginv1_test

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// module is the import path of this module.
const module = "github.com/connectorkit/conduit-connector-protocol"

// transportLibraries are the libraries only the standalone transports
// (packages client and server) may link.
var transportLibraries = []string{
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
	"github.com/hashicorp/go-plugin",
}

// layers says, for each package, which import paths (and everything below
// them) it must not depend on, directly or through another package, and
// why. Tests do not count: go list -deps leaves them out.
var layers = []struct {
	pkg       string
	forbidden []string
	why       string
}{
	{
		"cpluginv1", transportLibraries,
		"the types package is plain Go; the transports convert at the boundary",
	},
	{
		"cpluginv2", transportLibraries,
		"protocol v2's Go API is plain Go, as cpluginv1 is",
	},
	{
		"internal/hostrun", append(slices.Clone(transportLibraries), module+"/cpluginv1", module+"/cpluginv2"),
		"the host's Run engine serves both Go APIs, which import it, and every transport",
	},
	{
		"cpluginv1/builtin", transportLibraries,
		"a built-in connector crosses no process boundary, so the host that compiles it in links no transport",
	},
	{
		"cpluginv1/schemaregistry", transportLibraries,
		"the in-memory schema registry is used built-in too",
	},
	{
		"internal/cerrors", transportLibraries,
		"package builtin uses the error table; the gRPC status conversion is in internal/grpcerrors",
	},
	{
		"cpluginv1/pluginconfig",
		append(slices.Clone(transportLibraries), module+"/cpluginv1/client", module+"/cpluginv1/server"),
		"the values both sides of a standalone connector agree on are plain constants, which client and server share",
	},
	{
		"cpluginv1/client",
		[]string{module + "/cpluginv1/server"},
		"the host side shares only package pluginconfig with the connector side",
	},
	{
		"cpluginv1/server",
		[]string{module + "/cpluginv1/client"},
		"the connector side shares only package pluginconfig with the host side",
	},
}

// TestLayering checks the dependencies of the packages in layers with the
// go command: each failure names the chain of imports that leads from the
// package to the forbidden one, so that the import to remove is plain.
func TestLayering(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is needed to list the packages' dependencies: %v", err)
	}
	roots := make([]string, 0, len(layers))
	for _, l := range layers {
		roots = append(roots, module+"/"+l.pkg)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	// One line per package in the union of the roots' dependencies: the
	// package, then the packages it imports.
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}"}, roots...)
	out, err := exec.CommandContext(ctx, goTool, args...).Output()
	if err != nil {
		var stderr []byte
		if exitErr, ok := err.(*exec.ExitError); ok { //nolint:errorlint // Output returns it unwrapped
			stderr = exitErr.Stderr
		}
		t.Fatalf("go list: %v\n%s", err, stderr)
	}
	imports := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			imports[fields[0]] = fields[1:]
		}
	}

	for _, l := range layers {
		root := module + "/" + l.pkg
		if _, ok := imports[root]; !ok {
			t.Errorf("go list did not list %s", root)
			continue
		}
		for _, chain := range forbiddenChains(imports, root, l.forbidden) {
			for i, pkg := range chain {
				chain[i] = strings.TrimPrefix(pkg, module+"/")
			}
			t.Errorf("%s must not depend on %s (%s), but does: %s",
				l.pkg, chain[len(chain)-1], l.why, strings.Join(chain, " -> "))
		}
	}
}

// forbiddenChains walks the import graph from root, breadth first, and
// returns for each package it reaches that is forbidden (or below a
// forbidden path) one shortest chain of imports from root to it. It does
// not walk on below a forbidden package.
func forbiddenChains(imports map[string][]string, root string, forbidden []string) [][]string {
	isForbidden := func(pkg string) bool {
		return slices.ContainsFunc(forbidden, func(f string) bool {
			return pkg == f || strings.HasPrefix(pkg, f+"/")
		})
	}
	parent := map[string]string{root: ""}
	queue := []string{root}
	var chains [][]string
	for len(queue) > 0 {
		pkg := queue[0]
		queue = queue[1:]
		if isForbidden(pkg) {
			var chain []string
			for p := pkg; p != ""; p = parent[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			chains = append(chains, chain)
			continue
		}
		for _, imp := range imports[pkg] {
			if _, seen := parent[imp]; !seen {
				parent[imp] = pkg
				queue = append(queue, imp)
			}
		}
	}
	return chains
}
