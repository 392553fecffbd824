#!/usr/bin/env bash
# Installs what the Python and TypeScript example connectors need to be
# generated, built and tested (go test ./examples/crosslang/), on a Debian
# machine (12 "bookworm" or later) that already has Go:
#
#   - python3-grpcio, python3-protobuf: the Python runtime of the Python example,
#     installed for Debian's /usr/bin/python3 only (another python3 first on
#     PATH, such as pyenv's, cannot import them; examples/python/connector
#     runs /usr/bin/python3)
#   - protobuf-compiler, protobuf-compiler-grpc: protoc and grpc_python_plugin,
#     the local plugins examples/python/buf.gen.yaml names
#   - nodejs and npm, if missing (the TypeScript example needs Node.js 20+)
#   - `npm ci` in examples/typescript: the npm packages pinned in its
#     package-lock.json, among them protoc-gen-es and tsc
#
# It is idempotent and quick when everything is there already: apt-get runs
# only for missing packages, `npm ci` only when package-lock.json changed
# since the last run. Run as root, or as a user who may use sudo.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"

step() { printf '==> %s\n' "$*"; }

sudo=""
if [ "$(id -u)" -ne 0 ]; then
	sudo="sudo"
fi

missing=()
for pkg in python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc; do
	if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$pkg")
	fi
done
# Node.js may come from elsewhere than Debian (for example a NodeSource
# package, which bundles npm and conflicts with Debian's npm): only install
# what no package provides yet.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)

if [ "${#missing[@]}" -gt 0 ]; then
	step "apt-get install ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -q
	$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
else
	step "Debian packages: all installed"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
	echo "Node.js $(node --version) is too old: the TypeScript example needs Node.js 20 or later." >&2
	exit 1
fi

# npm ci replaces node_modules from scratch, which takes a while; a stamp
# with the lock file's checksum tells whether it is still current.
lock_sum=$(sha256sum typescript/package-lock.json | cut -d' ' -f1)
stamp=typescript/node_modules/.ci-setup-lock-sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
	step "examples/typescript: node_modules matches package-lock.json"
else
	step "npm ci in examples/typescript"
	(cd typescript && npm ci --no-audit --no-fund)
	echo "$lock_sum" >"$stamp"
fi
