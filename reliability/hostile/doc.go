// Package hostile tests both sides of the standalone transport against a
// peer that is not built with this repository and does what it likes within
// what the wire allows: a connector that performs hashicorp/go-plugin's
// handshake itself and answers with hand-made bytes
// (internal/hostileconnector), and a host that drives a connector built
// with cpluginv1/server with a raw gRPC client. Each test is one class of
// defect found by a hostile-peer review, and asserts a bound as a number:
//
//   - memory: a record message whose content makes a decoder allocate a lot
//     for few bytes (here: empty metadata entries) costs the receiver, host
//     or connector, a small multiple of its size (runtime.MemStats);
//   - output: a connector that floods go-plugin's stdio stream without a
//     newline, or prints an over-long line to its real stdout, neither
//     grows the host's memory nor stalls the connector;
//   - time: New returns within the configured start timeout or context
//     (plus a margin) when the connector's socket never speaks gRPC, and
//     Close within client.Config.CloseGrace (plus a margin) when the
//     connector's children hold its stdout and stderr, which end with it;
//   - files: the host changes the mode of the connector's socket without
//     following a symbolic link the connector swaps in, and a connector
//     makes its socket private whatever directory the host names;
//   - errors: they name the executable, say what happened in words that
//     are true (no "did its process exit?" for a process that runs), read
//     the whole line they judge, name the size limit a message broke, and
//     carry at most 4 KiB of valid UTF-8 from the other process.
//
// The package holds only tests. Its TestMain builds the hostile connector
// and a connector built with cpluginv1/server (internal/servedconnector)
// into a temporary directory.
package hostile
