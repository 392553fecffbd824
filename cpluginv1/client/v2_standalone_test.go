package client_test

import (
	"strings"
	"testing"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1"
	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/client"
)

// A client that reattaches to a connector speaks the version the first
// client negotiated, which ReattachConfig carries, also from a reattached
// client; a version the reattaching client does not offer is refused.
func TestStandaloneReattachKeepsTheProtocolVersion(t *testing.T) {
	ctx := testContext(t)
	first, err := client.New(ctx, client.Config{Path: testConnector(t)})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer func() { _ = first.Close() }()
	rc := first.ReattachConfig()
	if first.ProtocolVersion() != client.ProtocolVersion2 || rc.ProtocolVersion != client.ProtocolVersion2 {
		t.Fatalf("ProtocolVersion = %d, ReattachConfig's = %d; want 2 for a connector built with cpluginv1/server", first.ProtocolVersion(), rc.ProtocolVersion)
	}

	if _, err := client.New(ctx, client.Config{Reattach: rc, ProtocolVersions: []int{client.ProtocolVersion1}}); err == nil ||
		!strings.Contains(err.Error(), "Config.Reattach has connector protocol version 2, which is not in the versions offered (version 1)") {
		t.Errorf("New with Reattach of version 2 offering only version 1 = %v, want a refusal", err)
	}

	second, err := client.New(ctx, client.Config{Reattach: rc})
	if err != nil {
		t.Fatalf("New with Reattach: %v", err)
	}
	defer func() { _ = second.Close() }()
	if v := second.ProtocolVersion(); v != client.ProtocolVersion2 {
		t.Errorf("ProtocolVersion of the reattached client = %d, want 2", v)
	}
	if v := second.ReattachConfig().ProtocolVersion; v != client.ProtocolVersion2 {
		t.Errorf("ReattachConfig of the reattached client has protocol version %d, want 2", v)
	}
	resp, err := second.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
	if err != nil || resp.Name != "testconn" {
		t.Fatalf("Specify through the reattached client = %q, %v", resp.Name, err)
	}
}
