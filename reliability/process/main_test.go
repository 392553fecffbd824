package process_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// faultConnector is the path of the connector TestMain builds.
var faultConnector string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reliability-process-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a directory for the fault connector:", err)
		os.Exit(1)
	}
	faultConnector, err = build(dir, "faultconnector", "./internal/faultconnector")
	if err != nil {
		_ = os.RemoveAll(dir)
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The runtime opens its network poller's descriptors on first use and
	// keeps them: open them now, so that they are part of every test's
	// baseline of open file descriptors.
	if l, err := net.Listen("unix", filepath.Join(dir, "warmup.sock")); err == nil {
		_ = l.Close()
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
	// Bounded, so that a stuck build fails the tests instead of hanging them.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", path, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return path, nil
}
