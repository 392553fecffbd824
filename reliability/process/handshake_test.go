package process_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// startFails starts path (with the fault environment env) and returns New's
// error, after checking that New failed and left nothing behind.
func startFails(t *testing.T, path string, env ...string) error {
	t.Helper()
	ctx := testContext(t)
	base := takeBaseline(t)
	c, err := client.New(ctx, client.Config{Path: path, SocketDir: base.socketDir, Env: env})
	if err == nil {
		_ = c.Close()
		t.Fatal("New succeeded")
	}
	t.Logf("New: %v", err)
	base.check(t)
	return err
}

// TestConnectorExitsBeforeHandshake: the process exits with status 3
// before it prints the handshake line. New says so, with the status and
// what the connector printed on stderr.
func TestConnectorExitsBeforeHandshake(t *testing.T) {
	err := startFails(t, faultConnector, "FAULT=exit-before-handshake")
	checkOneSentence(t, err, "start connector "+faultConnector,
		"the process exited with status 3 before the plugin handshake",
		"cannot open the database, giving up")
}

// TestConnectorPrintsMalformedHandshakeLine: the first line the process
// prints is not a handshake line this host accepts. New says what is wrong
// with it.
func TestConnectorPrintsMalformedHandshakeLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		says []string
	}{
		{"log line", "starting the connector...", []string{"not a plugin handshake line", `"starting the connector..."`}},
		{"empty line", "", []string{"its first line on stdout is empty, not the plugin handshake line"}},
		{"too few fields", "1|1|unix", []string{"not a plugin handshake line", `"1|1|unix"`}},
		{"udp network", "1|1|udp|127.0.0.1:9|grpc", []string{`network "udp", want unix or tcp`}},
		{"tcp without port", "1|1|tcp|localhost|grpc", []string{`tcp address "localhost", want HOST:PORT`}},
		{"net/rpc", "1|1|unix|/tmp/x.sock|netrpc", []string{`RPC protocol "netrpc", want grpc`}},
		{"no protocol", "1|1|unix|/tmp/x.sock", []string{"names no RPC protocol, want grpc"}},
		{"bad certificate", "1|1|unix|/tmp/x.sock|grpc|" + strings.Repeat("A", 64), []string{"TLS certificate that is not valid"}},
		{"too long", strings.Repeat("x", 70000), []string{"longer than 4096 bytes, not a plugin handshake line"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := startFails(t, faultConnector, "FAULT=print-line", "FAULT_LINE="+tt.line)
			checkOneSentence(t, err, "start connector "+faultConnector, tt.says...)
		})
	}
}

// TestConnectorSpeaksWrongCoreProtocolVersion: the handshake line has a
// core protocol version (go-plugin's own) other than 1.
func TestConnectorSpeaksWrongCoreProtocolVersion(t *testing.T) {
	err := startFails(t, faultConnector, "FAULT=print-line", "FAULT_LINE=2|1|unix|/tmp/x.sock|grpc")
	checkOneSentence(t, err, "start connector "+faultConnector,
		"core protocol version 2, but this host speaks version 1")
}

// TestConnectorSpeaksWrongAppProtocolVersion: a connector built with
// hashicorp/go-plugin that speaks only connector protocol version 3 answers
// with that version. New names it and the versions the host supports.
func TestConnectorSpeaksWrongAppProtocolVersion(t *testing.T) {
	err := startFails(t, faultConnector, "FAULT=protocol-version-3")
	checkOneSentence(t, err, "start connector "+faultConnector,
		"it speaks connector protocol version 3, but this host supports versions 1, 2")
}

// TestConnectorNotExecutable: the path is not something this machine can
// run. New says why, without starting anything.
func TestConnectorNotExecutable(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, content []byte, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	connector, err := os.ReadFile(faultConnector)
	if err != nil {
		t.Fatal(err)
	}
	subdir := filepath.Join(dir, "a-directory")
	if err := os.Mkdir(subdir, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		says string
	}{
		{"no execute permission", write("not-executable", connector, 0o644), "the file is not executable (permission denied)"},
		{"not a program", write("not-a-program", []byte("just some text\n"), 0o755), "the file is not a program this machine can run (exec format error)"},
		{"directory", subdir, "it is a directory, not an executable"},
		{"missing", filepath.Join(dir, "missing"), "the file does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			began := time.Now()
			err := startFails(t, tt.path)
			checkOneSentence(t, err, "start connector "+tt.path, tt.says)
			if took := time.Since(began); took > lateLimit {
				t.Errorf("New took %v to fail, want at once", took)
			}
		})
	}
}
