package server

import (
	plugin "github.com/hashicorp/go-plugin"

	"github.com/connectorkit/conduit-connector-protocol/cpluginv1/pluginconfig"
)

// The plugin handshake of protocol v1. Hosts and connectors must agree on
// every value; package cpluginv1/pluginconfig holds them for both sides,
// and these are the same constants under the names this package has
// always had.
const (
	// ProtocolVersion is the application protocol version this package
	// serves: pluginconfig.ProtocolVersion.
	ProtocolVersion = pluginconfig.ProtocolVersion
	// MagicCookieKey is the environment variable a host sets when it starts
	// a connector, so that a connector started by hand can say so:
	// pluginconfig.MagicCookieKey. The cookie is no security.
	MagicCookieKey = pluginconfig.MagicCookieKey
	// MagicCookieValue is the value of MagicCookieKey:
	// pluginconfig.MagicCookieValue. It is not a secret.
	MagicCookieValue = pluginconfig.MagicCookieValue
)

// The names of the plugins in go-plugin's plugin set of protocol version 1
// (the same as in package pluginconfig).
const (
	// PluginSpecifier names the SpecifierPlugin.
	PluginSpecifier = pluginconfig.PluginSpecifier
	// PluginSource names the SourcePlugin.
	PluginSource = pluginconfig.PluginSource
	// PluginDestination names the DestinationPlugin.
	PluginDestination = pluginconfig.PluginDestination
)

// Handshake is the go-plugin handshake configuration of protocol v1, made
// of the values in package pluginconfig; the host side (package
// cpluginv1/client) makes the same one from them.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  pluginconfig.ProtocolVersion,
	MagicCookieKey:   pluginconfig.MagicCookieKey,
	MagicCookieValue: pluginconfig.MagicCookieValue,
}

// Environment variables a host passes to the connector process (the same
// as in package pluginconfig, which documents them).
const (
	// EnvMaxReceiveRecordSize holds the largest message, in bytes, the host
	// sends on a Run stream, which is the connector's receive limit. The
	// default is [DefaultMaxMessageSize].
	EnvMaxReceiveRecordSize = pluginconfig.EnvMaxReceiveRecordSize
	// EnvLogLevel holds the level the connector should log at: trace,
	// debug, info, warn or error.
	EnvLogLevel = pluginconfig.EnvLogLevel
	// EnvToken holds the token the connector sends with every call of the
	// connector utilities (gRPC metadata "conduit-connector-token").
	EnvToken = pluginconfig.EnvToken
	// EnvUtilitiesGRPCTarget holds the gRPC target of the connector
	// utilities the host offers (the schema service).
	EnvUtilitiesGRPCTarget = pluginconfig.EnvUtilitiesGRPCTarget
)

// DefaultMaxMessageSize is the default limit, in bytes, of a message sent
// or received on either side: 4 MiB, gRPC's own default
// (pluginconfig.DefaultMaxMessageSize).
const DefaultMaxMessageSize = pluginconfig.DefaultMaxMessageSize
