// Package pluginconfig holds the values a host and a standalone connector
// process must agree on when the host starts the connector: the plugin
// handshake (protocol version and magic cookie), the names of the three
// plugins, the environment variables the host passes, and the default
// message size limit. They are fixed by the existing Conduit hosts and
// connectors.
//
// Both sides take them from here: package cpluginv1/server (the connector
// side) and package cpluginv1/client (the host side), which do not import
// each other. A connector written in another language uses the same
// values; a connector written with package server never needs this
// package, because server.Serve reads the environment itself.
//
// The package holds plain constants and imports nothing, so it links
// neither gRPC nor protobuf nor hashicorp/go-plugin. Packages server and
// client build go-plugin's HandshakeConfig from [ProtocolVersion],
// [MagicCookieKey] and [MagicCookieValue].
package pluginconfig
