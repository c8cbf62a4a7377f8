#!/bin/sh
# inlining.sh: GCC inlines the same functions with the plugin as without it (the
# instrumentation is kept out of the inliner's size estimates), here on the example program:
# the set of functions left out of line must be identical at -O2 and -O3. The instrumented
# clones (NAME.cprof.N, plugin/split.cc, and their NAME.cprof.N.cold parts holding the paths to
# the cold timing hooks, and NAME.cprof, the alias other files call them by) are the
# profiling-on world and are not compared; nor
# are GCC's partial-inlining parts (NAME.part.N): with the flag test in front of it, a plain
# body may move into NAME.part.N while NAME keeps the test, which callers inline and fold.
# usage: inlining.sh PLUGIN SOURCE_ROOT
set -eu
plugin=$1 root=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-inl.XXXXXX")
trap 'rm -rf "$work"' EXIT
status=0
functions () { nm --defined-only "$1" | awk '$2 ~ /^[Tt]$/ && $3 !~ /^(__cprof|_sub_I|_sub_D)/ && $3 !~ /\.(cprof|part)\.[0-9]+(\.cold)?$/ && $3 !~ /\.cprof$/ {print $3}' | sort; }
for opt in -O2 -O3; do
  for src in "$root"/examples/wordfreq/*.c; do
    name=$(basename "$src" .c)
    gcc "$opt" -c "$src" -o "$work/plain.o"
    gcc "$opt" -c "$src" -fplugin="$plugin" -o "$work/cprof.o"
    functions "$work/plain.o" >"$work/plain.txt"
    functions "$work/cprof.o" >"$work/cprof.txt"
    if cmp -s "$work/plain.txt" "$work/cprof.txt"; then
      echo "ok: $name.c $opt: $(wc -l <"$work/plain.txt") functions out of line, as without cprof"
    else
      echo "FAIL: $name.c $opt: out-of-line functions differ (< plain, > cprof):" >&2
      diff "$work/plain.txt" "$work/cprof.txt" >&2 || true
      status=1
    fi
  done
done
exit $status
