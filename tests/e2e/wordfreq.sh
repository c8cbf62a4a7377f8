#!/bin/sh
# wordfreq.sh: the demo path end to end: an ordinary Makefile built with CC=cprof-gcc, run with
# CPROF=1, profile validated and checked, and cprof-analyze's report read.
# usage: wordfreq.sh SOURCE_ROOT CPROF_GCC ANALYZER CHECKER VALIDATOR SCHEMA
set -eu
root=$1 wrapper=$2 analyzer=$3 checker=$4 validator=$5 schema=$6
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-e2e.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$root"/examples/wordfreq/*.c "$root"/examples/wordfreq/*.h "$root"/examples/wordfreq/Makefile "$work/"
mkdir "$work/plain"
cp "$work"/*.c "$work"/*.h "$work/Makefile" "$work/plain/"

make -s -C "$work/plain" CC=gcc
make -s -C "$work" CC="$wrapper"
(cd "$work/plain" && ./wordfreq 400000 >expected.txt)
(cd "$work" && ./wordfreq 400000 >off.txt)
(cd "$work" && CPROF=1 ./wordfreq 400000 >on.txt)
cmp "$work/plain/expected.txt" "$work/off.txt"
cmp "$work/plain/expected.txt" "$work/on.txt"
"$validator" "$schema" "$work/profile.json"

cat >"$work/wordfreq.expect" <<'EXPECT'
function main calls=1 timing=full
function count_words calls=4 timed_calls=4
function text_generate calls=1
function table_init calls=5
function table_free calls=5
function hash_word calls>0
call count_words table_add calls>0
call main text_generate calls=1
count threads 5
top statistics.modules=3
EXPECT
"$checker" "$work/profile.json" "$work/wordfreq.expect" "$work"

"$analyzer" --top 5 "$work/profile.json" >"$work/report.txt"
for want in "== Top functions by self time ==" "count_words" "== Call tree" "== Hottest loops ==" \
            "text_generate" "main.c:"; do
  grep -q -- "$want" "$work/report.txt" || { echo "report lacks '$want'" >&2; cat "$work/report.txt" >&2; exit 1; }
done
echo "ok: wordfreq end to end"
