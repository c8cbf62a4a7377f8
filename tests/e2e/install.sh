#!/bin/sh
# install.sh: `meson install` puts every piece where the README says, and the installed plugin,
# runtime, header and pkg-config file build and profile a program.
# usage: install.sh BUILD_DIR GCC_PLUGIN_DIR
set -eu
build=$1 plugindir=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
meson install -C "$build" --destdir "$work/root" --no-rebuild --quiet >/dev/null

need () { [ -e "$work/root$1" ] || { echo "missing after install: $1" >&2; find "$work/root" >&2; exit 1; }; }
need "$plugindir/cprof.so"
prefix=$(meson introspect "$build" --buildoptions | /usr/bin/python3 -c \
  'import json,sys; o={x["name"]:x["value"] for x in json.load(sys.stdin)}; print(o["prefix"]); print(o["libdir"]); print(o["bindir"]); print(o["includedir"])')
p=$(echo "$prefix" | sed -n 1p) libdir=$(echo "$prefix" | sed -n 2p)
bindir=$(echo "$prefix" | sed -n 3p) incdir=$(echo "$prefix" | sed -n 4p)
case $libdir in /*) ;; *) libdir="$p/$libdir" ;; esac
case $bindir in /*) ;; *) bindir="$p/$bindir" ;; esac
case $incdir in /*) ;; *) incdir="$p/$incdir" ;; esac
need "$libdir/libcprofrt.so"
need "$libdir/pkgconfig/cprof.pc"
need "$bindir/cprof-analyze"
need "$bindir/cprof-gcc"
need "$bindir/cprof-g++"
need "$incdir/cprof.h"

cat >"$work/app.c" <<'APP'
#include <cprof.h>
#include <stdio.h>
static int square (int x) { return x * x; }
int main (void)
{
  int s = 0;
  for (int i = 0; i < 10; i++)
    s += square (i);
  printf ("%d %d\n", s, cprof_is_enabled ());
  return 0;
}
APP
libs=$(PKG_CONFIG_SYSROOT_DIR="$work/root" PKG_CONFIG_PATH="$work/root$libdir/pkgconfig" pkg-config --libs cprof)
# shellcheck disable=SC2086
gcc -O2 -I"$work/root$incdir" -fplugin="$work/root$plugindir/cprof.so" "$work/app.c" -o "$work/app" \
  $libs -Wl,-rpath,"$work/root$libdir"
(cd "$work" && CPROF=1 ./app >out.txt)
grep -qx "285 1" "$work/out.txt" || { echo "unexpected output: $(cat "$work/out.txt")" >&2; exit 1; }
grep -q '"name": *"square"' "$work/profile.json" || { echo "square missing from the profile" >&2; exit 1; }
"$work/root$bindir/cprof-analyze" "$work/profile.json" >/dev/null
echo "ok: installed pieces work"
