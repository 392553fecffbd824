#!/bin/sh
# Builds the TypeScript example: generates the bindings into src/gen from the
# contract in ../../proto and the go-plugin service definitions in
# ../goplugin-proto with buf, then compiles src/ to dist/ with tsc. Both
# directories are git-ignored. Needs Go (for buf, pinned in tools/go.mod),
# Node.js and `npm ci` in this directory. Safe to run again.
# buf/validate/validate.proto, which the contract imports, comes from the
# repository's buf workspace (buf.yaml: third_party/protovalidate).
set -eu
here=$(dirname "$(readlink -f "$0")")
root=$(cd "$here/../.." && pwd)
cd "$root"
go tool -modfile=tools/go.mod buf generate --template examples/typescript/buf.gen.yaml
cd "$here"
rm -rf dist
node_modules/.bin/tsc -p .
