package cancel_test

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

// probeExecutable is the path of the probe connector TestMain builds.
var probeExecutable string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reliability-cancel-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a directory for the probe connector:", err)
		os.Exit(1)
	}
	probeExecutable, err = build(dir, "probe", "github.com/connectorkit/conduit-connector-protocol/reliability/cancel/internal/probe/cmd/probe")
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
