#!/bin/sh
# install-deps.sh: install what cprof needs from Debian (run as root; idempotent and quiet
# when everything is already there). CPROF_WITH_TESTS=1 adds what the test suite uses: the
# schema validator, the clients that read the exports (valgrind's callgrind_annotate, go tool
# pprof), tools to unpack Debian source packages, Lua's build needs, and clang with libFuzzer
# (libclang-rt-14-dev) for the fuzz suite.
set -eu
gcc_major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || echo 12)
pkgs="gcc g++ gcc-${gcc_major}-plugin-dev libcjson-dev zlib1g-dev meson ninja-build pkg-config"
[ "${CPROF_WITH_TESTS:-0}" = 1 ] && pkgs="$pkgs python3-jsonschema valgrind golang-go dpkg-dev xz-utils clang libclang-rt-14-dev"
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages:$missing (run as root, or install them)" >&2
  exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
