// Package client is the host side of a standalone connector process: it
// starts the connector's executable, performs the hashicorp/go-plugin
// handshake a connector built with package cpluginv1/server (or any
// implementation of the protocol) expects, and hands out the connector's
// plugins as the Go interfaces of package cpluginv1.
//
// Host authors use [New] once per connector process and drive the plugins
// the same way they drive a built-in connector, usually through
// [cpluginv1.RunSource] and [cpluginv1.RunDestination]:
//
//	c, err := client.New(ctx, client.Config{Path: "/connectors/file", ConnectorID: id, Logger: logger})
//	...
//	defer c.Close()
//	spec, err := c.Specifier().Specify(ctx, cpluginv1.SpecifierSpecifyRequest{})
//
// The transport adds no behaviour of its own: every call is converted to
// protobuf, sent and its answer converted back, and a connector's error
// arrives with its message and sentinel, as the table in
// cpluginv1/errors.go says. [NewFromConn] talks to a connector over a gRPC
// connection the caller made, which tests use with server.NewGRPCServer to
// run host and connector in one process.
//
// # Protocol versions
//
// [New] offers connector protocol v1 and v2 in the plugin handshake
// ([Config.ProtocolVersions] offers only some), and the connector picks the
// highest version it serves of those: version 2 for a connector built with
// package cpluginv1/server or the Go connector SDK. [Client.ProtocolVersion]
// says which. Whatever the version, [Client.Source] and [Client.Destination]
// give the connector to the cpluginv1 API (a record at a time: a v2 batch is
// handed out one record or ack per Recv) and [Client.SourceV2] and
// [Client.DestinationV2] to the cpluginv2 API (a batch at a time: on v1
// every batch holds one element). On v2 a batch is one message both ways.
// Both versions are read and written by this module's own codec, straight
// between the wire and the Go types. [NewFromConnV2] is [NewFromConn] for
// version 2.
//
// [Client.Close] asks the connector to shut down and kills its process if it
// has not exited after [Config.CloseGrace], also when it does not answer at
// all (a hung or stopped process), so a host never waits on a connector that
// is gone.
//
// # Failures
//
// Every failure of a connector process is reported in one sentence naming
// the executable and the cause. [New] says whether the file could not be
// run (missing, not executable, not a program for this machine), whether
// the process exited before the plugin handshake (and with which status),
// or what is wrong with the handshake line it printed (not a handshake line
// at all, another core protocol version, a connector protocol version the
// host does not support, a network other than unix or tcp, an RPC protocol
// other than gRPC), followed by the last lines the connector logged. A call
// that fails because the process ended says so and how, for example
// "connector /connectors/file exited (signal: killed) during Run", and
// matches [ErrConnectorUnavailable]. A call to a connector that hangs
// returns when its context ends.
//
// # Security of the transport
//
// The connector listens on a unix socket in a directory that New makes for
// this process alone (in [Config.SocketDir]), accessible to the host's user
// only (mode 0700); New also makes the socket itself accessible to that user
// only (mode 0600), and Close removes both. Other users of the machine
// therefore cannot connect to the connector. [Config.AutoMTLS] adds mutual
// TLS with certificates generated for this launch only, for hosts that
// want the connection authenticated and encrypted as well.
//
// The magic cookie the host passes (pluginconfig.MagicCookieKey) is no
// security: it only keeps a connector from being run by accident, for
// example by hand from a shell, and its value is public.
//
// The calls every plugin service has (Configure, Teardown, the lifecycle
// events) are made by one piece of code, calls.go, for sources and
// destinations of both protocol versions; source.go and destination.go
// hold the rest of each plugin (Start or Open, Stop, Run). The host's end of
// a Run stream reads and writes the gRPC stream directly: stream.go for
// protocol v1's messages, v2_stream.go for v2's batches.
//
// Package client does not import package server: the values both sides
// agree on (handshake, plugin names, environment variables, the default
// message size) are in package cpluginv1/pluginconfig.
package client
