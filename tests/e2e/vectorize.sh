#!/bin/sh
# vectorize.sh: instrumentation must not stop GCC from vectorizing hot loops, including the loop
# of an inlined function (its timing hooks are pruned, its counters stay in registers).
# usage: vectorize.sh PLUGIN CASE_DIR
set -eu
plugin=$1 casedir=$2
src="$casedir/inline.c"
report=$(gcc -O3 -fplugin="$plugin" -fopt-info-vec-optimized -c "$src" -o /dev/null 2>&1)
status=0
for mark in @vec @inl_loop @fill; do
  line=$(grep -n -- "$mark" "$src" | head -n 1 | cut -d: -f1)
  if echo "$report" | grep -q "inline.c:$line:[0-9]*: optimized: loop vectorized"; then
    echo "ok: loop $mark (line $line) vectorized"
  else
    echo "FAIL: loop $mark (line $line) not vectorized with the plugin" >&2
    status=1
  fi
done
[ $status -eq 0 ] || echo "$report" >&2
exit $status
