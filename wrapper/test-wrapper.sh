#!/usr/bin/env bash
# test-wrapper.sh CPROF_GCC CPROF_GXX: tests of the cprof-gcc / cprof-g++ wrappers.
#
# Part 1 runs the wrappers against a fake compiler that records its arguments, and checks what is added
# for every kind of command (queries, compile-only, link, response files, plugin arguments, PATH masquerade).
# Part 2 builds real programs through the wrappers (plain command lines, make, configure-style probes,
# cmake, meson) and runs them with CPROF=1. It needs the plugin and the runtime the wrappers point at (or
# CPROF_PLUGIN_PATH / CPROF_RUNTIME_DIR); without them part 2 is reported as skipped.
set -eu
set -o pipefail

[ "$#" -eq 2 ] || { echo "usage: $0 CPROF_GCC CPROF_GXX" >&2; exit 2; }
abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
wgcc=$(abspath "$1")
wgxx=$(abspath "$2")
[ -x "$wgcc" ] && [ -x "$wgxx" ] || { echo "$0: $wgcc or $wgxx is not executable" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cprof-wrapper-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0
ok() { checks=$((checks + 1)); }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------
# Part 1: argument handling, against a fake compiler.
# ---------------------------------------------------------------------------------------------------------
mkdir -p "$tmp/fake" "$tmp/fakert"
cat >"$tmp/fake/fakecc" <<'EOF'
#!/bin/sh
# Records "name<TAB>arg..." (one line per argument) for the test, and succeeds.
for a in "$@"; do printf '%s\n' "$a"; done >"$FAKE_LOG"
exit 0
EOF
chmod +x "$tmp/fake/fakecc"
: >"$tmp/fake/cprof.so"
fakeplugin=$tmp/fake/cprof.so
fakert=$tmp/fakert
log=$tmp/args.log

# run_fake EXPECTED_ARGS... -- WRAPPER ARGS...: runs WRAPPER against the fake compiler and compares the
# arguments it received (after the compiler name) with EXPECTED_ARGS (one word each, %P = plugin path,
# %R = runtime dir).
run_fake() {
    local want=() w got
    while [ "$1" != -- ]; do
        w=${1//%P/$fakeplugin}
        want+=("${w//%R/$fakert}")
        shift
    done
    shift
    rm -f "$log"
    if ! CPROF_CC="$tmp/fake/fakecc" CPROF_CXX="$tmp/fake/fakecc" FAKE_LOG="$log" \
        CPROF_PLUGIN_PATH="$fakeplugin" CPROF_RUNTIME_DIR="$fakert" "$@" 2>"$tmp/err"; then
        bad "$(basename "$1") ${*:2}: exit status $? ($(head -n 1 "$tmp/err"))"
        return
    fi
    got=$(cat "$log" 2>/dev/null || echo '<fake compiler not run>')
    if [ "$got" = "$(printf '%s\n' "${want[@]+"${want[@]}"}")" ]; then
        ok
    else
        bad "$(basename "$1") ${*:2}: got [$(echo $got)], want [${want[*]+"${want[*]}"}]"
    fi
}

L=(-L%R -lcprofrt -Wl,-rpath,%R)
# Queries and commands without operands: untouched.
run_fake --version -- "$wgcc" --version
run_fake -v -- "$wgcc" -v
run_fake -dumpversion -- "$wgcc" -dumpversion
run_fake -dumpmachine -- "$wgcc" -dumpmachine
run_fake -print-file-name=plugin -- "$wgcc" -print-file-name=plugin
run_fake -print-search-dirs -- "$wgcc" -print-search-dirs
run_fake --help=optimizers -Q -- "$wgcc" --help=optimizers -Q
run_fake -Wl,--version -- "$wgcc" -Wl,--version
run_fake -O2 -- "$wgcc" -O2
run_fake -V -- "$wgcc" -V
run_fake -qversion -- "$wgcc" -qversion
run_fake --version a.c -- "$wgcc" --version a.c
# Compile only: plugin, no runtime.
run_fake -fplugin=%P -E conftest.c -- "$wgcc" -E conftest.c
run_fake -fplugin=%P -E -x c - -- "$wgcc" -E -x c -
run_fake -fplugin=%P -c a.c -o a.o -- "$wgcc" -c a.c -o a.o
run_fake -fplugin=%P -S a.c -- "$wgcc" -S a.c
run_fake -fplugin=%P -M a.c -- "$wgcc" -M a.c
run_fake -fplugin=%P -MM a.c -- "$wgcc" -MM a.c
run_fake -fplugin=%P -fsyntax-only a.c -- "$wgcc" -fsyntax-only a.c
run_fake -fplugin=%P -MD -MF a.d -c a.c -- "$wgcc" -MD -MF a.d -c a.c
run_fake -fplugin=%P -r a.o b.o -o ab.o -- "$wgcc" -r a.o b.o -o ab.o
run_fake -fplugin=%P -v -c a.c -- "$wgcc" -v -c a.c
# Linking: plugin and runtime, the runtime last.
run_fake -fplugin=%P a.c -o a "${L[@]}" -- "$wgcc" a.c -o a
run_fake -fplugin=%P -O2 conftest.c -o conftest "${L[@]}" -- "$wgcc" -O2 conftest.c -o conftest
run_fake -fplugin=%P a.o b.o -o app -lm "${L[@]}" -- "$wgcc" a.o b.o -o app -lm
run_fake -fplugin=%P -shared -fPIC a.c -o liba.so "${L[@]}" -- "$wgcc" -shared -fPIC a.c -o liba.so
run_fake -fplugin=%P -MD a.c -o a "${L[@]}" -- "$wgcc" -MD a.c -o a
run_fake -fplugin=%P -o app -lfoo "${L[@]}" -- "$wgcc" -o app -lfoo
run_fake -fplugin=%P -x c - -o a "${L[@]}" -- "$wgcc" -x c - -o a
# Option arguments are not operands.
run_fake -o x -I inc -D X -include h.h -- "$wgcc" -o x -I inc -D X -include h.h
# The C++ wrapper.
run_fake -fplugin=%P a.cc -o a "${L[@]}" -- "$wgxx" a.cc -o a
run_fake -fplugin=%P -c a.cc -- "$wgxx" -c a.cc
# Plugin arguments.
CPROF_PLUGIN_ARGS="verbose exclude-function=foo" \
    run_fake -fplugin=%P -fplugin-arg-cprof-verbose -fplugin-arg-cprof-exclude-function=foo -c a.c -- \
    "$wgcc" -c a.c
CPROF_PLUGIN_ARGS="  " run_fake -fplugin=%P -c a.c -- "$wgcc" -c a.c
# A user who loads the plugin by hand does not get it twice.
run_fake -fplugin=/opt/x/cprof.so -c a.c -- "$wgcc" -fplugin=/opt/x/cprof.so -c a.c
run_fake -fplugin=cprof a.c "${L[@]}" -- "$wgcc" -fplugin=cprof a.c
# Response files are read to classify, and passed on as they are.
printf -- '-c "a b.c"\n' >"$tmp/compile.rsp"
printf -- 'a.o\n-o app\n' >"$tmp/link.rsp"
printf -- '@%s\n' "$tmp/compile.rsp" >"$tmp/nested.rsp"
run_fake -fplugin=%P "@$tmp/compile.rsp" -- "$wgcc" "@$tmp/compile.rsp"
run_fake -fplugin=%P "@$tmp/link.rsp" "${L[@]}" -- "$wgcc" "@$tmp/link.rsp"
run_fake -fplugin=%P "@$tmp/nested.rsp" -- "$wgcc" "@$tmp/nested.rsp"
run_fake -fplugin=%P @missing.rsp "${L[@]}" -- "$wgcc" @missing.rsp
# A compiler command of several words.
rm -f "$log"
CPROF_CC="$tmp/fake/fakecc --first" FAKE_LOG="$log" CPROF_PLUGIN_PATH="$fakeplugin" CPROF_RUNTIME_DIR="$fakert" \
    "$wgcc" -c a.c
if [ "$(tr '\n' ' ' <"$log")" = "--first -fplugin=$fakeplugin -c a.c " ]; then ok; else bad "CPROF_CC with two words: $(cat "$log")"; fi

# expect_error PATTERN CMD...: CMD fails, with a "cprof-gcc: "/"cprof-g++: " message matching PATTERN.
expect_error() {
    local pat=$1 rc=0
    shift
    "$@" >/dev/null 2>"$tmp/err" || rc=$?
    if [ "$rc" -ne 0 ] && grep -q -E "^cprof-g(cc|\+\+): .*$pat" "$tmp/err"; then
        ok
    else
        bad "expected failure matching '$pat' from: ${*: -3} (status $rc, stderr: $(head -n 2 "$tmp/err"))"
    fi
}
expect_error "bad CPROF_PLUGIN_ARGS word '-x'" \
    env CPROF_CC="$tmp/fake/fakecc" FAKE_LOG="$log" CPROF_PLUGIN_PATH="$fakeplugin" CPROF_PLUGIN_ARGS="-x" \
    "$wgcc" -c a.c
expect_error "bad CPROF_PLUGIN_ARGS word '=v'" \
    env CPROF_CC="$tmp/fake/fakecc" FAKE_LOG="$log" CPROF_PLUGIN_PATH="$fakeplugin" CPROF_PLUGIN_ARGS="=v" \
    "$wgcc" -c a.c
expect_error "cannot use the cprof plugin $tmp/none.so" \
    env CPROF_CC="$tmp/fake/fakecc" FAKE_LOG="$log" CPROF_PLUGIN_PATH="$tmp/none.so" "$wgcc" -c a.c
expect_error "compiler 'no-such-cc-xyz' not found" env CPROF_CC=no-such-cc-xyz "$wgcc" --version
expect_error "CPROF_CC .* is cprof-gcc itself" env CPROF_CC="$wgcc" "$wgcc" --version
expect_error "CPROF_CXX .* is cprof-g\+\+ itself" env CPROF_CXX="$wgxx" "$wgxx" --version
# The wrapper's exit status is the compiler's.
printf '#!/bin/sh\nexit 3\n' >"$tmp/fake/failcc"
chmod +x "$tmp/fake/failcc"
rc=0
CPROF_CC="$tmp/fake/failcc" CPROF_PLUGIN_PATH="$fakeplugin" "$wgcc" -c a.c || rc=$?
if [ "$rc" -eq 3 ]; then ok; else bad "exit status of the compiler not passed on (got $rc)"; fi
# Masquerade: PATH holds gcc -> cprof-gcc before the real (here: fake) gcc; the wrapper must skip itself.
mkdir -p "$tmp/masq" "$tmp/realbin"
ln -s "$wgcc" "$tmp/masq/gcc"
ln -s "$tmp/fake/fakecc" "$tmp/realbin/gcc"
rm -f "$log"
if env -u CPROF_CC PATH="$tmp/masq:$tmp/realbin:$PATH" FAKE_LOG="$log" CPROF_PLUGIN_PATH="$fakeplugin" \
    "$tmp/masq/gcc" -c a.c 2>"$tmp/err" && [ "$(tr '\n' ' ' <"$log")" = "-fplugin=$fakeplugin -c a.c " ]; then
    ok
else
    bad "masquerade symlink: $(cat "$log" "$tmp/err" 2>/dev/null | tr '\n' ' ')"
fi
expect_error "no 'gcc' in PATH other than cprof-gcc itself" env -u CPROF_CC PATH="$tmp/masq" "$tmp/masq/gcc" -c a.c
printf 'part 1 (argument handling): %s checks, %s failed\n' "$checks" "$fails"

# ---------------------------------------------------------------------------------------------------------
# Part 2: real builds. The wrappers find the plugin and runtime themselves (build tree or install paths).
# ---------------------------------------------------------------------------------------------------------
part1_checks=$checks
part1_fails=$fails
skip_part2() {
    printf 'part 2 (real builds): skipped: %s\n' "$1"
    [ "$fails" -eq 0 ]
    exit
}
# Where do the wrappers point? Ask them with the fake compiler.
rm -f "$log"
probe_out=$(CPROF_CC="$tmp/fake/fakecc" FAKE_LOG="$log" "$wgcc" probe.c 2>&1) || true
[ -f "$log" ] || skip_part2 "${probe_out#cprof-gcc: }"
plugin=$(sed -n 's/^-fplugin=//p' "$log")
rtdir=$(sed -n 's/^-L//p' "$log")
[ -f "$rtdir/libcprofrt.so" ] || skip_part2 "no libcprofrt.so in $rtdir"
command -v "${CPROF_CC:-gcc}" >/dev/null 2>&1 || skip_part2 "no compiler ${CPROF_CC:-gcc}"

unset CPROF CPROF_OUTPUT
json_ok() {
    if command -v jq >/dev/null 2>&1; then jq -e 'type == "object"' "$1" >/dev/null 2>&1
    else python3 -c 'import json,sys; sys.exit(0 if isinstance(json.load(open(sys.argv[1])), dict) else 1)' "$1"
    fi
}
# run_profiled NAME BIN: BIN runs with exit 0 without CPROF and with CPROF=1, and writes a JSON profile.
run_profiled() {
    local name=$1 bin=$2 out
    out=$(mktemp -d "$tmp/prof.XXXXXX")
    if ! "$bin" >/dev/null 2>"$tmp/err"; then bad "$name: run without CPROF failed: $(head -n 2 "$tmp/err")"; return; fi
    if ! (cd "$out" && CPROF=1 CPROF_OUTPUT="$out/profile.json" "$bin" >/dev/null 2>"$tmp/err"); then
        bad "$name: run with CPROF=1 failed: $(head -n 2 "$tmp/err")"; return
    fi
    local f
    f=$(find "$out" -name '*.json' -type f | head -n 1)
    if [ -n "$f" ] && json_ok "$f"; then ok; else bad "$name: CPROF=1 wrote no valid JSON profile"; fi
}

src=$tmp/src
mkdir -p "$src"
cat >"$src/fib.c" <<'EOF'
#include <stdio.h>
int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
EOF
cat >"$src/main.c" <<'EOF'
#include <stdio.h>
int fib(int n);
int main(void) { int s = 0; for (int i = 0; i < 20; i++) s += fib(i); printf("%d\n", s); return s != 10945; }
EOF
cat >"$src/hello.cc" <<'EOF'
#include <iostream>
#include <string>
#include <vector>
struct Shape { virtual ~Shape() = default; virtual int area() const = 0; };
struct Sq : Shape { int s; explicit Sq(int v) : s(v) {} int area() const override { return s * s; } };
int main() {
    std::vector<Shape *> v;
    for (int i = 0; i < 10; i++) v.push_back(new Sq(i));
    int t = 0;
    for (auto *p : v) { t += p->area(); delete p; }
    try { throw std::string("x"); } catch (const std::string &) { t += 1; }
    std::cout << t << "\n";
    return t != 286;
}
EOF

# One-line build and C++.
if (cd "$src" && "$wgcc" -O2 fib.c main.c -o app 2>"$tmp/err"); then run_profiled "cprof-gcc one-line build" "$src/app"
else bad "cprof-gcc -O2 fib.c main.c: $(head -n 3 "$tmp/err")"; fi
if (cd "$src" && "$wgxx" -O2 hello.cc -o hellocc 2>"$tmp/err"); then run_profiled "cprof-g++" "$src/hellocc"
else bad "cprof-g++ -O2 hello.cc: $(head -n 3 "$tmp/err")"; fi

# make with CC=cprof-gcc: separate compile and link steps.
mkdir -p "$tmp/make"
cp "$src/fib.c" "$src/main.c" "$tmp/make/"
printf 'app: main.o fib.o\n\t$(CC) $(CFLAGS) -o $@ main.o fib.o\n' >"$tmp/make/Makefile"
if make -s -C "$tmp/make" CC="$wgcc" CFLAGS=-O2 >"$tmp/err" 2>&1; then run_profiled "make CC=cprof-gcc" "$tmp/make/app"
else bad "make CC=cprof-gcc: $(head -n 3 "$tmp/err")"; fi

# configure-style probes: the wrapper must answer exactly as the compiler does.
mkdir -p "$tmp/conf"
printf 'int main(void) { return 0; }\n' >"$tmp/conf/conftest.c"
printf 'choke me\n' >"$tmp/conf/bad.c"
probe() {
    local rc_real=0 rc_wrap=0
    (cd "$tmp/conf" && "${CPROF_CC:-gcc}" "$@" </dev/null >/dev/null 2>&1) || rc_real=$?
    (cd "$tmp/conf" && "$wgcc" "$@" </dev/null >/dev/null 2>&1) || rc_wrap=$?
    if [ "$rc_real" -eq "$rc_wrap" ]; then ok; else bad "probe '$*': gcc status $rc_real, cprof-gcc status $rc_wrap"; fi
}
probe --version
probe -v
probe -V
probe -qversion
probe -E conftest.c
probe -E -x c -
probe -E bad.c
probe -c conftest.c -o conftest.o
probe -c bad.c
probe -g -O2 conftest.c -o conftest
probe conftest.c -o conftest
probe bad.c -o bad
probe -print-prog-name=ld
probe -dumpmachine
if (cd "$tmp/conf" && "$wgcc" conftest.c -o conftest 2>/dev/null && ./conftest); then ok
else bad "configure's 'does the C compiler work' test program"; fi
"$wgcc" --version | head -n 1 | grep -q -E 'gcc|GCC' && ok || bad "cprof-gcc --version does not look like gcc"

# cmake
if command -v cmake >/dev/null 2>&1; then
    mkdir -p "$tmp/cmake"
    cp "$src/fib.c" "$src/main.c" "$src/hello.cc" "$tmp/cmake/"
    cat >"$tmp/cmake/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.13)
project(cprofcmake C CXX)
add_library(fib SHARED fib.c)
add_executable(app main.c)
target_link_libraries(app fib)
add_executable(hellocc hello.cc)
EOF
    if (cd "$tmp/cmake" && cmake -S . -B b -DCMAKE_C_COMPILER="$wgcc" -DCMAKE_CXX_COMPILER="$wgxx" \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$tmp/err" 2>&1 && cmake --build b >>"$tmp/err" 2>&1); then
        run_profiled "cmake (C, shared library)" "$tmp/cmake/b/app"
        run_profiled "cmake (C++)" "$tmp/cmake/b/hellocc"
    else
        bad "cmake build: $(grep -m 3 -E 'rror|cprof-g' "$tmp/err")"
    fi
else
    echo "cmake not installed: cmake check skipped"
fi

# meson
if command -v meson >/dev/null 2>&1 && command -v ninja >/dev/null 2>&1; then
    mkdir -p "$tmp/meson"
    cp "$src/fib.c" "$src/main.c" "$src/hello.cc" "$tmp/meson/"
    cat >"$tmp/meson/meson.build" <<'EOF'
project('cprofmeson', 'c', 'cpp')
fib = static_library('fib', 'fib.c')
executable('app', 'main.c', link_with : fib)
executable('hellocc', 'hello.cc')
EOF
    if (cd "$tmp/meson" && CC="$wgcc" CXX="$wgxx" meson setup b >"$tmp/err" 2>&1 && ninja -C b >>"$tmp/err" 2>&1); then
        run_profiled "meson (C, static library)" "$tmp/meson/b/app"
        run_profiled "meson (C++)" "$tmp/meson/b/hellocc"
    else
        bad "meson build: $(grep -m 3 -E 'rror|cprof-g' "$tmp/err")"
    fi
else
    echo "meson/ninja not installed: meson check skipped"
fi

printf 'part 2 (real builds with %s and %s): %s checks, %s failed\n' "$plugin" "$rtdir" \
    "$((checks - part1_checks))" "$((fails - part1_fails))"
printf '%s checks, %s failed\n' "$checks" "$fails"
[ "$fails" -eq 0 ]
