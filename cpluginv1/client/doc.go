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
// [Client.Close] asks the connector to shut down and kills its process if it
// has not exited shortly after, also when it does not answer at all (a hung
// or stopped process), so a host never waits on a connector that is gone.
package client
