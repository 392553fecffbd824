package client

import (
	"fmt"
	"slices"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
)

// The connector protocol versions a host built with this package speaks
// (the constants of package pluginconfig).
const (
	// ProtocolVersion1 is protocol v1 (proto/connector/v1): one record or
	// ack per Run message, read and written by this package's own codec.
	ProtocolVersion1 = pluginconfig.ProtocolVersion1
	// ProtocolVersion2 is protocol v2 (proto/connector/v2): Run messages
	// carry batches. The connector's batches arrive one record or ack per
	// Recv; the host sends one record or ack per message.
	ProtocolVersion2 = pluginconfig.ProtocolVersion2
)

// DefaultProtocolVersions returns the versions New offers when
// Config.ProtocolVersions is empty: 1 and 2. A connector that serves both
// (any built with cpluginv1/server or the Go connector SDK) then speaks
// version 2.
func DefaultProtocolVersions() []int { return []int{ProtocolVersion1, ProtocolVersion2} }

// offeredVersions returns the protocol versions New offers for cfg, in
// ascending order, or an error naming a version this package cannot speak.
func offeredVersions(cfg Config) ([]int, error) {
	if len(cfg.ProtocolVersions) == 0 {
		return DefaultProtocolVersions(), nil
	}
	for _, v := range cfg.ProtocolVersions {
		if v != ProtocolVersion1 && v != ProtocolVersion2 {
			return nil, fmt.Errorf("Config.ProtocolVersions holds %d, which is not a connector protocol version this host speaks (%d or %d)", v, ProtocolVersion1, ProtocolVersion2)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(cfg.ProtocolVersions))), nil
}

// versionedClientPlugins returns go-plugin's plugin sets on the host side,
// one per version offered.
func versionedClientPlugins(versions []int, callOpts []grpc.CallOption) map[int]plugin.PluginSet {
	sets := make(map[int]plugin.PluginSet, len(versions))
	for _, v := range versions {
		if v == ProtocolVersion2 {
			sets[v] = clientPluginSetV2(callOpts)
		} else {
			sets[v] = clientPluginSet(callOpts)
		}
	}
	return sets
}

// clientPluginSetV2 is go-plugin's plugin set of protocol version 2 on the
// host side: the same plugin names as version 1's.
func clientPluginSetV2(callOpts []grpc.CallOption) plugin.PluginSet {
	return plugin.PluginSet{
		pluginconfig.PluginSpecifier: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newSpecifierClientV2(conn, callOpts)
		}},
		pluginconfig.PluginSource: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newSourceClientV2(conn, callOpts)
		}},
		pluginconfig.PluginDestination: grpcPlugin{dispense: func(conn *grpc.ClientConn) any {
			return newDestinationClientV2(conn, callOpts)
		}},
	}
}

// NewFromConnV2 is [NewFromConn] for protocol v2: the Client talks to the
// connector's connector.v2 services over conn (server.NewGRPCServer serves
// both versions). Its ProtocolVersion is 2.
func NewFromConnV2(conn grpc.ClientConnInterface, opts ...grpc.CallOption) *Client {
	c := &Client{version: ProtocolVersion2, specifier: newSpecifierClientV2(conn, opts)}
	c.setPlugins(newSourceClientV2(conn, opts), newDestinationClientV2(conn, opts))
	return c
}

// ProtocolVersion returns the connector protocol version the client speaks
// with the connector: the one negotiated in the plugin handshake (the
// highest version both offer), the version of Config.Reattach, 1 for a
// client from NewFromConn and 2 for one from NewFromConnV2.
func (c *Client) ProtocolVersion() int { return c.version }
