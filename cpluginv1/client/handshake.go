package client

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	plugin "github.com/hashicorp/go-plugin"
)

// handshakeFormat is the handshake line's format, for error messages.
const handshakeFormat = "CORE-PROTOCOL-VERSION|APP-PROTOCOL-VERSION|NETWORK|ADDRESS|grpc"

// handshakeLine is a connector's parsed handshake line (see the package
// documentation of cpluginv1/server for the format).
type handshakeLine struct {
	CoreVersion int
	AppVersion  int
	Network     string // "unix" or "tcp"
	Address     string
	Protocol    string // "grpc"
	// ServerCert is the connector's TLS certificate (DER), present when the
	// host asked for automatic mutual TLS and the connector supports it.
	ServerCert []byte
}

// minCertField is the length from which go-plugin reads the sixth field
// of the handshake line as a certificate; shorter values are the unused
// "extra" data of older implementations.
const minCertField = 51

// parseHandshakeLine parses a handshake line as go-plugin's client does and
// says precisely what is wrong with one it would refuse (or fail to use
// later): not a handshake line at all, a core protocol version other than
// go-plugin's, an app protocol version not in appVersions, a network other
// than unix or tcp, no address, an RPC protocol other than gRPC, or a TLS
// certificate that does not parse. The error is a phrase that completes
// "start connector PATH: ", without the path.
func parseHandshakeLine(line string, appVersions []int) (handshakeLine, error) {
	line = strings.TrimSpace(line)
	parts := strings.Split(line, "|")
	core, err := strconv.Atoi(parts[0])
	if len(parts) < 4 || err != nil {
		if line == "" {
			return handshakeLine{}, fmt.Errorf("its first line on stdout is empty, not the plugin handshake line (%s)", handshakeFormat)
		}
		return handshakeLine{}, fmt.Errorf("its first line on stdout is not a plugin handshake line (%s): %s", handshakeFormat, quote(line))
	}
	var h handshakeLine
	h.CoreVersion = core
	if core != plugin.CoreProtocolVersion {
		return h, fmt.Errorf("its handshake line has core protocol version %d, but this host speaks version %d of hashicorp/go-plugin's handshake (the connector was built with an incompatible plugin library)",
			core, plugin.CoreProtocolVersion)
	}
	h.AppVersion, err = strconv.Atoi(parts[1])
	if err != nil {
		return h, fmt.Errorf("its handshake line has the connector protocol version %s, which is not a number", quote(parts[1]))
	}
	if !slices.Contains(appVersions, h.AppVersion) {
		return h, fmt.Errorf("it speaks connector protocol version %d, but this host supports %s", h.AppVersion, versionList(appVersions))
	}
	h.Network, h.Address = parts[2], parts[3]
	switch h.Network {
	case "unix":
		if h.Address == "" {
			return h, errors.New("its handshake line has an empty unix socket path")
		}
	case "tcp":
		if _, _, err := net.SplitHostPort(h.Address); err != nil {
			return h, fmt.Errorf("its handshake line has the tcp address %s, want HOST:PORT", quote(h.Address))
		}
	default:
		return h, fmt.Errorf("its handshake line has the network %s, want unix or tcp", quote(h.Network))
	}
	if len(parts) < 5 || parts[4] == "" {
		return h, errors.New("its handshake line names no RPC protocol, want grpc (a net/rpc plugin is not a connector)")
	}
	h.Protocol = parts[4]
	if h.Protocol != string(plugin.ProtocolGRPC) {
		return h, fmt.Errorf("its handshake line names the RPC protocol %s, want grpc", quote(h.Protocol))
	}
	if len(parts) >= 6 && len(parts[5]) >= minCertField {
		der, err := base64.RawStdEncoding.DecodeString(parts[5])
		if err == nil {
			_, err = x509.ParseCertificate(der)
		}
		if err != nil {
			return h, fmt.Errorf("its handshake line carries a TLS certificate that is not valid: %w", err)
		}
		h.ServerCert = der
	}
	return h, nil
}

// quote quotes s for an error message, shortened, on one line.
func quote(s string) string {
	const limit = 120
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// versionList says which protocol versions a host supports.
func versionList(versions []int) string {
	sorted := slices.Sorted(slices.Values(versions))
	words := make([]string, len(sorted))
	for i, v := range sorted {
		words[i] = strconv.Itoa(v)
	}
	if len(words) == 1 {
		return "version " + words[0]
	}
	return "versions " + strings.Join(words, ", ")
}

// appVersions are the connector protocol versions this host speaks; New
// offers all of them unless Config.ProtocolVersions says otherwise.
var appVersions = []int{ProtocolVersion1, ProtocolVersion2}

// explainStart turns go-plugin's error from a failed start (or the error of
// a check after it) into one sentence naming the executable and the cause.
// It is called once the process was reaped and its output read, so that it
// knows how the process ended and what it printed. versions are the
// connector protocol versions the host offered.
func (r *processRunner) explainStart(goPluginErr error, versions []int) error {
	if err := r.startError(); err != nil {
		return fmt.Errorf("start connector %s: %s", r.path, execFailure(r.path, err))
	}
	line, printed, truncated := r.firstLine()
	if printed {
		if truncated {
			return fmt.Errorf("start connector %s: its first line on stdout is longer than %d bytes, not a plugin handshake line (%s): %s",
				r.path, firstLineLimit, handshakeFormat, quote(line))
		}
		if _, err := parseHandshakeLine(line, versions); err != nil {
			return fmt.Errorf("start connector %s: %w", r.path, err)
		}
		return fmt.Errorf("start connector %s: %w", r.path, goPluginErr)
	}
	if state := r.exitState(); state != nil {
		return fmt.Errorf("start connector %s: the process %s before the plugin handshake", r.path, describeExit(state))
	}
	return fmt.Errorf("start connector %s: %w", r.path, goPluginErr)
}

// execFailure says why the executable at path could not be started.
func execFailure(path string, err error) string {
	if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
		return "it is a directory, not an executable"
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "the file does not exist"
	case errors.Is(err, fs.ErrPermission):
		return "the file is not executable (permission denied)"
	case errors.Is(err, syscall.ENOEXEC):
		return "the file is not a program this machine can run (exec format error)"
	}
	return err.Error()
}

// describeExit says how a process ended: "exited with status 3" or "was
// killed (signal: killed)".
func describeExit(state *os.ProcessState) string {
	if code := state.ExitCode(); code >= 0 {
		return fmt.Sprintf("exited with status %d", code)
	}
	return fmt.Sprintf("was killed (%s)", state)
}

// checkStarted checks what go-plugin accepted from a connector the client
// started: with Config.AutoMTLS the handshake line must carry the
// connector's certificate (otherwise every call would fail with an obscure
// TLS error), and a unix socket is made accessible to the host's user only.
func (c *Client) checkStarted(cfg Config) error {
	line, _, _ := c.runner.firstLine()
	h, err := parseHandshakeLine(line, c.offered)
	if err != nil {
		// go-plugin accepted it: it parses lines more leniently.
		return err
	}
	if cfg.AutoMTLS && h.ServerCert == nil {
		return errors.New("the connector does not support Config.AutoMTLS: its handshake line carries no TLS certificate (it ignores PLUGIN_CLIENT_CERT)")
	}
	if h.Network == "unix" {
		c.restrictSocket(h.Address)
	}
	return nil
}

// restrictSocket makes the connector's unix socket readable and writable
// by the host's user only. The private directory go-plugin made for it
// (mode 0700) already keeps other users out; this also holds if the
// directory's mode is changed later, and it warns about a connector that
// put its socket elsewhere (it ignored PLUGIN_UNIX_SOCKET_DIR). (A connector
// built with package cpluginv1/server puts its socket into a private
// directory of its own inside the directory a host names, if that one is not
// private.)
//
// The path comes from the connector: the mode of a socket is changed, never
// that of another file the host's user owns, even if the connector swaps
// the path for a symbolic link meanwhile (see chmodSocket).
func (c *Client) restrictSocket(socket string) {
	if dir := c.runner.socketDir; dir != "" && !insideDir(socket, dir) {
		c.logger.Warn("the connector's unix socket is not in the private directory the host made for it: other users of the machine may be able to connect to it",
			"socket", socket, "directory", dir)
	}
	if err := chmodSocket(socket, 0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		c.logger.Warn("the connector's unix socket was left as it is: could not make it accessible to the host's user only",
			"socket", socket, "error", err)
	}
}

// insideDir reports whether path lies in the directory dir or below it.
func insideDir(path, dir string) bool {
	rel, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(path))
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../")
}
