//go:build unix

package server

import (
	"os"
	"syscall"
)

// isPrivateDir reports whether path is a directory (not a symbolic link)
// of this user that no one else can enter.
func isPrivateDir(path string) bool {
	info, err := os.Lstat(path)
	if err != nil || !info.IsDir() || info.Mode().Perm()&0o077 != 0 {
		return false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
