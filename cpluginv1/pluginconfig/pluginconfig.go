package pluginconfig

// The plugin handshake of protocol v1, as hashicorp/go-plugin performs it.
const (
	// ProtocolVersion is the application protocol version of the
	// handshake: protocol v1 of the contract in proto/connector/v1.
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

// The environment variables a host passes to a connector process, besides
// go-plugin's own. Connectors built with the Conduit Go connector SDK
// refuse to start without EnvConnectorID, EnvToken and
// EnvUtilitiesGRPCTarget.
const (
	// EnvConnectorID holds the ID of the connector in the host's pipeline.
	EnvConnectorID = "CONDUIT_CONNECTOR_ID"
	// EnvToken holds the token the connector sends with every call of the
	// connector utilities (gRPC metadata "conduit-connector-token").
	EnvToken = "CONDUIT_CONNECTOR_TOKEN"
	// EnvUtilitiesGRPCTarget holds the gRPC target of the connector
	// utilities the host offers (the schema service).
	EnvUtilitiesGRPCTarget = "CONDUIT_CONNECTOR_UTILITIES_GRPC_TARGET"
	// EnvLogLevel holds the level the connector should log at: trace,
	// debug, info, warn or error.
	EnvLogLevel = "CONDUIT_CONNECTOR_LOG_LEVEL"
	// EnvMaxReceiveRecordSize holds the largest message, in bytes, the host
	// sends on a Run stream, which is the connector's receive limit. The
	// default is [DefaultMaxMessageSize].
	EnvMaxReceiveRecordSize = "CONDUIT_CONNECTOR_MAX_RECEIVE_RECORD_SIZE"
)

// DefaultMaxMessageSize is the default limit, in bytes, of a message sent
// or received on either side: 4 MiB, gRPC's own default. A built-in
// connector has no limit: nothing is serialised.
const DefaultMaxMessageSize = 4 << 20
