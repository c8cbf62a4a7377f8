#!/bin/sh
# fastpath.sh: with CPROF unset, instrumented code never calls into the runtime (the hooks sit
# behind a branch on a flag); with it set, counting uses no locked instructions.
# usage: fastpath.sh PLUGIN RUNTIME_DIR CASE_DIR
set -eu
plugin=$1 rtdir=$2 casedir=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-fast.XXXXXX")
trap 'rm -rf "$work"' EXIT

gcc -O2 -pthread -fplugin="$plugin" "$casedir/threads.c" -o "$work/prog" \
  -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir"

# A library that turns any hook call into a crash, preloaded ahead of libcprofrt.
cat >"$work/trap.c" <<'TRAP'
#include <stdlib.h>
#include <unistd.h>
static void trap (void) { write (2, "hook called\n", 12); abort (); }
void __cprof_enter (void *m, unsigned long t) { (void) m; (void) t; trap (); }
void __cprof_exit (void *m, unsigned long t) { (void) m; (void) t; trap (); }
/* x86-64 code calls the hooks through these (plugin/prune.cc [4]). */
void __cprof_enter_tramp (void) { trap (); }
void __cprof_exit_tramp (void) { trap (); }
TRAP
gcc -shared -fPIC -O2 "$work/trap.c" -o "$work/libtrap.so"

(cd "$work" && env -u CPROF LD_PRELOAD="$work/libtrap.so" ./prog >/dev/null) \
  || { echo "FAIL: a hook was called with CPROF unset" >&2; exit 1; }
echo "ok: no hook call with CPROF unset (8 threads x 100000 calls)"
if (cd "$work" && CPROF=1 CPROF_OUTPUT="$work/p.json" LD_PRELOAD="$work/libtrap.so" ./prog \
      >/dev/null 2>&1); then
  echo "FAIL: the trap library did not catch the hooks with CPROF=1" >&2
  exit 1
fi
echo "ok: the same trap fires with CPROF=1"

for fn in work run main; do
  body=$(objdump -d --no-show-raw-insn "$work/prog" | awk "/<$fn>:/,/^\$/")
  [ -n "$body" ] || { echo "FAIL: no code for $fn" >&2; exit 1; }
  if echo "$body" | grep -Eq '[[:space:]]lock[[:space:]]'; then
    echo "FAIL: $fn uses a locked instruction:" >&2
    echo "$body" | grep -E '[[:space:]]lock[[:space:]]' >&2
    exit 1
  fi
done
echo "ok: no locked read-modify-write in instrumented code"
