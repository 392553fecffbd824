package contract_test

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
)

// protovalidateProtoModule is the Go module that carries
// buf/validate/validate.proto. The runtime validator (this package, through
// ../go.mod) compiles its rules against the descriptor in that module, and
// the tools (../tools/go.mod) use the same version. buf compiles the
// contract with third_party/protovalidate/buf/validate/validate.proto, which
// internal/bufcheck holds to that module's descriptor. If the versions
// differ, buf could accept rules the runtime does not know, or the other way
// round.
const protovalidateProtoModule = "buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go"

func TestProtovalidateModuleVersionsMatch(t *testing.T) {
	main := readModuleDirectives(t, "../go.mod", protovalidateProtoModule)
	tools := readModuleDirectives(t, "../tools/go.mod", protovalidateProtoModule)
	if main.require == "" {
		t.Fatalf("../go.mod does not require %s", protovalidateProtoModule)
	}
	if main.require != tools.require {
		t.Errorf("%s: ../go.mod requires %s, ../tools/go.mod requires %s; pin the same version in both",
			protovalidateProtoModule, main.require, tools.require)
	}
	if main.replace != tools.replace {
		t.Errorf("%s: replaced by %q in ../go.mod but by %q in ../tools/go.mod",
			protovalidateProtoModule, main.replace, tools.replace)
	}
}

// moduleDirectives are a module's require version and replacement (the part
// after "=>") in one go.mod file; empty when absent.
type moduleDirectives struct {
	require string
	replace string
}

// readModuleDirectives finds module's require and replace directives in a
// go.mod file, in both the one-line and the block form. It is a deliberately
// small parser (golang.org/x/mod is not a dependency of the main module):
// go.mod files here are formatted by the go command, one directive per line.
func readModuleDirectives(t *testing.T, path, module string) moduleDirectives {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	var found moduleDirectives
	block := ""
	scanner := bufio.NewScanner(bytes.NewReader(data))
	for scanner.Scan() {
		line, _, _ := strings.Cut(scanner.Text(), "//")
		fields := strings.Fields(line)
		switch {
		case len(fields) == 0:
			continue
		case len(fields) == 2 && fields[1] == "(":
			block = fields[0]
			continue
		case fields[0] == ")":
			block = ""
			continue
		}
		verb := block
		if verb == "" {
			verb, fields = fields[0], fields[1:]
		}
		if len(fields) == 0 || fields[0] != module {
			continue
		}
		switch verb {
		case "require":
			if len(fields) != 2 {
				t.Fatalf("%s: cannot read require line %q", path, scanner.Text())
			}
			if found.require != "" {
				t.Fatalf("%s: %s is required twice", path, module)
			}
			found.require = fields[1]
		case "replace":
			_, target, ok := strings.Cut(line, "=>")
			if !ok {
				t.Fatalf("%s: cannot read replace line %q", path, scanner.Text())
			}
			found.replace = strings.Join(strings.Fields(target), " ")
		}
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return found
}

// TestReadModuleDirectives checks the small go.mod parser on the forms the
// go command writes, so the version test above cannot pass by reading
// nothing.
func TestReadModuleDirectives(t *testing.T) {
	const module = "example.com/m"
	tests := []struct {
		name string
		mod  string
		want moduleDirectives
	}{
		{"block", "module x\n\nrequire (\n\texample.com/other v1.0.0\n\texample.com/m v1.2.3 // indirect\n)\n", moduleDirectives{require: "v1.2.3"}},
		{"one line", "module x\nrequire example.com/m v0.0.0-2026-abc.2\n", moduleDirectives{require: "v0.0.0-2026-abc.2"}},
		{"replace", "module x\nrequire example.com/m v1.0.0\nreplace example.com/m v1.0.0 => ../m\n", moduleDirectives{require: "v1.0.0", replace: "../m"}},
		{"prefix is another module", "module x\nrequire example.com/m/sub v1.0.0\n", moduleDirectives{}},
		{"absent", "module x\n", moduleDirectives{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := t.TempDir() + "/go.mod"
			if err := os.WriteFile(path, []byte(tc.mod), 0o600); err != nil {
				t.Fatal(err)
			}
			if got := readModuleDirectives(t, path, module); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
