package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testCert returns a self-signed certificate in the handshake line's
// encoding (base64 of the DER, without padding), as go-plugin's server
// sends it with automatic mutual TLS.
func testCert(t testing.TB) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawStdEncoding.EncodeToString(der)
}

func TestParseHandshakeLine(t *testing.T) {
	cert := testCert(t)
	valid := []struct {
		name string
		line string
		want handshakeLine
	}{
		{"unix", "1|1|unix|/tmp/plugin-dir1/plugin2|grpc|", handshakeLine{1, 1, "unix", "/tmp/plugin-dir1/plugin2", "grpc", nil}},
		{"tcp, newline, no sixth field", "1|1|tcp|127.0.0.1:1234|grpc\r\n", handshakeLine{1, 1, "tcp", "127.0.0.1:1234", "grpc", nil}},
		{"short extra field is no certificate", "1|1|unix|/s|grpc|extra", handshakeLine{1, 1, "unix", "/s", "grpc", nil}},
		{"multiplexing field", "1|1|unix|/s|grpc||true", handshakeLine{1, 1, "unix", "/s", "grpc", nil}},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHandshakeLine(tt.line, []int{1})
			if err != nil {
				t.Fatalf("parseHandshakeLine(%q) = %v", tt.line, err)
			}
			if got.CoreVersion != tt.want.CoreVersion || got.AppVersion != tt.want.AppVersion ||
				got.Network != tt.want.Network || got.Address != tt.want.Address ||
				got.Protocol != tt.want.Protocol || got.ServerCert != nil {
				t.Errorf("parseHandshakeLine(%q) = %+v, want %+v", tt.line, got, tt.want)
			}
		})
	}

	t.Run("certificate", func(t *testing.T) {
		got, err := parseHandshakeLine("1|1|unix|/s|grpc|"+cert, []int{1})
		if err != nil {
			t.Fatalf("parseHandshakeLine: %v", err)
		}
		if _, err := x509.ParseCertificate(got.ServerCert); err != nil {
			t.Errorf("ServerCert does not parse: %v", err)
		}
	})

	invalid := []struct {
		name     string
		line     string
		versions []int
		want     []string // the error contains each
	}{
		{"empty", "", []int{1}, []string{"first line on stdout is empty", handshakeFormat}},
		{"log line", `{"level":"info","message":"starting"}`, []int{1}, []string{"not a plugin handshake line", handshakeFormat, `"{\"level\"`}},
		{"too few fields", "1|1|unix", []int{1}, []string{"not a plugin handshake line"}},
		{"core version not a number", "v1|1|unix|/s|grpc", []int{1}, []string{"not a plugin handshake line"}},
		{"core version", "2|1|unix|/s|grpc", []int{1}, []string{"core protocol version 2", "speaks version 1"}},
		{"app version not a number", "1|one|unix|/s|grpc", []int{1}, []string{`connector protocol version "one"`, "not a number"}},
		{"app version", "1|3|unix|/s|grpc", []int{1, 2}, []string{"connector protocol version 3", "supports versions 1, 2"}},
		{"app version, one supported", "1|2|unix|/s|grpc", []int{1}, []string{"connector protocol version 2", "supports version 1"}},
		{"network", "1|1|udp|127.0.0.1:1|grpc", []int{1}, []string{`network "udp"`, "want unix or tcp"}},
		{"empty unix path", "1|1|unix||grpc", []int{1}, []string{"empty unix socket path"}},
		{"tcp without port", "1|1|tcp|localhost|grpc", []int{1}, []string{`tcp address "localhost"`, "HOST:PORT"}},
		{"no protocol", "1|1|unix|/s", []int{1}, []string{"names no RPC protocol", "want grpc"}},
		{"net/rpc", "1|1|unix|/s|netrpc", []int{1}, []string{`RPC protocol "netrpc"`, "want grpc"}},
		{"certificate not base64", "1|1|unix|/s|grpc|" + strings.Repeat("!", 60), []int{1}, []string{"TLS certificate that is not valid"}},
		{"certificate not DER", "1|1|unix|/s|grpc|" + base64.RawStdEncoding.EncodeToString([]byte(strings.Repeat("x", 60))), []int{1}, []string{"TLS certificate that is not valid"}},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseHandshakeLine(tt.line, tt.versions)
			if err == nil {
				t.Fatalf("parseHandshakeLine(%q) succeeded", tt.line)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("parseHandshakeLine(%q) = %q, want it to say %q", tt.line, err, want)
				}
			}
		})
	}
}

func TestQuoteShortens(t *testing.T) {
	got := quote(strings.Repeat("a", 1000) + "\n")
	if len(got) > 130 || strings.Contains(got, "\n") || !strings.HasSuffix(got, "...") {
		t.Errorf("quote of a long line = %q, want at most ~120 characters on one line, ending in ...", got)
	}
}

// FuzzParseHandshakeLine feeds parseHandshakeLine what a connector process
// may print as its first line. It must never panic; an error is one line
// (it ends up in a host's log); and a line it accepts is one go-plugin
// accepts too, which round-trips through the format.
func FuzzParseHandshakeLine(f *testing.F) {
	for _, seed := range []string{
		"1|1|unix|/tmp/plugin-dir1/plugin2|grpc|",
		"1|1|tcp|127.0.0.1:1234|grpc",
		"1|1|unix|/s|grpc|" + testCert(f),
		"1|1|unix|/s|grpc||true",
		"2|1|unix|/s|grpc",
		"1|2|unix|/s|grpc",
		"1|1|udp|x|grpc",
		"1|1|unix|/s|netrpc",
		"1|1|unix|/s",
		"|||||",
		"hello world",
		"",
		"1|1|tcp|[::1]:80|grpc|" + strings.Repeat("A", 51),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		h, err := parseHandshakeLine(line, appVersions)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("error for %q spans lines: %q", line, err)
			}
			return
		}
		if h.CoreVersion != 1 || !slices.Contains(appVersions, h.AppVersion) || h.Protocol != "grpc" ||
			(h.Network != "unix" && h.Network != "tcp") || h.Address == "" {
			t.Fatalf("parseHandshakeLine(%q) accepted %+v", line, h)
		}
		again := strings.Join([]string{
			strconv.Itoa(h.CoreVersion), strconv.Itoa(h.AppVersion), h.Network, h.Address, h.Protocol,
			base64.RawStdEncoding.EncodeToString(h.ServerCert),
		}, "|")
		h2, err := parseHandshakeLine(again, appVersions)
		if err != nil {
			t.Fatalf("the line rebuilt from %+v does not parse: %v", h, err)
		}
		if h2.Address != h.Address || h2.Network != h.Network || string(h2.ServerCert) != string(h.ServerCert) {
			t.Fatalf("round trip changed %+v into %+v", h, h2)
		}
	})
}
