// Package crosslang holds the tests that prove the contract works in other
// languages: they build the Python and TypeScript example connectors
// (examples/python, examples/typescript) from the proto files with buf, start
// them the way a host does, and drive them over gRPC and with the cplugin
// tool, also in pipelines mixed with the Go examples.
//
// Nothing imports this package; it exists for its tests. They need python3
// with Debian's python3-grpcio and python3-protobuf, protoc and
// grpc_python_plugin, Node.js, and `npm ci` run in examples/typescript;
// examples/ci-setup.sh installs all of it. Without them the tests skip, except
// when CI=true or CROSSLANG_REQUIRED=1 is set, where they fail instead.
package crosslang
