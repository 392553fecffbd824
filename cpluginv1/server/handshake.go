package server

import plugin "github.com/hashicorp/go-plugin"

// The plugin handshake of protocol v1. Hosts and connectors must agree on
// every value; they are fixed by the existing Conduit hosts and connectors.
const (
	// ProtocolVersion is the application protocol version this package
	// serves: protocol v1 of the contract in proto/connector/v1.
	ProtocolVersion = 1
	// MagicCookieKey is the environment variable a host sets when it starts
	// a connector, so that a connector started by hand can say so. The
	// cookie guards against running a connector by accident; it is no
	// security: the value is public, and anyone who can run the executable
	// can set it.
	MagicCookieKey = "CONDUIT_PLUGIN_MAGIC_COOKIE"
	// MagicCookieValue is the value of MagicCookieKey. It is not a secret.
	MagicCookieValue = "204e8e812c3a1bb73b838928c575b42a105dd2e9aa449be481bc4590486df53f"
)

// The names of the plugins in go-plugin's plugin set of protocol version 1.
const (
	// PluginSpecifier names the SpecifierPlugin.
	PluginSpecifier = "specifier"
	// PluginSource names the SourcePlugin.
	PluginSource = "source"
	// PluginDestination names the DestinationPlugin.
	PluginDestination = "destination"
)

// Handshake is the go-plugin handshake configuration of protocol v1, shared
// by this package and the host side (package cpluginv1/client).
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   MagicCookieKey,
	MagicCookieValue: MagicCookieValue,
}

// Environment variables a host passes to the connector process.
const (
	// EnvMaxReceiveRecordSize holds the largest message, in bytes, the host
	// sends on a Run stream, which is the connector's receive limit. The
	// default is [DefaultMaxMessageSize].
	EnvMaxReceiveRecordSize = "CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE"
	// EnvLogLevel holds the level the connector should log at: trace,
	// debug, info, warn or error.
	EnvLogLevel = "CONDUIT_CONNECTOR_LOG_LEVEL"
	// EnvToken holds the token the connector sends with every call of the
	// connector utilities (gRPC metadata "conduit-connector-token").
	EnvToken = "CONDUIT_CONNECTOR_TOKEN"
	// EnvUtilitiesGRPCTarget holds the gRPC target of the connector
	// utilities the host offers (the schema service).
	EnvUtilitiesGRPCTarget = "CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET"
)

// DefaultMaxMessageSize is the default limit, in bytes, of a message sent
// or received on either side: 4 MiB, gRPC's own default.
const DefaultMaxMessageSize = 4 << 20
