package process_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// TestSocketIsPrivate: the connector's unix socket lives in a directory
// that only the host's user can enter (mode 0700), and the socket itself is
// readable and writable by that user only (mode 0600), also when the host
// runs with a umask that would let everyone in (the connector inherits it
// and creates its socket with mode 0777).
func TestSocketIsPrivate(t *testing.T) {
	ctx := testContext(t)
	oldMask := syscall.Umask(0)
	defer syscall.Umask(oldMask)
	c := launch(ctx, t, client.Config{})

	dir := filepath.Dir(c.socket)
	if filepath.Dir(dir) != c.base.socketDir {
		t.Errorf("socket directory %s is not in Config.SocketDir %s", dir, c.base.socketDir)
	}
	checkOwnerOnly(t, dir, os.ModeDir|0o700)
	checkOwnerOnly(t, c.socket, os.ModeSocket|0o600)

	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// checkOwnerOnly asserts that path has the given type and permissions and
// belongs to the test's user.
func checkOwnerOnly(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	if got := info.Mode() & (os.ModeType | os.ModePerm); got != want {
		t.Errorf("%s has mode %v, want %v", path, got, want)
	}
	if st, ok := info.Sys().(*syscall.Stat_t); !ok || int(st.Uid) != os.Getuid() {
		t.Errorf("%s is not owned by the test's user %d", path, os.Getuid())
	}
}

// TestAutoMTLS: with Config.AutoMTLS a real connector process runs a full
// source and destination lifecycle (Configure, Start, Run, Stop, Teardown)
// over mutual TLS with certificates made for this launch. The socket speaks
// only TLS: a plain-text gRPC client gets no answer, and a TLS client
// without the host's certificate is refused, while the connector presents
// a certificate of its own.
func TestAutoMTLS(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{AutoMTLS: true})

	sourceLifecycle(ctx, t, c.Client)
	destinationLifecycle(ctx, t, c.Client)
	checkPlainTextRefused(ctx, t, c.socket)
	checkTLSWithoutHostCertRefused(t, c.socket)

	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}

// sourceLifecycle runs a source through Configure, Start, Run (three
// records, each acked), Stop and Teardown, as a host does.
func sourceLifecycle(ctx context.Context, t *testing.T, c *client.Client) {
	t.Helper()
	src := c.Source()
	if _, err := src.Configure(ctx, cpluginv1.SourceConfigureRequest{Config: map[string]string{"records": "3"}}); err != nil {
		t.Fatalf("source Configure: %v", err)
	}
	if _, err := src.Start(ctx, cpluginv1.SourceStartRequest{}); err != nil {
		t.Fatalf("source Start: %v", err)
	}
	run := cpluginv1.RunSource(ctx, src)
	for i := range 3 {
		resp, err := run.Recv()
		if err != nil || string(resp.Record.Position) != position(i) {
			t.Fatalf("source Recv %d = %q, %v, want %s", i, resp.Record.Position, err, position(i))
		}
		if err := run.Send(cpluginv1.SourceRunRequest{AckPosition: resp.Record.Position}); err != nil {
			t.Fatalf("source ack %d: %v", i, err)
		}
	}
	stop, err := src.Stop(ctx, cpluginv1.SourceStopRequest{})
	if err != nil || string(stop.LastPosition) != position(2) {
		t.Fatalf("source Stop = %q, %v, want the last position %s", stop.LastPosition, err, position(2))
	}
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("source Recv after CloseSend = %v, want io.EOF", err)
	}
	if _, err := src.Teardown(ctx, cpluginv1.SourceTeardownRequest{}); err != nil {
		t.Fatalf("source Teardown: %v", err)
	}
}

// destinationLifecycle runs a destination through Configure, Start, Run
// (three records, each acked), Stop and Teardown, as a host does.
func destinationLifecycle(ctx context.Context, t *testing.T, c *client.Client) {
	t.Helper()
	dst := c.Destination()
	if _, err := dst.Configure(ctx, cpluginv1.DestinationConfigureRequest{}); err != nil {
		t.Fatalf("destination Configure: %v", err)
	}
	if _, err := dst.Start(ctx, cpluginv1.DestinationStartRequest{}); err != nil {
		t.Fatalf("destination Start: %v", err)
	}
	run := cpluginv1.RunDestination(ctx, dst)
	for i := range 3 {
		if err := run.Send(cpluginv1.DestinationRunRequest{Record: record(i)}); err != nil {
			t.Fatalf("destination Send %d: %v", i, err)
		}
		if ack, err := run.Recv(); err != nil || string(ack.AckPosition) != position(i) {
			t.Fatalf("destination Recv %d = %q, %v, want the ack of %s", i, ack.AckPosition, err, position(i))
		}
	}
	if _, err := dst.Stop(ctx, cpluginv1.DestinationStopRequest{LastPosition: []byte(position(2))}); err != nil {
		t.Fatalf("destination Stop: %v", err)
	}
	_ = run.CloseSend()
	if _, err := run.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("destination Recv after CloseSend = %v, want io.EOF", err)
	}
	if _, err := dst.Teardown(ctx, cpluginv1.DestinationTeardownRequest{}); err != nil {
		t.Fatalf("destination Teardown: %v", err)
	}
}

// refusalLimit bounds each attempt to talk to a connector that must refuse
// it. A refusal takes milliseconds; the bound is generous for a loaded
// machine, as a timeout fails the checks below rather than passing them.
const refusalLimit = 10 * time.Second

// checkPlainTextRefused asserts that a plain-text gRPC client cannot talk
// to the connector on socket: its connection is refused (UNAVAILABLE), not
// merely slow (DEADLINE_EXCEEDED) or answered with an error.
func checkPlainTextRefused(ctx context.Context, t *testing.T, socket string) {
	t.Helper()
	conn, err := grpc.NewClient("unix://"+socket, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	defer func() { _ = conn.Close() }()
	callCtx, cancel := context.WithTimeout(ctx, refusalLimit)
	defer cancel()
	_, err = grpc_health_v1.NewHealthClient(conn).Check(callCtx, &grpc_health_v1.HealthCheckRequest{Service: "plugin"})
	if err == nil {
		t.Fatal("a plain-text gRPC client got an answer from a connector started with AutoMTLS")
	}
	t.Logf("plain-text health check: %v", err)
	if code := status.Code(err); code != codes.Unavailable {
		t.Errorf("plain-text health check failed with code %v, want Unavailable: the connection must be refused", code)
	}
}

// checkTLSWithoutHostCertRefused asserts that the connector on socket
// speaks TLS with a certificate, and refuses a client that presents a
// certificate other than the host's.
func checkTLSWithoutHostCertRefused(t *testing.T, socket string) {
	t.Helper()
	raw, err := net.DialTimeout("unix", socket, refusalLimit)
	if err != nil {
		t.Fatalf("dial %s: %v", socket, err)
	}
	_ = raw.SetDeadline(time.Now().Add(refusalLimit))
	foreign := selfSignedCert(t)
	conn := tls.Client(raw, &tls.Config{
		InsecureSkipVerify: true, // the point is to look at what the server presents
		// Offered even though the server asks for one signed by the host's
		// certificate.
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &foreign, nil },
		NextProtos:           []string{"h2"},
	})
	defer func() { _ = conn.Close() }()
	err = conn.Handshake()
	if err == nil {
		if len(conn.ConnectionState().PeerCertificates) == 0 {
			t.Error("the connector presented no TLS certificate")
		}
		// With TLS 1.3 the server checks the client's certificate after
		// the client's side of the handshake is done: its verdict arrives
		// with the first read.
		_, err = conn.Read(make([]byte, 1))
	}
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a TLS client with a foreign certificate: %v, want the connector to refuse the certificate", err)
	}
	t.Logf("TLS client with a foreign certificate: %v", err)
}

// selfSignedCert returns a certificate and key nobody trusts.
func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestAutoMTLSConnectorWithoutSupport: a connector that ignores the host's
// certificate answers with a handshake line without one. New says that the
// connector does not support AutoMTLS, instead of failing every call with
// a TLS error.
func TestAutoMTLSConnectorWithoutSupport(t *testing.T) {
	ctx := testContext(t)
	base := takeBaseline(t)
	_, err := client.New(ctx, client.Config{
		Path:      faultConnector,
		SocketDir: base.socketDir,
		AutoMTLS:  true,
		Env:       []string{"FAULT=print-line", "FAULT_LINE=1|1|unix|/tmp/no-such.sock|grpc|"},
	})
	checkOneSentence(t, err, "start connector "+faultConnector, "does not support Config.AutoMTLS")
	base.check(t)
}

// TestAutoMTLSWithReattachIsRefused: the certificates of a launch live only
// in the client that started the process, so New refuses to reattach with
// AutoMTLS instead of failing every call later.
func TestAutoMTLSWithReattachIsRefused(t *testing.T) {
	ctx := testContext(t)
	c := launch(ctx, t, client.Config{AutoMTLS: true})
	_, err := client.New(ctx, client.Config{Reattach: c.ReattachConfig(), AutoMTLS: true})
	if err == nil || !strings.Contains(err.Error(), "AutoMTLS cannot be combined with Config.Reattach") {
		t.Errorf("New with Reattach and AutoMTLS = %v, want a refusal", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	c.checkNothingLeft(t)
}
