#!/bin/sh
# run-case.sh: compile one test case with the plugin at one -O level, run it with CPROF unset
# and with CPROF=1, and check the profile against the case's expectations.
#
# usage: run-case.sh PLUGIN RUNTIME_DIR CHECKER VALIDATOR SCHEMA OPT CASE_DIR NAME [PLUGIN_ARG...]
#   PLUGIN_ARG: extra plugin options for every compile, e.g. single-body
#   NAME.expect holds the expectations (see check-profile.c) and directives in comments:
#     # sources: a.c b.c      (default NAME.c, or NAME.cc with "compiler: c++")
#     # compiler: c++         # cflags: -pthread       # exit: 3
#     # plugin-args: exclude-function=foo,bar
#     # runtime: always        (the program calls the cprof.h API: the plain build links it too)
#     # shared: lib.c         (built first as an instrumented -fPIC shared library)
#     # env: CPROF_MIN_TIME=0  (more environment for the CPROF=1 run)
set -eu

plugin=$1 rtdir=$2 checker=$3 validator=$4 schema=$5 opt=$6 casedir=$7 name=$8
shift 8
expect="$casedir/$name.expect"

directive () { sed -n "s/^# $1: *//p" "$expect" | head -n 1; }

compiler=gcc
ext=c
if [ "$(directive compiler)" = "c++" ]; then compiler=g++; ext=cc; fi
sources=$(directive sources)
[ -n "$sources" ] || sources="$name.$ext"
cflags=$(directive cflags)
want_exit=$(directive exit)
[ -n "$want_exit" ] || want_exit=0
plugin_args=""
for a in "$@"; do
  plugin_args="$plugin_args -fplugin-arg-cprof-$a"
done
for a in $(directive plugin-args | tr ' ' '\n'); do
  plugin_args="$plugin_args -fplugin-arg-cprof-$a"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-case.XXXXXX")
trap 'rm -rf "$work"' EXIT
srcs=""
for s in $sources; do srcs="$srcs $casedir/$s"; done
shared=$(directive shared)

fail () { echo "FAIL [$name $opt]: $*" >&2; exit 1; }

if [ -n "$shared" ]; then
  mkdir "$work/plain-lib" "$work/lib"
  # shellcheck disable=SC2086
  $compiler $opt -w $cflags -fPIC -shared "$casedir/$shared" -o "$work/plain-lib/libcase.so" \
    || fail "plain shared library build failed"
  # shellcheck disable=SC2086
  $compiler $opt -w $cflags -fPIC -shared -fplugin="$plugin" $plugin_args "$casedir/$shared" \
    -o "$work/lib/libcase.so" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" \
    || fail "instrumented shared library build failed"
fi
plain_libs="" prog_libs=""
if [ "$(directive runtime)" = always ]; then
  cflags="$cflags -I$(cd "$(dirname "$0")/../../include" && pwd)"
  plain_libs="-L$rtdir -lcprofrt -Wl,-rpath,$rtdir"
fi
[ -z "$shared" ] || plain_libs="$plain_libs -L$work/plain-lib -lcase -Wl,-rpath,$work/plain-lib"
[ -z "$shared" ] || prog_libs="-L$work/lib -lcase -Wl,-rpath,$work/lib"
# shellcheck disable=SC2086
$compiler $opt -w $cflags $srcs $plain_libs -o "$work/plain" || fail "plain build failed"
# shellcheck disable=SC2086
$compiler $opt -w $cflags -fplugin="$plugin" $plugin_args $srcs $prog_libs -o "$work/prog" \
  -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" 2>"$work/cc.err" || { cat "$work/cc.err" >&2; fail "instrumented build failed"; }
if grep -q "internal compiler error" "$work/cc.err"; then cat "$work/cc.err" >&2; fail "ICE"; fi

run () { # run BINARY OUTFILE [env...]: prints the exit status
  bin=$1 out=$2; shift 2
  set +e
  (cd "$work" && env "$@" "$bin" >"$out" 2>"$out.err")
  rc=$?
  set -e
  echo $rc
}

# With profiling off no hook may run: a preloaded stub makes any call of one fatal.
cat >"$work/no-hooks.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
static void hook_ran (const char *hook)
{
  fprintf (stderr, "%s called with profiling off\n", hook);
  abort ();
}
void __cprof_enter (void *m, unsigned long token) { (void) m; (void) token; hook_ran ("__cprof_enter"); }
void __cprof_exit (void *m, unsigned long token) { (void) m; (void) token; hook_ran ("__cprof_exit"); }
/* x86-64 code calls the hooks through these (plugin/prune.cc [4]). */
void __cprof_enter_tramp (void) { hook_ran ("__cprof_enter_tramp"); }
void __cprof_exit_tramp (void) { hook_ran ("__cprof_exit_tramp"); }
EOF
gcc -shared -fPIC -o "$work/no-hooks.so" "$work/no-hooks.c" || fail "cannot build the no-hooks stub"

rc_plain=$(run "$work/plain" "$work/plain.out" CPROF=1)
rc_off=$(run "$work/prog" "$work/off.out" -u CPROF LD_PRELOAD="$work/no-hooks.so")
# shellcheck disable=SC2046
rc_on=$(run "$work/prog" "$work/on.out" CPROF=1 CPROF_OUTPUT="$work/profile.json" $(directive env))

[ "$rc_plain" = "$want_exit" ] || { cat "$work/plain.out.err" >&2; fail "plain build exited $rc_plain, expected $want_exit"; }
[ "$rc_off" = "$want_exit" ] || fail "CPROF unset: exit $rc_off, expected $want_exit"
[ "$rc_on" = "$want_exit" ] || { cat "$work/on.out.err" >&2; fail "CPROF=1: exit $rc_on, expected $want_exit"; }
cmp -s "$work/plain.out" "$work/off.out" || fail "CPROF unset: output differs from the plain build"
cmp -s "$work/plain.out" "$work/on.out" || fail "CPROF=1: output differs from the plain build"
[ ! -s "$work/off.out.err" ] || { cat "$work/off.out.err" >&2; fail "CPROF unset: the runtime printed something"; }
! grep -q "could not be solved" "$work/on.out.err" || { cat "$work/on.out.err" >&2; fail "a spanning tree did not solve"; }

[ -f "$work/profile.json" ] || fail "CPROF=1 wrote no profile"
ls "$work" | grep -q '^profile.json.tmp' && fail "a temporary profile was left behind"

"$validator" "$schema" "$work/profile.json" || fail "profile does not match the schema"
"$checker" "$work/profile.json" "$expect" "$casedir" || fail "counts differ from the expectations"
echo "ok [$name $opt]"
