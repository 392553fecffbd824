// Package procstat reads what the reliability tests check is left behind
// by a connector process: the test process's open file descriptors and its
// child processes, from /proc (Linux).
package procstat

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// OpenFDs counts the test process's open file descriptors.
func OpenFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("count open file descriptors: %v", err)
	}
	return len(entries)
}

// ChildProcesses lists the test process's child processes, zombies
// included, as "pid (name) state".
func ChildProcesses(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatalf("list processes: %v", err)
	}
	self := os.Getpid()
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // it exited meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(stat)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		if ppid, _ := strconv.Atoi(fields[1]); ppid == self {
			out = append(out, s[:end+1]+" "+fields[0])
		}
	}
	return out
}
