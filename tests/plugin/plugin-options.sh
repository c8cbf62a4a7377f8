#!/bin/sh
# plugin-options.sh: option handling of the plugin itself: errors stop the compile with a
# clear message, help and verbose print what they promise.
# usage: plugin-options.sh PLUGIN CASE_DIR
set -eu
export LC_ALL=C
plugin=$1 casedir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-opts.XXXXXX")
trap 'rm -rf "$work"' EXIT
src="$casedir/basic.c"
failures=0 passes=0
check () { # check DESCRIPTION CONDITION...
  what=$1; shift
  if "$@"; then echo "ok: $what"; passes=$((passes + 1))
  else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}
compile () { # compile EXTRA...: exit status of gcc, stderr in $work/err
  set +e
  gcc -O2 -c "$src" -o "$work/out.o" -fplugin="$plugin" "$@" 2>"$work/err"
  rc=$?
  set -e
  return $rc
}

check "unknown option fails the compile" sh -c "! $(printf '%s' "gcc -O2 -c $src -o $work/x.o -fplugin=$plugin -fplugin-arg-cprof-bogus") 2>$work/e1"
check "unknown option is named" grep -q "cprof: unknown option .-fplugin-arg-cprof-bogus." "$work/e1"
check "unknown option leaves no object" test ! -e "$work/x.o"
check "empty pattern fails" sh -c "! gcc -O2 -c $src -o $work/y.o -fplugin=$plugin -fplugin-arg-cprof-exclude-function= 2>$work/e2"
check "empty pattern is explained" grep -q "needs a value" "$work/e2"
check "flag with a value fails" sh -c "! gcc -O2 -c $src -o $work/z.o -fplugin=$plugin -fplugin-arg-cprof-verbose=3 2>$work/e3"
check "flag with a value is explained" grep -q "takes no value" "$work/e3"

compile -fplugin-arg-cprof-verbose
check "verbose compiles" test -s "$work/out.o"
check "verbose counts" grep -q "instrumented 3 functions, 7 loops, 12 branches, 1 switches, 4 call sites" "$work/err"
# square, chain, middle and leaf count their calls by their call sites (instrument.cc [10]); fib,
# is_even, is_odd, callback and helper cannot.
gcc -O2 -c "$casedir/callsites.c" -o "$work/cs.o" -fplugin="$plugin" -fplugin-arg-cprof-verbose 2>"$work/cs.err"
check "verbose: entries by call sites" grep -q "10 counted on a spanning tree, 4 of them by their call sites" "$work/cs.err"

compile -fplugin-arg-cprof-help
check "help lists every option" sh -c "grep -q include-function $work/err && grep -q exclude-file $work/err && grep -q no-timing $work/err && grep -q system-headers $work/err"

compile -fplugin-arg-cprof-verbose -fplugin-arg-cprof-include-function=fib,classify
check "include-function keeps only matches" grep -q "instrumented 2 functions" "$work/err"
compile -fplugin-arg-cprof-verbose -fplugin-arg-cprof-exclude-file=basic.c
check "exclude-file by basename" grep -q "instrumented 0 functions" "$work/err"
compile -fplugin-arg-cprof-verbose "-fplugin-arg-cprof-include-file=*/cases/*.c"
check "include-file by path glob" grep -q "instrumented 3 functions" "$work/err"
compile -fplugin-arg-cprof-verbose -fplugin-arg-cprof-exclude-function=main -fplugin-arg-cprof-include-function=main,fib
check "excludes win over includes" grep -q "instrumented 1 functions" "$work/err"

check "no exported symbols of the plugin leak into objects" sh -c "! nm $work/out.o | grep -q ' [TD] __cprof'"

echo "$passes passed, $failures failed"
[ "$failures" -eq 0 ]
