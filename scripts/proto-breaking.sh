#!/usr/bin/env bash
# Checks proto/ for breaking changes (buf breaking, rules from buf.yaml)
# against the previous commit on main: HEAD~1 when HEAD is main's tip (CI on
# main), otherwise the merge base with main. Prints a message and succeeds
# when there is no previous contract to compare with (the first commit).
set -euo pipefail

buf() { go tool -modfile=tools/go.mod buf "$@"; }

if git rev-parse --verify -q main >/dev/null && [ "$(git rev-parse HEAD)" != "$(git rev-parse main)" ]; then
  against=$(git merge-base HEAD main)
else
  against=$(git rev-parse -q --verify HEAD~1 || true)
fi
if [ -z "$against" ] || [ -z "$(git ls-tree -r --name-only "$against" -- proto)" ]; then
  echo "proto-breaking: no earlier commit with proto/ to compare with; skipped (first commit of the contract)"
  exit 0
fi

# The earlier tree needs the same git-ignored buf/validate module, so build it
# in a scratch worktree and compare against an image of it.
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/prev" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
git worktree add --detach -q "$tmp/prev" "$against"
mkdir -p "$tmp/prev/build"
cp -r build/protovalidate "$tmp/prev/build/protovalidate"
(cd "$tmp/prev" && buf build proto -o "$tmp/prev.binpb")
echo "proto-breaking: comparing proto/ with $(git rev-parse --short "$against")"
buf breaking proto --against "$tmp/prev.binpb"
echo "proto-breaking: no breaking changes"
