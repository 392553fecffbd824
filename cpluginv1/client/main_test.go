package client_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// binDir holds the connector executables the subprocess tests build.
var binDir string

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		if binDir != "" {
			_ = os.RemoveAll(binDir)
		}
		os.Exit(code)
	}))
}

var (
	buildOnce sync.Once
	buildPath string
	buildErr  error
	buildOut  []byte
)

// testConnector returns the path of the connector built from
// testdata/connector, building it the first time.
func testConnector(t *testing.T) string {
	t.Helper()
	path, err := buildTestConnector()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// buildTestConnector builds testdata/connector the first time it is called
// and returns the executable's path.
func buildTestConnector() (string, error) {
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "cplugin-client-test-")
		if buildErr != nil {
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			buildErr = fmt.Errorf("find the go command: %w", err)
			return
		}
		buildPath = filepath.Join(binDir, "testconn")
		// Bounded, so that a stuck build fails the test instead of hanging it.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, goTool, "build", "-o", buildPath, "./testdata/connector")
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		return "", fmt.Errorf("build test connector: %w\n%s", buildErr, buildOut)
	}
	return buildPath, nil
}
