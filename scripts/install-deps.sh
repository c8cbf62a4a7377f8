#!/bin/sh
# install-deps.sh: install what cprof needs from Debian (run as root; idempotent and quiet
# when everything is already there). CPROF_WITH_TESTS=1 adds what the test suite uses: the
# schema validator, the clients that read the exports (valgrind's callgrind_annotate, go tool
# pprof), tools to unpack Debian source packages, Lua's build needs, clang with libFuzzer
# (libclang-rt-14-dev) for the fuzz suite, and, best effort, the browser tests' headless Chromium
# and the npm package speedscope (those tests are skipped without them).
set -eu
with_tests=${CPROF_WITH_TESTS:-0}
gcc_major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || echo 12)
pkgs="gcc g++ gcc-${gcc_major}-plugin-dev libcjson-dev zlib1g-dev meson ninja-build pkg-config"
[ "$with_tests" = 1 ] && pkgs="$pkgs python3-jsonschema valgrind golang-go dpkg-dev xz-utils clang libclang-rt-14-dev"
optional="" # installed on their own, so that one the mirror lacks does not stop the rest
[ "$with_tests" = 1 ] && optional="chromium"

not_installed() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf ' %s' "$p"
  done
}
missing=$(not_installed $pkgs)
missing_optional=$(not_installed $optional)
if [ -n "$missing$missing_optional" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    if [ -n "$missing" ]; then
      echo "install-deps: missing Debian packages:$missing$missing_optional (run as root, or install them)" >&2
      exit 1
    fi
    echo "install-deps: not installed (optional, their tests are skipped):$missing_optional" >&2
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || [ -z "$missing" ] # only optional packages missing: go on without them
    if [ -n "$missing" ]; then
      echo "install-deps: installing$missing"
      # shellcheck disable=SC2086
      apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
    for p in $missing_optional; do
      echo "install-deps: installing $p"
      apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
        echo "install-deps: could not install $p; the tests that need it will be skipped" >&2
    done
  fi
fi

# speedscope's own app, for the speedscope browser test: only through an npm that is already there,
# and never fatal (the registry may be unreachable).
if [ "$with_tests" = 1 ] && command -v npm >/dev/null 2>&1; then
  root=$(npm root -g 2>/dev/null || true)
  if [ ! -f "$root/speedscope/dist/release/index.html" ]; then
    echo "install-deps: installing the npm package speedscope"
    timeout 300 npm install -g --no-audit --no-fund speedscope >/dev/null 2>&1 ||
      echo "install-deps: could not install speedscope with npm; its browser test will be skipped" >&2
  fi
fi
exit 0
