#!/usr/bin/env bash
# Checks the buf workspace for breaking changes (buf breaking, rules from
# buf.yaml) against the previous commit on main: HEAD~1 when HEAD is main's
# tip (CI on main), otherwise the merge base with main. Prints a message and
# succeeds when there is no previous contract to compare with (the first
# commit). Imported files are not compared (--exclude-imports):
# third_party/protovalidate/buf/validate/validate.proto is not ours, and its
# own module is exempt from our rules in buf.yaml.
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
short=$(git rev-parse --short "$against")

if git cat-file -e "$against:third_party/protovalidate/buf/validate/validate.proto" 2>/dev/null; then
  # The earlier commit builds on its own, as every commit since
  # buf/validate/validate.proto is committed: compare with it as a git input.
  echo "proto-breaking: comparing the workspace with $short"
  buf breaking --exclude-imports --against ".git#ref=$against"
else
  # Commits from before that read buf/validate from the git-ignored
  # build/protovalidate: build the earlier proto/ in a scratch worktree with
  # our copy at that path, and compare proto/ with an image of it.
  tmp=$(mktemp -d)
  trap 'git worktree remove --force "$tmp/prev" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
  git worktree add --detach -q "$tmp/prev" "$against"
  mkdir -p "$tmp/prev/build"
  cp -r third_party/protovalidate "$tmp/prev/build/protovalidate"
  (cd "$tmp/prev" && buf build proto -o "$tmp/prev.binpb")
  echo "proto-breaking: comparing proto/ with $short (a commit from before third_party/protovalidate)"
  buf breaking proto --exclude-imports --against "$tmp/prev.binpb"
fi
echo "proto-breaking: no breaking changes"
