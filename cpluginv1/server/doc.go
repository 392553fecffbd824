// Package server is the connector side of a standalone connector process:
// it serves a connector's [cpluginv1.SpecifierPlugin], and its source and
// destination written against either Go API ([cpluginv1.SourcePlugin], a
// record at a time, or cpluginv2.SourcePlugin, a batch at a time; see
// [Connector]), over gRPC, after the hashicorp/go-plugin handshake a host
// expects. Either API is served to hosts of protocol v1 and v2.
//
// Connector authors call [Serve] from their main function and nothing
// else:
//
//	func main() {
//		err := server.Serve(server.Connector{Specifier: spec, Source: src})
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//	}
//
// The transport adds no behaviour of its own: every call is converted from
// protobuf, handed to the Go implementation and converted back, and errors
// cross the boundary as the table in cpluginv1/errors.go says. A host
// therefore sees the same results whether it runs the connector standalone
// (through package cpluginv1/client) or built-in.
//
// [NewGRPCServer] serves a connector on a gRPC server without the plugin
// handshake (with the caller's gRPC options, see [WithGRPCServerOptions]),
// in both protocol versions at once: tests use it to run connector and host
// in one process (client.NewFromConn speaks v1, client.NewFromConnV2 v2).
//
// The handshake values, plugin names and environment variables
// ([ProtocolVersion], [MagicCookieKey], [EnvLogLevel], ...) are the
// constants of package cpluginv1/pluginconfig under this package's names;
// the host side (package cpluginv1/client) takes them from there too, and
// the two packages do not import each other.
//
// # Protocol versions
//
// A connector served here speaks connector protocol v1 and v2
// (proto/connector/v1 and proto/connector/v2); [Serve] offers both to
// hashicorp/go-plugin, which picks the highest version the host lists in
// PLUGIN_PROTOCOL_VERSIONS (the Conduit server lists 1 and 2; a host that
// lists none gets 1), and serves only that version's services.
// [WithProtocolVersions] serves only some versions. The connector's Go code
// is the same for both. A cpluginv2 connector's batch is one v2 message
// (on v1, one message per record); a cpluginv1 connector's Send is a v2
// message of one record, and its Recv hands out a v2 batch's acks or
// records one by one. Every ack or record from the host is checked on its
// own, as in v1 (a refusal names the element and the message); the
// connector gets those of a batch before the refused one first. Open calls
// Start, and in the specification the deprecated Required flag of a
// parameter becomes a validation of type required.
// Errors, panics, lifecycle events and size limits behave as in v1. The
// version served is logged at debug level ("serving connector protocol",
// attribute protocol_version).
//
// # Security of the transport
//
// [Serve] listens on a unix socket in the directory the host names in
// PLUGIN_UNIX_SOCKET_DIR; a host built with package cpluginv1/client makes
// that directory for this process alone, accessible to the host's user
// only, and makes the socket accessible to that user only. If the host
// passes a certificate in PLUGIN_CLIENT_CERT (client.Config.AutoMTLS),
// Serve generates a certificate of its own for this launch, sends it in
// its handshake line and serves over mutual TLS, accepting only the host's
// certificate. A connector in another language should do the same, or
// the host refuses it when it asks for TLS.
//
// The magic cookie ([MagicCookieKey]) is no security: it only keeps a
// connector from being run by accident, for example by hand from a shell,
// where it explains what it is instead of waiting for a host.
package server
