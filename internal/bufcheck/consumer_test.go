package bufcheck_test

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The files every generation from the contract must produce (protoc-gen-go
// with paths=source_relative).
var contractGoFiles = []string{"connector/v1/connector.pb.go", "opencdc/v1/opencdc.pb.go"}

// TestContractConsumable checks that the contract is usable with buf as it
// is, offline, by this repository's users and by other repositories (README:
// "Using the contract from another repository"). It commits the working tree
// (tracked and untracked files that are not ignored, so it tests the
// changes at hand, not only the last commit) into a temporary git repository
// and then:
//
//   - in a fresh clone, runs buf build, lint, format --diff --exit-code,
//     breaking against the clone's main branch, and generate at its root;
//   - in a separate workspace with its own buf.yaml and buf.gen.yaml,
//     generates from a git input of the repository (file:// URL);
//   - in another, generates from a directory input of a checkout.
//
// buf runs with a proxy that refuses every connection, so nothing may come
// from the Buf Schema Registry or any other network service.
func TestContractConsumable(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed; this test commits the working tree into a temporary git repository")
	}
	root := repoRoot(t)
	tl := pinnedTools(t, root)

	// The repository directory keeps this repository's name, as a checkout
	// next to the consumer's would.
	base := t.TempDir()
	origin := filepath.Join(base, "conduit-connector-protocol")
	snapshotWorkingTree(t, root, origin)
	originURL := "file://" + filepath.ToSlash(origin)

	t.Run("clone", func(t *testing.T) {
		t.Parallel()
		clone := filepath.Join(t.TempDir(), "clone")
		run(t, base, gitEnv, "git", "clone", "-q", originURL, clone)
		env := offlineEnv(t)
		run(t, clone, env, tl.buf, "build")
		run(t, clone, env, tl.buf, "lint")
		run(t, clone, env, tl.buf, "format", "--diff", "--exit-code")
		// The whole workspace as a git input: it builds from what is committed.
		run(t, clone, env, tl.buf, "breaking", "--against", ".git#branch=main")

		out := t.TempDir()
		template := filepath.Join(t.TempDir(), "buf.gen.yaml")
		writeFile(t, template, `version: v2
inputs:
  - directory: proto
plugins:
  - local: `+tl.protocGenGo+`
    out: `+out+`
    opt: paths=source_relative
`)
		run(t, clone, env, tl.buf, "generate", "--template", template)
		requireFiles(t, out, contractGoFiles...)
		if status := run(t, clone, gitEnv, "git", "status", "--porcelain"); status != "" {
			t.Errorf("buf changed the clone:\n%s", status)
		}
	})

	t.Run("git input", func(t *testing.T) {
		t.Parallel()
		consumer := t.TempDir()
		writeFile(t, filepath.Join(consumer, "buf.yaml"), "version: v2\n")
		// subdir: proto targets the contract; buf finds the repository's
		// buf.yaml above it and resolves buf/validate from the workspace
		// module third_party/protovalidate. include_imports generates it too,
		// which shows that it resolved.
		writeFile(t, filepath.Join(consumer, "buf.gen.yaml"), `version: v2
clean: true
inputs:
  - git_repo: `+originURL+`
    branch: main
    subdir: proto
plugins:
  - local: `+tl.protocGenGo+`
    out: gen
    opt: paths=source_relative
    include_imports: true
`)
		run(t, consumer, offlineEnv(t), tl.buf, "generate")
		gen := filepath.Join(consumer, "gen")
		requireFiles(t, gen, append(contractGoFiles, "buf/validate/validate.pb.go")...)
		requireNoFiles(t, gen, "third_party", "proto")
	})

	t.Run("directory input", func(t *testing.T) {
		t.Parallel()
		consumer := filepath.Join(base, "my-connector")
		writeFile(t, filepath.Join(consumer, "buf.yaml"), "version: v2\n")
		// A checkout next to the consumer's directory, as in the README.
		writeFile(t, filepath.Join(consumer, "buf.gen.yaml"), `version: v2
clean: true
inputs:
  - directory: ../conduit-connector-protocol/proto
plugins:
  - local: `+tl.protocGenGo+`
    out: gen
    opt: paths=source_relative
`)
		run(t, consumer, offlineEnv(t), tl.buf, "generate")
		gen := filepath.Join(consumer, "gen")
		requireFiles(t, gen, contractGoFiles...)
		// Only the contract is the target; its import is not generated.
		requireNoFiles(t, gen, "buf")
	})
}

// snapshotWorkingTree makes dir a git repository with one commit on branch
// main holding the files of root's working tree that git does not ignore,
// as they are now (files deleted in the working tree are left out).
func snapshotWorkingTree(t *testing.T, root, dir string) {
	t.Helper()
	list := run(t, root, gitEnv, "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	copied := 0
	for name := range strings.SplitSeq(strings.TrimRight(list, "\x00"), "\x00") {
		if name == "" {
			continue
		}
		ok, err := copyPath(filepath.Join(root, filepath.FromSlash(name)), filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatalf("copy %s: %v", name, err)
		}
		if ok {
			copied++
		}
	}
	if copied == 0 {
		t.Fatalf("git ls-files listed no files in %s", root)
	}
	run(t, dir, gitEnv, "git", "init", "-q", "--initial-branch=main")
	run(t, dir, gitEnv, "git", "add", "-A")
	run(t, dir, gitEnv, "git", "commit", "-q", "--no-gpg-sign", "-m", "working tree of "+root)
}

// copyPath copies a regular file (with its permission bits) or a symbolic
// link. It reports false, without error, for a path that no longer exists.
func copyPath(from, to string) (bool, error) {
	info, err := os.Lstat(from)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return false, err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(from)
		if err != nil {
			return false, err
		}
		return true, os.Symlink(target, to)
	case info.Mode().IsRegular():
		data, err := os.ReadFile(from)
		if err != nil {
			return false, err
		}
		return true, os.WriteFile(to, data, info.Mode().Perm())
	default:
		// A submodule or another kind of entry: not part of the contract.
		return false, nil
	}
}

// requireNoFiles fails the test for each path under dir that exists.
func requireNoFiles(t *testing.T, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			t.Errorf("%s was generated in %s, but should not be", p, dir)
		}
	}
}
