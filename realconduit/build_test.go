//go:build unix

package realconduit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// binDir holds the executables this test binary builds from this
// repository; they are rebuilt on every run (Go's build cache makes that
// quick). The programs of other projects are cached across runs: see
// [cachedBinary].
var binDir string

// TestMain makes the directory for the executables built from this
// repository, runs the tests, and removes it.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "realconduit-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "realconduit:", err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// The programs of other projects, each at the exact version the tests prove
// compatibility with. They are built from their module in Go's module cache,
// unmodified.
var (
	// conduitServer is the Conduit server. The ldflags give it its version,
	// as Conduit's release build does.
	conduitServer = &cachedBinary{
		module:   "github.com/conduitio/conduit",
		version:  "v0.14.0",
		sum:      "h1:qRok8u1SdEBZdpT1DyeaX/9u0Sl9xgVQDTXKDEKFqoA=",
		goModSum: "h1:0zSs7Aq4Er5lEYs45hf384hTSAphKbu3Tj2VxfR7T44=",
		pkg:      "./cmd/conduit",
		ldflags:  "-X 'github.com/conduitio/conduit/pkg/conduit.version=v0.14.0'",
		name:     "conduit",
		check:    []string{"--version"},
	}
	// sdkGenerator is Conduit's generator connector, written with the Go
	// connector SDK (v0.13.3 at this version), as a standalone connector.
	sdkGenerator = &cachedBinary{
		module:   "github.com/conduitio/conduit-connector-generator",
		version:  "v0.10.2",
		sum:      "h1:jgyfIxaoer9+Q+FOA0NkMkmslHqZhn7cGqgb9bQzkgw=",
		goModSum: "h1:UrgUEP2F229x0MA+rhp9uMP4QBpOfr3i4gNKzOrZvOk=",
		pkg:      "./cmd/connector",
		ldflags:  "-X 'github.com/conduitio/conduit-connector-generator.version=v0.10.2'",
		name:     "conduit-connector-generator",
	}
)

// cachedBinary is a program of another Go module, built once per machine
// into the user's cache directory
// ($XDG_CACHE_HOME/cplugin/NAME-VERSION/NAME): building Conduit takes
// minutes, running it seconds.
type cachedBinary struct {
	module   string   // module path
	version  string   // exact version
	sum      string   // the module's hash, as in a go.sum file
	goModSum string   // the hash of its go.mod file, as in a go.sum file
	pkg      string   // main package, relative to the module's root
	ldflags  string   // -ldflags of the build
	name     string   // file name of the executable
	check    []string // arguments of a run that must print version; none: no check

	once sync.Once
	path string
	err  error
}

// Path builds the program unless the cache holds it, and returns its path.
func (b *cachedBinary) Path(t *testing.T) string {
	t.Helper()
	b.once.Do(func() {
		start := time.Now()
		var built bool
		b.path, built, b.err = b.build()
		if built {
			fmt.Fprintf(os.Stderr, "realconduit: built %s@%s in %s: %s\n", b.module, b.version, time.Since(start).Round(time.Second), b.path)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func (b *cachedBinary) build() (path string, built bool, err error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", false, fmt.Errorf("find the cache directory for %s: %w", b.name, err)
	}
	dir := filepath.Join(cache, "cplugin", b.name+"-"+b.version)
	path = filepath.Join(dir, b.name)
	if b.verify(path) == nil {
		return path, false, nil
	}

	// Download the module where a go.sum file pins its hashes: go checks
	// the download against them instead of asking the checksum database
	// (which the Go module proxy may not serve for every module).
	fetch, err := os.MkdirTemp(binDir, "fetch-")
	if err != nil {
		return "", false, err
	}
	goSum := fmt.Sprintf("%[1]s %[2]s %[3]s\n%[1]s %[2]s/go.mod %[4]s\n", b.module, b.version, b.sum, b.goModSum)
	if err := errors.Join(
		os.WriteFile(filepath.Join(fetch, "go.mod"), []byte("module fetch\n\ngo 1.21\n"), 0o600),
		os.WriteFile(filepath.Join(fetch, "go.sum"), []byte(goSum), 0o600),
	); err != nil {
		return "", false, err
	}
	download := goCommand(fetch, "mod", "download", "-json", b.module+"@"+b.version)
	out, err := download.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); jerr != nil || mod.Dir == "" || mod.Error != "" {
		return "", false, fmt.Errorf("go mod download %s@%s: %w %s\n%s", b.module, b.version, errors.Join(err, jerr), mod.Error, stderrOf(err))
	}

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("build %s: %w", b.name, err)
	}
	// The module's own go.mod and go.sum decide every dependency, exactly
	// as in a release build of that version.
	//
	// Build under a temporary name and rename: another test process may
	// be building or running the same binary.
	tmp, err := os.CreateTemp(dir, b.name+".building-*")
	if err != nil {
		return "", false, fmt.Errorf("build %s: %w", b.name, err)
	}
	_ = tmp.Close()
	defer func() { _ = os.Remove(tmp.Name()) }()
	build := goCommand(mod.Dir, "build", "-o", tmp.Name(), "-ldflags", b.ldflags, b.pkg)
	if out, err := build.CombinedOutput(); err != nil {
		return "", false, fmt.Errorf("go build %s in %s: %w\n%s", b.pkg, mod.Dir, err, out)
	}
	if err := b.verify(tmp.Name()); err != nil {
		return "", false, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", false, fmt.Errorf("build %s: %w", b.name, err)
	}
	return path, true, nil
}

// verify checks that path is an executable of the right version.
func (b *cachedBinary) verify(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() || info.Mode()&0o111 == 0 {
		return fmt.Errorf("%s is not an executable file", path)
	}
	if len(b.check) == 0 {
		return nil
	}
	out, err := exec.Command(path, b.check...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", path, strings.Join(b.check, " "), err, out)
	}
	if !bytes.HasPrefix(out, []byte(b.version+" ")) {
		return fmt.Errorf("%s %s printed %q, want the version %s", path, strings.Join(b.check, " "), out, b.version)
	}
	return nil
}

// goCommand runs the go command in dir outside any workspace, without the
// caller's GOFLAGS, so that only the module in dir decides the build.
func goCommand(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	return cmd
}

func stderrOf(err error) string {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return string(exitErr.Stderr)
	}
	return ""
}

// The standalone connectors of this repository, as Conduit finds them in its
// connectors directory by the name in their specification.
var (
	connectorsOnce sync.Once
	connectorsPath string
	connectorsErr  error

	controlOnce sync.Once
	controlPath string
	controlErr  error
)

// sequencePlugin and jsonlinesPlugin name this repository's example
// connectors in a pipeline file; controlPlugin names the control connector
// (internal/unimplementedlifecycle).
const (
	sequencePlugin  = "standalone:sequence"
	jsonlinesPlugin = "standalone:jsonlines"
	controlPlugin   = "standalone:unimplemented-lifecycle"
)

// connectorsDir builds examples/sequence and examples/jsonlines into one
// directory, shared by every Conduit run of the test binary, and returns it.
func connectorsDir(t *testing.T) string {
	t.Helper()
	connectorsOnce.Do(func() {
		connectorsPath = filepath.Join(binDir, "connectors")
		for _, name := range []string{"sequence", "jsonlines"} {
			// Built in the repository's root, by the main module's go.mod.
			if connectorsErr = buildConnector(connectorsPath, name, "..", "./examples/"+name+"/cmd/"+name); connectorsErr != nil {
				return
			}
		}
	})
	if connectorsErr != nil {
		t.Fatal(connectorsErr)
	}
	return connectorsPath
}

// controlConnectorsDir builds the control connector into a directory of
// its own and returns it.
func controlConnectorsDir(t *testing.T) string {
	t.Helper()
	controlOnce.Do(func() {
		controlPath = filepath.Join(binDir, "control")
		controlErr = buildConnector(controlPath, "unimplemented-lifecycle", ".", "./internal/unimplementedlifecycle")
	})
	if controlErr != nil {
		t.Fatal(controlErr)
	}
	return controlPath
}

// buildConnector builds the package pkg, in directory workdir, into
// dir/name. Under -race it is built with the race detector: Conduit starts
// connectors with an empty environment, so a data race does not stop the
// connector, but makes it exit with status 66, which Conduit logs as an
// error.
func buildConnector(dir, name, workdir, pkg string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	args := []string{"build", "-o", filepath.Join(dir, name)}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = workdir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s (in %s): %w\n%s", strings.Join(cmd.Args[1:], " "), workdir, err, out)
	}
	return nil
}
