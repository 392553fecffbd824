//go:build unix

package server

import (
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	plugin "github.com/hashicorp/go-plugin"
)

// TestPrivateSocketDir: the connector's socket goes into a directory only
// its user can enter (or its user and the group the host names), unless
// the host named such a directory itself.
func TestPrivateSocketDir(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	check := func(t *testing.T, dir string, parent string, mode os.FileMode, gid int) {
		t.Helper()
		if dir == "" {
			t.Fatal("no directory made")
		}
		t.Cleanup(func() { _ = os.RemoveAll(dir) })
		if filepath.Dir(dir) != filepath.Clean(parent) {
			t.Errorf("directory %s is not in %s", dir, parent)
		}
		info, err := os.Lstat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode || !info.IsDir() {
			t.Errorf("directory %s has mode %v, want %v", dir, info.Mode(), mode)
		}
		if st := info.Sys().(*syscall.Stat_t); int(st.Gid) != gid {
			t.Errorf("directory %s has group %d, want %d", dir, st.Gid, gid)
		}
	}

	t.Run("the host's private directory", func(t *testing.T) {
		private := t.TempDir()
		if err := os.Chmod(private, 0o700); err != nil {
			t.Fatal(err)
		}
		dir, err := privateSocketDir(env(map[string]string{plugin.EnvUnixSocketDir: private}))
		if err != nil || dir != "" {
			t.Errorf("privateSocketDir = %q, %v; want none made", dir, err)
		}
	})
	t.Run("a directory anyone may enter", func(t *testing.T) {
		open := t.TempDir()
		if err := os.Chmod(open, 0o777); err != nil {
			t.Fatal(err)
		}
		old := syscall.Umask(0)
		dir, err := privateSocketDir(env(map[string]string{plugin.EnvUnixSocketDir: open}))
		syscall.Umask(old)
		if err != nil {
			t.Fatal(err)
		}
		check(t, dir, open, 0o700, os.Getgid())
	})
	t.Run("no directory", func(t *testing.T) {
		dir, err := privateSocketDir(env(nil))
		if err != nil {
			t.Fatal(err)
		}
		check(t, dir, os.TempDir(), 0o700, os.Getgid())
	})
	t.Run("with a group", func(t *testing.T) {
		open := t.TempDir()
		if err := os.Chmod(open, 0o770); err != nil {
			t.Fatal(err)
		}
		gid := os.Getgid()
		dir, err := privateSocketDir(env(map[string]string{plugin.EnvUnixSocketDir: open, plugin.EnvUnixSocketGroup: strconv.Itoa(gid)}))
		if err != nil {
			t.Fatal(err)
		}
		check(t, dir, open, 0o710, gid)
	})
	t.Run("an unknown group", func(t *testing.T) {
		open := t.TempDir()
		if err := os.Chmod(open, 0o770); err != nil {
			t.Fatal(err)
		}
		if _, err := privateSocketDir(env(map[string]string{plugin.EnvUnixSocketDir: open, plugin.EnvUnixSocketGroup: "no-such-group-here"})); err == nil {
			t.Error("privateSocketDir with an unknown group succeeded")
		}
		if entries, _ := os.ReadDir(open); len(entries) != 0 {
			t.Errorf("privateSocketDir left %d entries behind", len(entries))
		}
	})
}
