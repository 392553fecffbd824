#!/usr/bin/env bash
# Runs every fuzz target of the repository's main module (each `func FuzzX`
# in a _test.go file outside the nested modules interop/ and tools/), one at
# a time, for FUZZTIME each (default 60s; CI uses a few seconds), and stops
# at the first target that fails. A failing input is saved by go test under
# the package's testdata/fuzz/<target>/ and replays as a regression test in
# every later `go test`; the script prints how to run it alone.
#
#   FUZZTIME=3s scripts/fuzz.sh       # or: make fuzz FUZZTIME=3s
#   scripts/fuzz.sh FuzzTracker       # only the targets named
#
# GO names the go command (default: go).
set -euo pipefail

cd "$(dirname "$0")/.."
go=${GO:-go}
fuzztime=${FUZZTIME:-60s}

# Directories of nested modules: their packages are not in the main module.
nested=$(git ls-files --cached --others --exclude-standard -- '*/go.mod' | xargs -r -n1 dirname)
in_nested() {
  local file=$1 dir
  for dir in $nested; do
    case $file in "$dir"/*) return 0 ;; esac
  done
  return 1
}

# "package-dir target" pairs, sorted, one per line.
targets=()
while IFS= read -r file; do
  in_nested "$file" && continue
  while IFS= read -r name; do
    targets+=("./$(dirname "$file") $name")
  done < <(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file")
done < <(git ls-files --cached --others --exclude-standard -- '*_test.go' | sort)

if [ "$#" -gt 0 ]; then
  wanted=" $* "
  selected=()
  for t in "${targets[@]}"; do
    case $wanted in *" ${t#* } "*) selected+=("$t") ;; esac
  done
  targets=("${selected[@]}")
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi

# count_inputs prints how many inputs the corpus directory $1 holds.
count_inputs() {
  if [ -d "$1" ]; then find "$1" -type f | wc -l; else echo 0; fi
}

echo "fuzz: ${#targets[@]} targets, $fuzztime each"
start=$SECONDS
for t in "${targets[@]}"; do
  pkg=${t% *}
  name=${t#* }
  began=$SECONDS
  log=$(mktemp)
  corpus="$pkg/testdata/fuzz/$name"
  inputs_before=$(count_inputs "$corpus")
  status=0
  "$go" test -run='^$' -fuzz="^${name}\$" -fuzztime="$fuzztime" "$pkg" >"$log" 2>&1 || status=$?
  inputs_after=$(count_inputs "$corpus")
  # Go 1.26's fuzzing coordinator can fail a target with a bare "context
  # deadline exceeded" when -fuzztime ends while a worker is mid-call
  # (golang.org/issue/75804, fixed in Go 1.27): no input failed, and none
  # is written. Only that case is let through; a failure that wrote an
  # input, or that reports a failing input or a panic, still fails.
  if [ "$status" -ne 0 ] && [ "$inputs_after" -eq "$inputs_before" ] &&
    [ "$(grep -c '^--- FAIL' "$log")" -eq 1 ] && grep -q '^    context deadline exceeded$' "$log" &&
    ! grep -qi 'failing input\|panic:' "$log"; then
    echo "fuzz: $name in $pkg stopped with Go's fuzztime deadline race and no failing input; counted as passed" >&2
    status=0
  fi
  if [ "$status" -ne 0 ]; then
    cat "$log"
    rm -f "$log"
    echo >&2
    echo "fuzz: $name in $pkg failed after $((SECONDS - began))s." >&2
    echo "fuzz: a failing input is saved under $pkg/testdata/fuzz/$name/; replay it with" >&2
    echo "fuzz:   $go test -run='^$name\$' $pkg" >&2
    exit 1
  fi
  # The cached corpus (in GOCACHE) grows with every run; a short FUZZTIME
  # may end before the target has replayed it all and tried new inputs.
  execs=$(grep -o 'execs: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2 || true)
  rm -f "$log"
  if [ -n "$execs" ]; then
    what="$execs execs"
  else
    what="only replayed the corpus (raise FUZZTIME)"
  fi
  printf 'fuzz: ok   %-32s %-40s %4ds  %s\n' "$name" "$pkg" "$((SECONDS - began))" "$what"
done
echo "fuzz: all ${#targets[@]} targets passed in $((SECONDS - start))s"
