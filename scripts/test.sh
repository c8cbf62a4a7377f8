#!/bin/sh
# test.sh: install, build and run the whole test suite (unit, plugin, e2e, torture).
# The torture suite downloads GCC's source package once; CPROF_SKIP_TORTURE=1 leaves it out.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${CPROF_BUILD:-$root/build}
CPROF_WITH_TESTS=1 "$root/scripts/install-deps.sh"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root"
fi
if [ "${CPROF_SKIP_TORTURE:-0}" = 1 ]; then
  meson configure "$build" -Dtorture=false
else
  meson configure "$build" -Dtorture=true
fi
meson compile -C "$build"
set +e
meson test -C "$build" --print-errorlogs --num-processes "$(nproc)" "$@"
status=$?
set -e
log="$build/meson-logs/testlog.json"
if [ -f "$log" ]; then
  passed=$(grep -c '"result": "OK"' "$log" || true)
  failed=$(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log" || true)
  skipped=$(grep -c '"result": "SKIP"' "$log" || true)
  echo "$passed passed, $failed failed, $skipped skipped"
fi
exit $status
