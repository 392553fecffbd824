// Command protovalidate-proto copies buf/validate/validate.proto and its
// license, unchanged, from the protovalidate source module into the
// directory given with -out (third_party/protovalidate, committed).
//
// The contract imports buf/validate/validate.proto. The file is committed, so
// buf works from a fresh clone and other repositories can consume the
// contract from git without the Buf Schema Registry. This program keeps the
// committed copy equal to the original file of the pinned release: `make
// third-party-proto` (part of `make generate` and so of `make
// check-generated`) runs it, and a drift shows in `git diff`.
//
// The pin is the constants below, and only them: the module version and its
// go.sum hash. The go command downloads the module through the Go module
// proxy into the module cache (checked against the checksum database) and
// this program refuses any other content than the pinned hash. The version is
// the release whose compiled validate.proto equals the descriptor embedded in
// buf.build/gen/go/bufbuild/protovalidate/protocolbuffers/go, the Go module
// the runtime validator uses (pinned in go.mod); the test in
// internal/bufcheck fails when the two differ.
//
// Usage (from tools/):
//
//	go run ./protovalidate-proto -out ../third_party/protovalidate
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

const (
	// protovalidateModule is the source repository of protovalidate, served
	// by the Go module proxy as a Go module without Go packages.
	protovalidateModule = "github.com/bufbuild/protovalidate"
	// protovalidateVersion is the pinned release. v1.2.0, v1.2.1 and v1.2.2
	// all compile to the Go module's descriptor (they differ in comments
	// only; v1.2.1 and v1.2.2 hold the same file); v1.2.2 is the newest.
	protovalidateVersion = "v1.2.2"
	// protovalidateSum is the go.sum hash (h1:) of that release's content.
	protovalidateSum = "h1:2H/9/Kr97etSRqW3IJjTTb09z+zutkK2GDhDRbOnqr4="
)

// copies maps a file of the module (slash-separated) to its place in the
// output directory. The buf module root of protovalidate is
// proto/protovalidate.
var copies = []struct{ from, to string }{
	{"proto/protovalidate/buf/validate/validate.proto", "buf/validate/validate.proto"},
	{"LICENSE", "LICENSE"},
}

func main() {
	out := flag.String("out", "", "directory to copy buf/validate/validate.proto and LICENSE into (required)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: protovalidate-proto -out DIR")
		os.Exit(2)
	}
	if err := run(*out); err != nil {
		fmt.Fprintf(os.Stderr, "protovalidate-proto: %v\n", err)
		os.Exit(1)
	}
}

func run(outDir string) error {
	dir, err := download(protovalidateModule, protovalidateVersion, protovalidateSum)
	if err != nil {
		return err
	}
	for _, c := range copies {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(c.from)))
		if err != nil {
			return err
		}
		if err := writeIfChanged(filepath.Join(outDir, filepath.FromSlash(c.to)), data); err != nil {
			return err
		}
	}
	return nil
}

// download makes the go command fetch module@version into the module cache
// and returns its directory there. It runs outside any Go module (and
// workspace), so no go.mod or go.sum of this repository changes.
func download(module, version, wantSum string) (string, error) {
	tmp, err := os.MkdirTemp("", "protovalidate-proto-")
	if err != nil {
		return "", err
	}
	defer func() { _ = os.RemoveAll(tmp) }()

	cmd := exec.Command("go", "mod", "download", "-json", module+"@"+version)
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GO111MODULE=on", "GOWORK=off", "GOFLAGS=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var info struct {
		Dir, Sum, Error string
	}
	if err := json.Unmarshal(stdout.Bytes(), &info); err != nil {
		if runErr != nil {
			return "", fmt.Errorf("go mod download %s@%s: %w\n%s", module, version, runErr, stderr.Bytes())
		}
		return "", fmt.Errorf("go mod download %s@%s: read its output: %w", module, version, err)
	}
	switch {
	case info.Error != "":
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	case runErr != nil:
		return "", fmt.Errorf("go mod download %s@%s: %w\n%s", module, version, runErr, stderr.Bytes())
	case info.Sum != wantSum:
		return "", fmt.Errorf("%s@%s has hash %s, but %s is pinned", module, version, info.Sum, wantSum)
	case info.Dir == "":
		return "", errors.New("go mod download did not report the module's directory")
	}
	return info.Dir, nil
}

// writeIfChanged writes data to path unless the file already holds it, so
// make and buf see a stable mtime. Files in the module cache are read-only;
// the copy is not.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	// Committed source files: readable by everyone, like the rest of the tree.
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil { //nolint:gosec // a directory of the repository
		return err
	}
	return os.WriteFile(path, data, 0o644) //nolint:gosec // a file of the repository
}
