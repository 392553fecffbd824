// Package crosslang holds the tests that prove the contract works in other
// languages: they build the Python and TypeScript example connectors
// (examples/python, examples/typescript) from the proto files with buf, start
// them the way a host does, and drive them over gRPC and with the cplugin
// tool, also in pipelines mixed with the Go examples. Among other things
// they check that the connectors answer the lifecycle events with success,
// as the Conduit server requires, also LifecycleOnDeleted as the first call.
// The Python example serves protocol v1 and v2: the tests in
// python_v2_test.go check how it negotiates and run it on v2 (the other
// tests talk v1 to both examples over gRPC; cpluginv1/client offers 1 and 2,
// so the Python example speaks v2 through it, and cplugin check checks it
// over both).
//
// Nothing imports this package; it exists for its tests. They need Debian's
// python3-grpcio and python3-protobuf (for /usr/bin/python3, which the
// Python example runs), protoc and grpc_python_plugin, Node.js, and `npm ci`
// run in examples/typescript; examples/ci-setup.sh installs all of it (`make
// crosslang` runs it, then the tests). Without them the tests skip, except
// when CI=true or CROSSLANG_REQUIRED=1 is set, where they fail instead.
//
// TestMain ends with one line that says how many connectors were tested in
// how many tests, or why the tests skipped, such as
//
//	crosslang: 2 connectors tested (python: 27 tests, typescript: 21 tests)
//	crosslang: skipped: python: python3-grpcio not installed: ... (run make crosslang or bash examples/ci-setup.sh)
//
// go test prints it when it runs the package in its directory without
// arguments (as make crosslang does), with -v, or when a test fails. Given
// package paths (go test ./..., make test), go test shows only "ok" for a
// package that passed; then a run in which no test reached a connector
// reads "ok ... [no tests to run]".
package crosslang
