package hostile_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
	"github.com/connectorkit/conduit-connector-protocol/internal/testwait"
)

// swapLaunches is how many times TestHostileSocketSwap starts the
// connector. Before the fix, the host changed the mode of the file the
// connector linked to in about one launch of 30 (in a tight loop in one
// process, see the client package's TestRestrictSocketRace, every time).
const swapLaunches = 40

// TestHostileSocketSwap: the connector swaps its socket's path back and
// forth, as fast as it can, between the socket and a symbolic link to a
// file of the host's user. However often it is started, the host never
// changes that file's mode: it changes the mode of what it opened without
// following a link, and only of a socket.
func TestHostileSocketSwap(t *testing.T) {
	ctx := testContext(t)
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("the host's own file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := takeBaseline(t)
	for i := range swapLaunches {
		c, err := client.New(ctx, client.Config{
			Path: hostileConnector, SocketDir: base.socketDir,
			Env: []string{"HOSTILE=swap-socket", "HOSTILE_VICTIM=" + victim},
		})
		if err == nil { // the host may or may not reach the socket
			err = c.Close()
		}
		info, statErr := os.Stat(victim)
		if statErr != nil {
			t.Fatal(statErr)
		}
		if info.Mode().Perm() != 0o644 {
			t.Fatalf("launch %d: the host changed the mode of the file the connector linked to: %v, want -rw-r--r-- (New/Close: %v)", i+1, info.Mode().Perm(), err)
		}
	}
	base.check(t)
}

// TestServedSocketIsPrivateInAnOpenDirectory: a host that is not ours
// starts a connector built with cpluginv1/server with a
// PLUGIN_UNIX_SOCKET_DIR anyone may write to and enter (mode 0777) and a
// umask of 0. Only the connector's user can connect to its socket: it sits
// in a directory of the connector's own with mode 0700 (before, the socket
// was in the open directory with mode 0777).
func TestServedSocketIsPrivateInAnOpenDirectory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	ctx := testContext(t)
	open := shortTempDir(t)
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(servedConnector)
	cmd.Env = []string{
		pluginconfig.MagicCookieKey + "=" + pluginconfig.MagicCookieValue,
		"PLUGIN_PROTOCOL_VERSIONS=1",
		"PLUGIN_UNIX_SOCKET_DIR=" + open,
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	oldMask := syscall.Umask(0)
	err = cmd.Start()
	syscall.Umask(oldMask)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		// A hostile host, not a graceful one: what the connector leaves
		// in the directory goes with the test's temporary directory.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	line := testwait.Receive(ctx, t, lines, "the connector's handshake line")
	parts := strings.Split(strings.TrimSpace(line), "|")
	if len(parts) < 5 || parts[2] != "unix" {
		t.Fatalf("handshake line %q, want a unix socket", line)
	}
	socket := parts[3]
	t.Logf("socket %s", socket)
	if who := whoCanConnect(t, socket, open); who != "" {
		t.Errorf("%s can connect to the connector's socket %s", who, socket)
	}
}

// whoCanConnect returns "" if only the owner of socket can connect to it,
// and otherwise who else can ("group", "others"). Connecting takes write
// permission on the socket and search permission on every directory on
// the way; the directories from open up are anyone's.
func whoCanConnect(t *testing.T, socket, open string) string {
	t.Helper()
	info, err := os.Lstat(socket)
	if err != nil {
		t.Fatalf("stat the socket: %v", err)
	}
	if info.Mode().Type() != os.ModeSocket {
		t.Fatalf("%s is %v, not a socket", socket, info.Mode())
	}
	group, others := info.Mode().Perm()&0o020 != 0, info.Mode().Perm()&0o002 != 0
	for dir := filepath.Dir(socket); dir != filepath.Clean(open); dir = filepath.Dir(dir) {
		if dir == filepath.Dir(dir) {
			t.Fatalf("the socket %s is not in %s", socket, open)
		}
		d, err := os.Lstat(dir)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := d.Sys().(*syscall.Stat_t)
		if !ok || int(st.Uid) != os.Getuid() {
			t.Errorf("directory %s on the way to the socket is not the test user's", dir)
			continue
		}
		group = group && d.Mode().Perm()&0o010 != 0
		others = others && d.Mode().Perm()&0o001 != 0
	}
	switch {
	case others:
		return "others"
	case group:
		return "group"
	}
	return ""
}
