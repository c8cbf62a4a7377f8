#!/bin/sh
# modes.sh: when cprof_disable / cprof_enable take effect (tests/e2e/modes.c), at -O0 and -O2; and
# a static function that only instrumented functions call has no flag test of its own.
# usage: modes.sh PLUGIN RUNTIME_DIR CHECK_PROFILE SOURCE_DIR INCLUDE_DIR
set -eu
plugin=$1 rtdir=$2 check=$3 src=$4 inc=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-modes.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL modes: $*" >&2; exit 1; }

for opt in -O0 -O2; do
  gcc $opt -fplugin="$plugin" -I"$inc" "$src/modes.c" -o "$work/prog" \
    -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" || fail "$opt: build"
  (cd "$work" && CPROF=1 CPROF_OUTPUT="$work/p.json" ./prog >out) || fail "$opt: run"
  "$check" "$work/p.json" "$src/modes.expect" "$src" || fail "$opt: counts"
  echo "ok modes $opt"
done

# At -O2: inner's plain body never reads the flag, outer_ext's does.
body() { objdump -d --no-show-raw-insn "$work/prog" | awk "/<$1>:/,/^\$/"; }
[ -n "$(body inner)" ] || fail "no code for inner"
if body inner | grep -q __cprof_active; then fail "inner tests the flag"; fi
body outer_ext | grep -q __cprof_active || fail "outer_ext does not test the flag"
echo "ok modes: no dispatch in inner"
