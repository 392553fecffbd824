package pluginconfig

// The application protocol versions of the plugin handshake. A host lists
// the versions it speaks in go-plugin's PLUGIN_PROTOCOL_VERSIONS (the
// Conduit server sends 1 and 2); a connector that serves several picks the
// highest version in that list it serves, and names it in its handshake
// line. A host that sends no list gets the lowest version the connector
// serves.
const (
	// ProtocolVersion1 is protocol v1 (proto/connector/v1): one record or
	// ack per Run message. It is [ProtocolVersion].
	ProtocolVersion1 = ProtocolVersion
	// ProtocolVersion2 is protocol v2 (proto/connector/v2): Run messages
	// carry batches of records and acks, Start is called Open, and the
	// specification's parameters are config.v1.Parameter. The plugin names
	// and environment variables are those of protocol v1.
	ProtocolVersion2 = 2
)
