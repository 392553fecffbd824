// Package testbuild is the TestMain of the reliability test packages: it
// builds the connector programs a package runs into a temporary directory,
// runs the tests, checks that they leaked no goroutine and removes the
// directory again.
package testbuild

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

// Program is a main package to build before the tests run.
type Program struct {
	// Name is the executable's file name (without .exe).
	Name string
	// Package is the import path of the main package.
	Package string
	// Path receives the executable's path once it is built.
	Path *string
}

// buildTimeout bounds each build, so that a stuck build fails the tests
// instead of hanging them.
const buildTimeout = 5 * time.Minute

// Main builds programs, runs m with goleak's check for leaked goroutines
// and exits with the tests' status. A failed build ends the process with
// status 1 and the compiler's output.
func Main(m *testing.M, programs ...Program) {
	dir, err := os.MkdirTemp("", "reliability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make a directory for the test programs:", err)
		os.Exit(1)
	}
	for _, p := range programs {
		*p.Path, err = build(dir, p.Name, p.Package)
		if err != nil {
			_ = os.RemoveAll(dir)
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
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
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	if out, err := exec.CommandContext(ctx, goTool, "build", "-o", path, pkg).CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %w\n%s", pkg, err, out)
	}
	return path, nil
}
