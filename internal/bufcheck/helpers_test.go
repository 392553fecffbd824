package bufcheck_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// commandTimeout bounds every command a test runs; each takes well under a
// second once the tools are built.
const commandTimeout = 3 * time.Minute

// repoRoot is the root of this repository: the directory of the main
// module's go.mod, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "tools", "go.mod")); err != nil {
		t.Fatalf("%s is not the repository root: %v", root, err)
	}
	return root
}

// tools are the executables of the pinned tools this package runs.
type tools struct {
	buf         string
	protocGenGo string
}

var (
	toolsOnce   sync.Once
	toolsResult tools
	toolsErr    error
)

// pinnedTools builds buf and protoc-gen-go as pinned in root's tools/go.mod
// (`go tool -n` builds a tool into Go's cache and prints its path), so the
// tests can run them in directories outside any Go module and as buf plugins.
func pinnedTools(t *testing.T, root string) tools {
	t.Helper()
	toolsOnce.Do(func() {
		resolve := func(name string) string {
			if toolsErr != nil {
				return ""
			}
			ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, "go", "tool", "-n", "-modfile="+filepath.Join(root, "tools", "go.mod"), name)
			cmd.Dir = root
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				toolsErr = fmt.Errorf("go tool -n %s: %w\n%s", name, err, stderr.Bytes())
			}
			return strings.TrimSpace(string(out))
		}
		toolsResult = tools{buf: resolve("buf"), protocGenGo: resolve("protoc-gen-go")}
	})
	if toolsErr != nil {
		t.Fatalf("build the pinned tools: %v", toolsErr)
	}
	return toolsResult
}

// offlineEnv is the environment for buf: every HTTP request goes to a proxy
// that refuses connections, so a command that needs the Buf Schema Registry
// (or anything else on the network) fails instead of passing by download.
// Buf's cache is the test's own.
func offlineEnv(t *testing.T) []string {
	t.Helper()
	const deadProxy = "http://127.0.0.1:1"
	return []string{
		"HTTP_PROXY=" + deadProxy, "HTTPS_PROXY=" + deadProxy, "ALL_PROXY=" + deadProxy,
		"http_proxy=" + deadProxy, "https_proxy=" + deadProxy, "all_proxy=" + deadProxy,
		"NO_PROXY=none.invalid", "no_proxy=none.invalid",
		"BUF_CACHE_DIR=" + t.TempDir(),
	}
}

// gitEnv makes git independent of the user's and the system's configuration.
var gitEnv = []string{
	"GIT_CONFIG_NOSYSTEM=1",
	"GIT_CONFIG_GLOBAL=" + os.DevNull,
	"GIT_AUTHOR_NAME=bufcheck", "GIT_AUTHOR_EMAIL=bufcheck@example.invalid",
	"GIT_COMMITTER_NAME=bufcheck", "GIT_COMMITTER_EMAIL=bufcheck@example.invalid",
	"GIT_TERMINAL_PROMPT=0",
}

// run runs a command in dir with env added to the test's environment and
// fails the test with its output if it fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	out, err := output(dir, env, name, args...)
	if err != nil {
		t.Fatalf("in %s: %s %s: %v\n%s", dir, name, strings.Join(args, " "), err, out)
	}
	return out
}

// output runs a command and returns its combined output.
func output(dir string, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// writeFile writes a file, creating its directory.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// requireFiles fails the test for each path under dir that is not a file.
func requireFiles(t *testing.T, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err != nil || !info.Mode().IsRegular() {
			t.Errorf("%s was not generated in %s (%v)", p, dir, err)
		}
	}
}
