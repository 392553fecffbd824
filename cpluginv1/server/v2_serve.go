package server

import (
	"fmt"
	"slices"
	"sync"

	plugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
	connectorv1 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v1"
	connectorv2 "github.com/connectorkit/conduit-connector-protocol/gen/go/connector/v2"
)

// The connector protocol versions a connector served by this package
// speaks (the constants of package pluginconfig).
const (
	// ProtocolVersion1 is protocol v1 (proto/connector/v1), the same as
	// [ProtocolVersion].
	ProtocolVersion1 = pluginconfig.ProtocolVersion1
	// ProtocolVersion2 is protocol v2 (proto/connector/v2), whose Run
	// messages carry batches.
	ProtocolVersion2 = pluginconfig.ProtocolVersion2
)

// defaultVersions are the protocol versions served without
// [WithProtocolVersions].
var defaultVersions = []int{ProtocolVersion1, ProtocolVersion2}

// WithProtocolVersions sets the connector protocol versions the connector
// serves, out of [ProtocolVersion1] and [ProtocolVersion2]; by default it
// serves both. [Serve] offers one plugin set per version to go-plugin,
// which picks the highest version that the host also lists in
// PLUGIN_PROTOCOL_VERSIONS (or the lowest served, for a host that lists
// none) and serves only that version's services. [NewGRPCServer] registers
// the services of every version given. Tests use it to stand in for a
// connector that serves only one version.
func WithProtocolVersions(versions ...int) Option {
	return func(o *options) {
		if len(versions) == 0 {
			o.setErr(fmt.Errorf("protocol versions: none given, want %d, %d or both", ProtocolVersion1, ProtocolVersion2))
			return
		}
		for _, v := range versions {
			if v != ProtocolVersion1 && v != ProtocolVersion2 {
				o.setErr(fmt.Errorf("protocol version %d is not one this package serves (%d or %d)", v, ProtocolVersion1, ProtocolVersion2))
				return
			}
		}
		o.versions = slices.Compact(slices.Sorted(slices.Values(versions)))
	}
}

// servedVersions returns the protocol versions o serves, in ascending
// order.
func (o options) servedVersions() []int {
	if o.versions == nil {
		return defaultVersions
	}
	return o.versions
}

// registerVersions registers the connector's services of every version o
// serves on s, a server made here: protocol v1's and v2's services have
// names of their own (connector.v1.SourcePlugin, connector.v2.SourcePlugin,
// ...), so one server serves both, and a host talks to either.
func registerVersions(s grpc.ServiceRegistrar, c Connector, o options, g panicGuard) {
	c = c.withDefaults()
	for _, v := range o.servedVersions() {
		for _, name := range pluginNames {
			registerService(s, c, g, v, name)
		}
	}
}

// pluginNames are the names of the plugins of every protocol version.
var pluginNames = []string{PluginSpecifier, PluginSource, PluginDestination}

// registerService registers the service of the plugin name of protocol
// version on s. c has its defaults (Connector.withDefaults).
func registerService(s grpc.ServiceRegistrar, c Connector, g panicGuard, version int, name string) {
	v2 := version == ProtocolVersion2
	switch name {
	case PluginSpecifier:
		if v2 {
			connectorv2.RegisterSpecifierPluginServer(s, &specifierServerV2{v1: specifierServer{impl: c.Specifier, guard: g}})
		} else {
			connectorv1.RegisterSpecifierPluginServer(s, &specifierServer{impl: c.Specifier, guard: g})
		}
	case PluginSource:
		if v2 {
			connectorv2.RegisterSourcePluginServer(s, &sourceServerV2{impl: c.SourceV2, guard: g})
		} else {
			connectorv1.RegisterSourcePluginServer(s, &sourceServer{impl: c.Source, guard: g})
		}
	case PluginDestination:
		if v2 {
			connectorv2.RegisterDestinationPluginServer(s, &destinationServerV2{impl: c.DestinationV2, guard: g})
		} else {
			connectorv1.RegisterDestinationPluginServer(s, &destinationServer{impl: c.Destination, guard: g})
		}
	}
}

// versionedPlugins returns go-plugin's plugin sets, one per version o
// serves. go-plugin registers the services of the set of the version it
// picks, and the connector then logs that version at debug level (the
// message "serving connector protocol", with the attribute
// protocol_version), which shows in the host's log.
func versionedPlugins(c Connector, o options, g panicGuard) map[int]plugin.PluginSet {
	c = c.withDefaults()
	sets := make(map[int]plugin.PluginSet, 2)
	for _, version := range o.servedVersions() {
		var once sync.Once
		set := make(plugin.PluginSet, len(pluginNames))
		for _, name := range pluginNames {
			set[name] = grpcPlugin{register: func(s *grpc.Server) {
				once.Do(func() { o.logger.Debug("serving connector protocol", "protocol_version", version) })
				registerService(s, c, g, version, name)
			}}
		}
		sets[version] = set
	}
	return sets
}
