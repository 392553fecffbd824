// Package realconduit holds the tests that prove this repository's connectors
// and host client compatible with the real, unmodified programs of the
// Conduit project, not with stand-ins of our own. It has no API; everything
// is in its tests.
//
// It is a separate Go module so that the main module never depends on it.
// It links only this repository's implementation of the protocol: Conduit
// and the connectors written with Conduit's SDK are built from their own
// modules, at exact versions, as separate executables, and meet ours only
// over the plugin handshake and gRPC.
//
// What the tests prove, under the Conduit server v0.14.0 with pipeline
// configuration files, each test with its own database and directories and
// Conduit on loopback ports the system picks:
//
//   - examples/sequence (standalone source) to examples/jsonlines (standalone
//     destination): Conduit configures both, sends LifecycleOnCreated and
//     opens them; each of N records, structured and through all four
//     operations, arrives once, in order and unchanged.
//   - examples/sequence to Conduit's builtin:file, and Conduit's
//     builtin:generator (with its default schema extraction) to
//     examples/jsonlines: every record once, in order.
//   - Lifecycle and resume, on one database: a stop (SIGINT) in the middle
//     of an unbounded stream; a restart with changed settings, which sends
//     LifecycleOnUpdated and continues right after the last acked position
//     (after a graceful stop nothing is sent twice: across the runs every
//     position appears exactly once); a restart with the pipeline file
//     removed, which makes Conduit start our connectors only to send
//     LifecycleOnDeleted, without Configure.
//   - In every run: Conduit exits with status 0 after SIGINT, each
//     connector process exits cleanly, and Conduit's JSON log (on its
//     stdout) holds no line at level error, apart from the two lines
//     Conduit v0.14.0 logs on every graceful stop with any connectors
//     ("stopping source connector" and "stopping source node" with the error
//     "graceful shutdown"), and no warning about our connectors.
//   - A control: a connector that answers the lifecycle events with
//     Unimplemented, as ours did before the fix, fails under Conduit, and
//     the log checks say so (internal/unimplementedlifecycle).
//   - Protocol v2: Conduit offers versions 1 and 2 and our connectors serve
//     both, so they speak v2 with Conduit; its log says so for each
//     connector (go-plugin's "using plugin" with version 2, and the
//     connector's own "serving connector protocol" with protocol_version 2),
//     and every record arrives exactly once, in order.
//   - The other direction: Conduit's generator connector v0.10.2, written
//     with the Go connector SDK, runs in its default settings under
//     cpluginv1/client, which offers it the connector utilities (the schema
//     service) by itself; the SDK registers its payload schema once, and
//     every record names it. The client and the SDK speak protocol v2 (the
//     highest version both serve), and v1 when the client offers only v1;
//     every record arrives once, in order, either way.
//
// Run it with `make real-conduit` from the repository root, or
// `cd realconduit && go test -race -count=1 ./...`. It needs only Go and
// the Go module proxy. The first run builds Conduit v0.14.0 (a few minutes)
// and the generator connector from Go's module cache into
// $XDG_CACHE_HOME/cplugin (by default ~/.cache/cplugin), NAME-VERSION/NAME;
// later runs reuse them and take well under a minute. Delete that
// directory to rebuild them. Set REALCONDUIT_LOG=1 to print Conduit's whole
// log for every run, not only for a test that fails. The tests need a Unix
// system: they stop Conduit with SIGINT.
package realconduit
