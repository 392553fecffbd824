// Package process tests how a host built with cpluginv1/client copes with a
// standalone connector process that misbehaves, and how the transport
// between them is secured:
//
//   - the connector process dies during Run (killed, or exiting by itself):
//     the host's Run stream ends at once with an error that says the
//     connector exited and how, matching client.ErrConnectorUnavailable;
//   - the connector hangs in Configure, Start, Stop or Teardown: the host's
//     call returns at its context's deadline, and Close kills the process
//     after client.Config.CloseGrace;
//   - the executable cannot run, exits before the plugin handshake, or
//     prints a handshake line the host does not accept: New fails with one
//     sentence naming the executable and the cause;
//   - the unix socket is accessible to the host's user only, and
//     client.Config.AutoMTLS secures the connection with mutual TLS.
//
// After every test nothing is left behind: the process was reaped, its
// socket and socket directory are gone, and no goroutine or file
// descriptor of the host is left.
//
// The package holds only tests. Its TestMain builds the misbehaving
// connector (internal/faultconnector) into a temporary directory; the
// faults are chosen by environment variables documented there.
package process
