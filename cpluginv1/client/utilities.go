package client

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	"github.com/connectorkit/conduit-connector-protocol/internal/connutils"
)

// utilities is the connector utilities' gRPC server New starts for one
// connector process: the schema service, on a unix socket of its own, for
// one token.
//
// The socket lives in a directory New makes for this launch with mode 0700,
// so only processes of the host's user can reach it, and every call must
// carry the token, which only the connector got (in its environment), so
// that among those only this connector is served. Connectors built with the
// Go connector SDK dial the target (a "unix://" gRPC target) with their own
// gRPC client, as they dial Conduit's loopback TCP address.
type utilities struct {
	dir    string // removed by stop
	target string // CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET
	token  string // CONDUIT_CONNECTOR_TOKEN
	server *grpc.Server
}

// utilitiesSocketName is the socket's name in the launch's directory.
const utilitiesSocketName = "utilities.sock"

// startUtilities serves schemas (nil: schemaregistry.Default()) to the
// connector that will get the returned target and token. socketDir is where
// the private directory is made; empty means the system's temporary
// directory.
func startUtilities(schemas cpluginv1.SchemaService, token, socketDir string) (*utilities, error) {
	if schemas == nil {
		schemas = schemaregistry.Default()
	}
	if token == "" {
		var b [32]byte
		_, _ = rand.Read(b[:]) // never fails (crypto/rand)
		token = hex.EncodeToString(b[:])
	}
	dir, err := os.MkdirTemp(socketDir, "cplugin-utils-")
	if err != nil {
		return nil, fmt.Errorf("start the connector utilities: %w", err)
	}
	// MkdirTemp makes the directory with mode 0700 already; say so here too,
	// since the socket's safety rests on it.
	if err := os.Chmod(dir, 0o700); err != nil { //nolint:gosec // a directory: 0700 lets its owner enter it, no one else
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the connector utilities: %w", err)
	}
	path := filepath.Join(dir, utilitiesSocketName)
	lis, err := net.Listen("unix", path)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start the connector utilities on %s (is Config.SocketDir short enough for a unix socket path?): %w", path, err)
	}
	s := grpc.NewServer()
	connutilsv1.RegisterSchemaServiceServer(s, connutils.NewServer(schemas, token))
	go func() { _ = s.Serve(lis) }() // ends when stop calls s.Stop
	return &utilities{dir: dir, target: "unix://" + path, token: token, server: s}, nil
}

// stop stops serving at once (the connector has gone) and removes the
// socket's directory.
func (u *utilities) stop() {
	u.server.Stop()
	_ = os.RemoveAll(u.dir)
}
