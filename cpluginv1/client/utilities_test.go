package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/schemaregistry"
	connutilsv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connutils/v1"
	schemav1 "github.com/connectorkit/conduit-connector-protocol/gen/go/schema/v1"
)

// TestConnectorUtilities checks what New offers a connector when the host
// names no utilities of its own: a connector ID, a random token, and a
// schema service on a unix socket in a directory only the host's user can
// enter, which serves the given registry to calls with the token only, and
// is gone after Close.
func TestConnectorUtilities(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	registry := schemaregistry.New()
	c, err := client.New(ctx, client.Config{
		Path:        testConnector(t),
		SkipHostEnv: true,
		Schemas:     registry,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer func() { _ = c.Close() }()

	resp, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil {
		t.Fatalf("Specify: %v", err)
	}
	var env testconnEnv
	if err := json.Unmarshal([]byte(resp.Description), &env); err != nil {
		t.Fatalf("decode environment: %v", err)
	}
	if env.ConnectorID != filepath.Base(testConnector(t)) {
		t.Errorf("connector ID = %q, want the executable's base name %q", env.ConnectorID, filepath.Base(testConnector(t)))
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(env.Token) {
		t.Errorf("token = %q, want 64 random hex digits", env.Token)
	}
	socket, ok := strings.CutPrefix(env.UtilitiesGRPCTarget, "unix://")
	if !ok || !filepath.IsAbs(socket) {
		t.Fatalf("utilities target = %q, want unix:// and an absolute path", env.UtilitiesGRPCTarget)
	}
	info, err := os.Stat(filepath.Dir(socket))
	if err != nil {
		t.Fatalf("stat the socket's directory: %v", err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("socket directory mode = %v, want 0700", perm)
	}

	conn, err := grpc.NewClient(env.UtilitiesGRPCTarget, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dial the utilities: %v", err)
	}
	defer func() { _ = conn.Close() }()
	schemas := connutilsv1.NewSchemaServiceClient(conn)
	create := func(ctx context.Context) (*connutilsv1.CreateSchemaResponse, error) {
		return schemas.CreateSchema(ctx, &connutilsv1.CreateSchemaRequest{
			Subject: "s", Type: schemav1.Schema_TYPE_AVRO, Bytes: []byte(`"string"`),
		})
	}
	for name, callCtx := range map[string]context.Context{
		"no token":    ctx,
		"wrong token": metadata.AppendToOutgoingContext(ctx, "conduit-connector-token", "guess"),
	} {
		if _, err := create(callCtx); err == nil || !strings.Contains(err.Error(), "Unauthenticated") {
			t.Errorf("CreateSchema with %s: %v, want Unauthenticated", name, err)
		}
	}
	if got := registry.List(); len(got) != 0 {
		t.Fatalf("registry after refused calls = %v, want empty", got)
	}
	created, err := create(metadata.AppendToOutgoingContext(ctx, "conduit-connector-token", env.Token))
	if err != nil {
		t.Fatalf("CreateSchema with the connector's token: %v", err)
	}
	if v := created.GetSchema().GetVersion(); v != 1 {
		t.Errorf("version = %d, want 1", v)
	}
	if got := registry.List(); len(got) != 1 || got[0].Subject != "s" {
		t.Errorf("registry = %v, want the one schema", got)
	}

	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := os.Stat(filepath.Dir(socket)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket's directory after Close: %v, want it removed", err)
	}
}
