#!/bin/sh
# label-tables.sh: a function that dispatches through a static table of label addresses (a
# threaded interpreter) gets two bodies like any other (plugin/label-tables.cc): its plain
# body is the code GCC makes without cprof, bar the dispatch test, and its instrumented
# body is a clone with tables of its own.  (The counts are checked by the "threaded" case.)
# usage: label-tables.sh PLUGIN CASE_DIR
set -eu
plugin=$1 casedir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-labels.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail () { echo "FAIL: $*" >&2; exit 1; }

inc="-I$(cd "$casedir/../../../include" && pwd)"
gcc -O2 $inc -S "$casedir/threaded.c" -o "$work/plain.s"
gcc -O2 $inc -fplugin="$plugin" -S "$casedir/threaded.c" -o "$work/cprof.s"

body () { # body ASM FUNCTION: its instructions, one per line (no labels or directives)
  awk -v fn="$2:" '$1 == fn { on = 1; next }
                   on && $1 == ".size" { exit }
                   on && /^\t[a-z]/ { print }' "$1"
}

for fn in run_program fold; do
  body "$work/plain.s" "$fn" >"$work/$fn.plain"
  body "$work/cprof.s" "$fn" >"$work/$fn.cprof"
  [ -s "$work/$fn.plain" ] && [ -s "$work/$fn.cprof" ] || fail "no code for $fn"
  if grep -E '__cprof_(counters|enter|exit|tls|untimed)|%fs:' "$work/$fn.cprof" >&2; then
    fail "the plain body of $fn counts or calls hooks"
  fi
  if grep -E '(dispatch|from_add|table)\.[0-9]' "$work/$fn.cprof" >&2; then
    fail "the plain body of $fn uses the instrumented body's table"
  fi
  grep -q '\.plain\.' "$work/$fn.cprof" || fail "the plain body of $fn has no table of its own"
  plain_n=$(wc -l <"$work/$fn.plain")
  cprof_n=$(wc -l <"$work/$fn.cprof")
  # fold is reached from plain code only (split.cc [4]); run_program tests the flag: 2 more.
  [ "$cprof_n" -le $((plain_n + 2)) ] \
    || fail "$fn has $cprof_n instructions with profiling off, $plain_n without cprof"
  echo "ok: $fn: $cprof_n instructions with profiling off, $plain_n without cprof"
done
grep -q '^run_program\.cprof[.0-9]*:' "$work/cprof.s" || fail "run_program was not split into a clone"
echo "ok: run_program.cprof is a clone of its own"
