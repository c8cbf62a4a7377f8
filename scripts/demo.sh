#!/bin/sh
# demo.sh: the main job on a fresh machine: install, build, instrument the example program
# with an ordinary `make CC=cprof-gcc`, run it with CPROF=1 and show the report.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CPROF_BUILD:-$root/build}
"$root/scripts/install-deps.sh"
[ -f "$build/build.ninja" ] || meson setup "$build" "$root" >/dev/null
meson compile -C "$build" >/dev/null

demo=$(mktemp -d "${TMPDIR:-/tmp}/cprof-demo.XXXXXX")
cp "$root"/examples/wordfreq/* "$demo/"
make -s -C "$demo" CC="$build/wrapper/cprof-gcc"
echo "== the program's own output"
(cd "$demo" && CPROF=1 ./wordfreq)
echo "== cprof-analyze $demo/profile.json"
"$build/analyze/cprof-analyze" "$demo/profile.json"
