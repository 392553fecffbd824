#!/bin/sh
# Generates the Python bindings into gen/ (git-ignored) from the contract in
# ../../proto and the go-plugin service definitions in ../goplugin-proto,
# with buf and the local plugins named in buf.gen.yaml. Needs Go (for buf,
# pinned in tools/go.mod), protoc and grpc_python_plugin (Debian packages
# protobuf-compiler and protobuf-compiler-grpc). Safe to run again.
set -eu
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$root"
# buf/validate/validate.proto, which the contract imports, is written from the
# Go module pinned in go.mod (git-ignored, like gen/).
make --no-print-directory protovalidate-proto >/dev/null
go tool -modfile=tools/go.mod buf generate --template examples/python/buf.gen.yaml
