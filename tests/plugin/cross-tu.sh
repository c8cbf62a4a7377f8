#!/bin/sh
# cross-tu.sh: a clone calls the clones of other TUs directly (plugin/split.cc [6]).  A public
# function's clone has the hidden global alias "f.cprof"; a call of a function of another TU
# goes to "g.cprof", which the calling TU defines weakly as "jmp g" for when g's TU has no
# clone.  (The counts are checked by the "cross_tu" case.)
# usage: cross-tu.sh PLUGIN RUNTIME_DIR CASE_DIR
set -eu
plugin=$1 rtdir=$2 casedir=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-cross.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail () { echo "FAIL: $*" >&2; exit 1; }
a=$casedir/cross_tu_a.c b=$casedir/cross_tu_b.c
rt="-L$rtdir -lcprofrt -Wl,-rpath,$rtdir"
cp="-fplugin=$plugin -fplugin-arg-cprof-exclude-function=plain_helper"

gcc -O2 -w "$a" "$b" -o "$work/plain"
"$work/plain" >"$work/want"
gcc -O2 -w $cp -c "$a" -o "$work/a.o"
gcc -O2 -w $cp -c "$b" -o "$work/b.o"
gcc -O2 -w -c "$b" -o "$work/b-plain.o"

# symbol SYM OBJ: "BIND VIS NDX" of SYM in OBJ's symbol table
symbol () { readelf -sW "$2" | awk -v s="$1" '$8 == s { print $5, $6, $7; exit }'; }

# The callee's TU: scale's clone is exported, hidden, where scale.cprof.0 is.
[ "$(symbol scale.cprof "$work/b.o")" = "GLOBAL HIDDEN 1" ] \
  || [ "$(symbol scale.cprof "$work/b.o" | cut -d' ' -f1-2)" = "GLOBAL HIDDEN" ] \
  || fail "cross_tu_b.o: no hidden global scale.cprof ($(symbol scale.cprof "$work/b.o"))"
addr () { nm "$2" | awk -v s="$1" '$3 == s { print $1 }'; }
[ "$(addr scale.cprof "$work/b.o")" = "$(addr scale.cprof.0 "$work/b.o")" ] \
  || fail "scale.cprof is not the clone scale.cprof.0"
[ -z "$(symbol plain_helper.cprof "$work/b.o")" ] || fail "the excluded plain_helper has a clone symbol"
echo "ok: the callee's TU exports its clones"

# The caller's TU: its clones call scale.cprof; it has weak hidden forwarders.
objdump -dr "$work/a.o" | awk '/^[0-9a-f]+ <main\.cprof(\.0)?>:/ { on = 1; next } /^$/ { on = 0 } on' \
  >"$work/main.dis"
grep -q 'R_X86_64_PLT32[[:space:]]*scale\.cprof' "$work/main.dis" \
  || { cat "$work/main.dis" >&2; fail "main's clone does not call scale.cprof"; }
for f in scale bump pong plain_helper; do
  [ "$(symbol $f.cprof "$work/a.o" | cut -d' ' -f1-2)" = "WEAK HIDDEN" ] \
    || fail "cross_tu_a.o: no weak hidden forwarder $f.cprof"
done
echo "ok: the caller's clones call the other TU's clones"

# Linked with the callee's TU instrumented, without cprof, and as a shared library.
run () { # run NAME: the program's output against the plain build's, with and without CPROF
  "$work/$1" >"$work/$1.off" || fail "$1 failed with profiling off"
  CPROF=1 CPROF_OUTPUT="$work/$1.json" "$work/$1" >"$work/$1.on" || fail "$1 failed with CPROF=1"
  cmp -s "$work/want" "$work/$1.off" && cmp -s "$work/want" "$work/$1.on" || fail "$1: wrong output"
}
calls () { # calls PROFILE FUNCTION
  python3 -c "import json,sys; d=json.load(open(sys.argv[1]))
print(sum(f['calls'] for f in d['functions'] if f['name'] == sys.argv[2]))" "$1" "$2"
}
gcc "$work/a.o" "$work/b.o" -o "$work/both" $rt || fail "link of two instrumented TUs failed"
run both
[ "$(calls "$work/both.json" scale)" = 175 ] || fail "both: scale calls $(calls "$work/both.json" scale)"
gcc "$work/a.o" "$work/b-plain.o" -o "$work/half" $rt || fail "link with an uninstrumented callee TU failed"
run half
[ "$(calls "$work/half.json" main)" = 1 ] && [ "$(calls "$work/half.json" scale)" = 0 ] \
  || fail "half: main $(calls "$work/half.json" main), scale $(calls "$work/half.json" scale)"
gcc -O2 -w $cp -fPIC -shared "$b" -o "$work/libb.so" $rt || fail "shared library build failed"
gcc "$work/a.o" -o "$work/shared" -L"$work" -lb -Wl,-rpath,"$work" $rt || fail "link with the library failed"
run shared
[ "$(calls "$work/shared.json" scale)" = 175 ] || fail "shared: scale calls $(calls "$work/shared.json" scale)"
ar rcs "$work/libbs.a" "$work/b.o"
gcc "$work/a.o" -o "$work/archive" -L"$work" -lbs $rt || fail "link with a static archive failed"
run archive
# The archive member's clone wins over the forwarder the caller's object brought first.
clone_at=$(addr scale.cprof.0 "$work/archive")
[ -n "$clone_at" ] && [ "$(addr scale.cprof "$work/archive")" = "$clone_at" ] \
  || fail "archive: scale.cprof is the forwarder, not the clone (at '$clone_at')"
echo "ok: instrumented, uninstrumented, archived and shared callee TUs"

# Interposition: the program's own scale replaces the library's, for the library's calls too,
# with profiling on as off ([7]): the library's clones call scale by its name.
cat >"$work/interpose.c" <<'X'
#include <stdio.h>
int bump (int x);
int scale (int x) { return x * 1000; }
int ping (int n) { return n; } /* cross_tu_b.c calls it */
int main (void) { printf ("%d\n", bump (4)); return 0; }
X
gcc -O2 -w -fPIC -shared "$b" -o "$work/plain-libb.so"
gcc -O2 -w "$work/interpose.c" -o "$work/interpose-plain" -L"$work" -l:plain-libb.so -Wl,-rpath,"$work"
"$work/interpose-plain" >"$work/want-interpose"
[ "$(cat "$work/want-interpose")" = 6000 ] || fail "interposition: the plain build prints $(cat "$work/want-interpose")"
gcc -O2 -w $cp "$work/interpose.c" -o "$work/interpose" -L"$work" -lb -Wl,-rpath,"$work" $rt
CPROF=1 CPROF_OUTPUT="$work/interpose.json" "$work/interpose" >"$work/interpose.on"
cmp -s "$work/want-interpose" "$work/interpose.on" || fail "interposition: CPROF=1 prints $(cat "$work/interpose.on")"
[ -z "$(symbol scale.cprof "$work/libb.so")" ] || fail "the library exports the clone of an interposable function"
echo "ok: interposition"

# A call that optimization deletes leaves no forwarder, so no reference to a missing function.
cat >"$work/gone.c" <<'X'
void link_error (void);
static int check (int x) { if (x > 5 && x < 3) link_error (); return x; }
int main (void) { return check (1) - 1; }
X
gcc -O2 $cp "$work/gone.c" -o "$work/gone" $rt || fail "a deleted call left a reference behind"
"$work/gone" || fail "gone: wrong exit status"
echo "ok: no forwarder for a deleted call"

# -flto: one body per clone, no forwarders (their assembly would be hidden from LTO).
gcc -O2 -w -flto $cp "$a" "$b" -o "$work/lto" $rt || fail "the -flto build failed"
run lto
! nm "$work/lto" | grep -q '\.cprof$' || fail "-flto: exported clone symbols"
echo "ok: -flto"

# C++: mangled names, member functions, an exception thrown through a forwarder and a clone.
cat >"$work/x1.cc" <<'X'
#include <cstdio>
#include <stdexcept>
namespace ns { struct Acc { int v = 0; void add (int x); int get () const; }; int risky (int x); }
int fill (ns::Acc &a) { int s = 0; for (int i = 0; i < 50; i++) { a.add (i); s += ns::risky (i); } return s; }
int main () {
  ns::Acc a; int caught = 0;
  for (int i = 0; i < 3; i++) try { fill (a); } catch (const std::exception &) { caught++; }
  std::printf ("%d %d\n", a.get (), caught);
}
X
cat >"$work/x2.cc" <<'X'
#include <stdexcept>
namespace ns { struct Acc { int v = 0; void add (int x); int get () const; }; int risky (int x);
void Acc::add (int x) { v += x; }
int Acc::get () const { return v; }
int risky (int x) { if (x == 30) throw std::runtime_error ("thirty"); return x; } }
X
g++ -O2 "$work/x1.cc" "$work/x2.cc" -o "$work/xplain"
"$work/xplain" >"$work/want"
g++ -O2 -fplugin="$plugin" -c "$work/x1.cc" -o "$work/x1.o"
g++ -O2 -fplugin="$plugin" -c "$work/x2.cc" -o "$work/x2.o"
[ "$(symbol _ZN2ns5riskyEi.cprof "$work/x1.o" | cut -d' ' -f1-2)" = "WEAK HIDDEN" ] \
  || fail "C++: no forwarder for ns::risky"
[ "$(symbol _ZN2ns3Acc3addEi.cprof "$work/x2.o" | cut -d' ' -f1-2)" = "GLOBAL HIDDEN" ] \
  || fail "C++: ns::Acc::add's clone is not exported"
# ns::risky has EH edges (the exception's cleanup): one body, reached through the forwarder.
[ -z "$(symbol _ZN2ns5riskyEi.cprof "$work/x2.o")" ] || fail "C++: ns::risky has a clone"
g++ "$work/x1.o" "$work/x2.o" -o "$work/cxx" $rt || fail "C++ link failed"
run cxx
[ "$(calls "$work/cxx.json" 'ns::risky(int)')" = 93 ] && [ "$(calls "$work/cxx.json" 'ns::Acc::add(int)')" = 93 ] \
  || fail "C++: risky $(calls "$work/cxx.json" 'ns::risky(int)'), add $(calls "$work/cxx.json" 'ns::Acc::add(int)')"
echo "ok: C++"
