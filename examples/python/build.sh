#!/bin/sh
# Generates the Python bindings into gen/ (git-ignored) from the contract in
# ../../proto and the go-plugin service definitions in ../goplugin-proto,
# with buf and the local plugins named in buf.gen.yaml. Needs Go (for buf,
# pinned in tools/go.mod), protoc and grpc_python_plugin (Debian packages
# protobuf-compiler and protobuf-compiler-grpc). Safe to run again.
# buf/validate/validate.proto, which the contract imports, comes from the
# repository's buf workspace (buf.yaml: third_party/protovalidate).
set -eu
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$root"
go tool -modfile=tools/go.mod buf generate --template examples/python/buf.gen.yaml
