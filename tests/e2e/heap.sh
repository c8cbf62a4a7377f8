#!/bin/sh
# heap.sh: who tracks the heap. A program built only with no-timing counts as gcov does and leaves
# the malloc family alone (no "memory" in the profile) unless CPROF_HEAP=1; one translation unit
# with timing hooks, or CPROF_HEAP=1, brings the heap statistics back; CPROF_HEAP=0 turns them
# off everywhere. The counts are exact in every case.
# usage: heap.sh PLUGIN RUNTIME_DIR SOURCE_DIR VALIDATE SCHEMA
set -eu
plugin=$1 rtdir=$2 src=$3 validate=$4 schema=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-heap.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL heap: $*" >&2; exit 1; }

# build NAME FLAGS_A FLAGS_B: heap.c and heap-b.c at -O2 with the plugin and these options
build() {
  gcc -O2 -fplugin="$plugin" $2 -c "$src/heap.c" -o "$work/a.o" || fail "$1: build heap.c"
  gcc -O2 -fplugin="$plugin" $3 -c "$src/heap-b.c" -o "$work/b.o" || fail "$1: build heap-b.c"
  gcc "$work/a.o" "$work/b.o" -o "$work/$1" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" || fail "$1: link"
}
# check NAME HEAP ALLOCATIONS: runs NAME with CPROF_HEAP=HEAP; ALLOCATIONS is memory.allocations,
# or none when the profile must have no "memory"
check() {
  rm -f "$work/p.json"
  out=$(cd "$work" && CPROF=1 CPROF_HEAP=$2 CPROF_OUTPUT="$work/p.json" "./$1" 2>"$work/err") ||
    fail "$1 CPROF_HEAP=$2: run"
  [ "$out" = 624250 ] || fail "$1 CPROF_HEAP=$2: output $out"
  [ ! -s "$work/err" ] || fail "$1 CPROF_HEAP=$2: stderr: $(cat "$work/err")"
  "$validate" "$schema" "$work/p.json" >/dev/null || fail "$1 CPROF_HEAP=$2: not schema-valid"
  python3 - "$work/p.json" "$3" <<'PY' || fail "$1 CPROF_HEAP=$2"
import json, sys
p = json.load(open(sys.argv[1]))
calls = {f["name"]: f["calls"] for f in p["functions"]}
loops = sorted(l["iterations"] for l in p["loops"])
assert calls.get("main") == 1 and calls.get("fill") == 1, calls
assert loops == [500, 1000], loops
m = p.get("memory")
got = "none" if m is None else str(m["allocations"])
assert got == sys.argv[2], "memory.allocations: %s, expected %s" % (got, sys.argv[2])
PY
  echo "ok heap: $1 CPROF_HEAP=$2: memory $3"
}

build timed "" ""
build counts "-fplugin-arg-cprof-no-timing" "-fplugin-arg-cprof-no-timing"
build mixed "-fplugin-arg-cprof-no-timing" ""
check timed "" 1500
check timed 0 none
check counts "" none
check counts 1 1500
check mixed "" 1500
check mixed 0 none
