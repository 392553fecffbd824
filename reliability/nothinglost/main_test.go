package nothinglost_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The executables of the example connectors TestMain builds.
var generatorExecutable, fileExecutable string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reliability-nothinglost-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a directory for the example connectors:", err)
		os.Exit(1)
	}
	generatorExecutable, err = build(dir, "generator", "github.com/connectorkit/conduit-connector-protocol/examples/generator/cmd/generator")
	if err == nil {
		fileExecutable, err = build(dir, "file", "github.com/connectorkit/conduit-connector-protocol/examples/file/cmd/file")
	}
	if err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		_ = os.RemoveAll(dir)
		os.Exit(code)
	}))
}

// build runs go build for pkg into dir and returns the executable's path.
func build(dir, name, pkg string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("find the go command to build %s: %w", pkg, err)
	}
	path := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		path += ".exe"
	}
	// Bounded, so that a stuck build fails the tests instead of hanging them.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", path, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return path, nil
}
