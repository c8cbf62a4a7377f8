#!/usr/bin/env bash
# run-torture.sh: "the plugin never breaks a correct program".
#
# usage: run-torture.sh [options] PLUGIN.so RUNTIME_DIR WORKDIR
#
# For every GCC c-torture execute test (gcc.c-torture/execute/*.c) and every gcc.dg/torture/*.c test marked
# `dg-do run`, at each -O level (default -O0 and -O2):
#   * build it with the plugin:  $CC -fplugin=PLUGIN.so -w -O<l> t.c -L RUNTIME_DIR -lcprofrt -Wl,-rpath,..
#   * run it with CPROF unset, and with CPROF=1 (CPROF_OUTPUT=<tmp>/profile.json, cwd <tmp>); each run has a
#     timeout. With CPROF=1 a profile (*.json under <tmp>) must exist and be a valid JSON object.
#   * the plain build ($CC -w -O<l> t.c) is the reference: a test whose plain build does not compile or does
#     not exit 0 is "excluded", not failed. The plain build is made only when the plugin build fails (that
#     gives the same verdicts at half the compile cost); --baseline builds plain first for every test.
# Tests carrying dg-options, dg-additional-options, dg-add-options, dg-require-* (but label_values, which
# x86-64 has), dg-skip-if, dg-xfail-* or dg-additional-sources (which needs other files) are skipped.
#
# Prints one summary line per -O level, then exactly "N passed, N failed" (counted over test x level).
# WORKDIR/failures.txt lists every failure with its first error lines; the work directories of failed tests
# are kept under WORKDIR/run/. Exit status: 0 all passed, 1 failures, 2 usage/setup error, 77 the test sources
# could not be obtained without root (meson: skipped).
#
# Options:
#   -j N            parallel jobs (default: nproc)
#   -O LEVELS       comma-separated -O levels (default: 0,2)
#   --src DIR       GCC source tree holding gcc/testsuite (default: fetch the Debian source package
#                   gcc-<major of $CC> into WORKDIR/gcc-src via scripts/fetch-debian-source.sh, cached)
#   --filter REGEX  only tests whose id (e.g. execute/pr12345, dg.torture/pr80122) matches REGEX
#   --timeout S     per-run timeout in seconds (default 10); compiles get 30x that
#   --baseline      build and run the plain variant of every test first (the excluded count is then exact)
# Environment: CC (default gcc; may carry flags, e.g. "gcc -m32") is the compiler the plugin was built for.
# CPROF_CACHE is passed to scripts/fetch-debian-source.sh; all other CPROF* variables are unset for the tests.
set -eu
set -o pipefail

me=run-torture.sh
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 2; }

# ---------------------------------------------------------------------------------------------------------
# Worker: run-torture.sh --worker LEVEL TESTFILE [LEVEL TESTFILE ...]; configuration comes from T_* variables.
# Writes one result file per (test, level): "PASS", "EXCL<TAB>why" or "FAIL<TAB>why" then detail lines.
# ---------------------------------------------------------------------------------------------------------

# first_lines FILE: the first error lines of a compiler/program log (else its first lines), for failures.txt.
first_lines() {
    local err
    err=$(grep -i -E 'error|fault|abort|assert|undefined reference|^cprof' "$1" 2>/dev/null |
        grep -v -E '^\*\*\* WARNING \*\*\* there are active plugins|^PLUGIN_[A-Z_]* +\|' | head -n 3) || true
    [ -n "$err" ] || err=$(head -n 3 "$1" 2>/dev/null) || true
    [ -z "$err" ] || printf '%s\n' "$err" | cut -c1-300
}

# run_bin LOG BIN: run BIN with the per-run timeout, stdout+stderr to LOG; returns the exit status.
run_bin() {
    local log=$1 bin=$2 rc=0
    timeout -k 2 "$T_TIMEOUT" "$bin" >"$log" 2>&1 </dev/null || rc=$?
    return "$rc"
}

describe_rc() {
    case "$1" in
        124) echo "timed out after ${T_TIMEOUT}s" ;;
        125|126|127) echo "could not be started (status $1)" ;;
        *) if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128))"; else echo "exit status $1"; fi ;;
    esac
}

# plain_ok DIR SRC LEVEL: 0 when the plain build compiles and exits 0; else prints why.
plain_ok() {
    local d=$1 src=$2 level=$3 rc=0
    timeout -k 5 "$T_CTIMEOUT" $T_CC -w "-O$level" "$src" -o "$d/plain" -lm >"$d/plain.cc.log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "plain build does not compile"
        return 1
    fi
    rc=0
    (cd "$d" && run_bin "$d/plain.run.log" "$d/plain") || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "plain build: $(describe_rc "$rc")"
        return 1
    fi
    return 0
}

# verdict RESULTFILE DIR SRC LEVEL WHAT DETAILFILE: the plugin variant failed with WHAT; it is a failure
# unless the plain build fails too (then the test is excluded).
verdict() {
    local res=$1 d=$2 src=$3 level=$4 what=$5 detail=$6 why
    if [ "$T_BASELINE" = 0 ] && ! why=$(plain_ok "$d" "$src" "$level"); then
        printf 'EXCL\t%s\n' "$why" >"$res"
        return
    fi
    { printf 'FAIL\t%s\n' "$what"; [ -z "$detail" ] || first_lines "$detail"; } >"$res"
}

# valid_profile DIR: 0 when DIR holds at least one *.json file and every one is a JSON object.
valid_profile() {
    local found=0 f
    while IFS= read -r -d '' f; do
        found=1
        if [ "$T_JSON" = jq ]; then
            jq -e 'type == "object"' "$f" >/dev/null 2>&1 || { echo "invalid JSON in $(basename "$f")"; return 1; }
        else
            python3 -c 'import json,sys; sys.exit(0 if isinstance(json.load(open(sys.argv[1])), dict) else 1)' \
                "$f" >/dev/null 2>&1 || { echo "invalid JSON in $(basename "$f")"; return 1; }
        fi
    done < <(find "$1" -type f -name '*.json' -print0)
    [ "$found" = 1 ] || { echo "CPROF=1 wrote no profile"; return 1; }
}

one_test() {
    local level=$1 src=$2 id d res rc why
    id=$(test_id "$src")
    d=$T_WORK/run/O$level/$id
    res=$T_WORK/results/O$level/${id//\//__}
    rm -rf "$d"
    mkdir -p "$d/prof" "$(dirname "$res")"

    if [ "$T_BASELINE" = 1 ] && ! why=$(plain_ok "$d" "$src" "$level"); then
        printf 'EXCL\t%s\n' "$why" >"$res"
        rm -rf "$d"
        return
    fi

    rc=0
    timeout -k 5 "$T_CTIMEOUT" $T_CC -fplugin="$T_PLUGIN" -w "-O$level" "$src" -o "$d/cprof" \
        -L"$T_RTDIR" -lcprofrt -Wl,-rpath,"$T_RTDIR" -lm >"$d/cprof.cc.log" 2>&1 || rc=$?
    if grep -q -E 'internal compiler error|Segmentation fault|cannot load plugin|Please submit a full bug report' \
        "$d/cprof.cc.log"; then
        # A compiler crash is a failure whatever the plain build does.
        { printf 'FAIL\t%s\n' "plugin build: compiler crash"; first_lines "$d/cprof.cc.log"; } >"$res"
        return
    fi
    if [ "$rc" -ne 0 ]; then
        verdict "$res" "$d" "$src" "$level" "plugin build: compile error ($(describe_rc "$rc"))" "$d/cprof.cc.log"
        return
    fi

    rc=0
    (cd "$d" && run_bin "$d/off.run.log" "$d/cprof") || rc=$?   # every CPROF* variable is unset
    if [ "$rc" -ne 0 ]; then
        verdict "$res" "$d" "$src" "$level" "run with CPROF unset: $(describe_rc "$rc")" "$d/off.run.log"
        return
    fi

    rc=0
    (cd "$d/prof" && CPROF=1 CPROF_OUTPUT="$d/prof/profile.json" run_bin "$d/on.run.log" "$d/cprof") || rc=$?
    if [ "$rc" -ne 0 ]; then
        verdict "$res" "$d" "$src" "$level" "run with CPROF=1: $(describe_rc "$rc")" "$d/on.run.log"
        return
    fi
    if ! why=$(valid_profile "$d/prof"); then
        verdict "$res" "$d" "$src" "$level" "run with CPROF=1: $why" "$d/on.run.log"
        return
    fi
    # A function's counting graph (plugin instrument.cc [9]) that does not solve is a bug.
    if grep -q 'could not be solved' "$d/on.run.log"; then
        verdict "$res" "$d" "$src" "$level" "run with CPROF=1: a spanning tree did not solve" "$d/on.run.log"
        return
    fi
    printf 'PASS\n' >"$res"
    rm -rf "$d"
}

# test_id SRC: execute/NAME or dg.torture/NAME
test_id() {
    local base=${1##*/}
    base=${base%.c}
    case "$1" in
        */gcc.c-torture/execute/*) printf 'execute/%s\n' "$base" ;;
        *) printf 'dg.torture/%s\n' "$base" ;;
    esac
}

if [ "${1-}" = --worker ]; then
    shift
    while [ "$#" -ge 2 ]; do
        one_test "$1" "$2"
        shift 2
    done
    exit 0
fi

# ---------------------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------------------
usage() {
    sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0" >&2
    exit 2
}

jobs=$(nproc 2>/dev/null || echo 2)
levels=0,2
src=
filter=
tmo=10
baseline=0
pos=()
while [ "$#" -gt 0 ]; do
    case "$1" in
        -j) [ "$#" -ge 2 ] || usage; jobs=$2; shift 2 ;;
        -j*) jobs=${1#-j}; shift ;;
        -O) [ "$#" -ge 2 ] || usage; levels=$2; shift 2 ;;
        --src) [ "$#" -ge 2 ] || usage; src=$2; shift 2 ;;
        --filter) [ "$#" -ge 2 ] || usage; filter=$2; shift 2 ;;
        --timeout) [ "$#" -ge 2 ] || usage; tmo=$2; shift 2 ;;
        --baseline) baseline=1; shift ;;
        -h|--help) usage ;;
        --) shift; pos+=("$@"); break ;;
        -*) printf '%s: unknown option %s\n' "$me" "$1" >&2; usage ;;
        *) pos+=("$1"); shift ;;
    esac
done
[ "${#pos[@]}" -eq 3 ] || usage
case "$jobs" in ''|*[!0-9]*|0) die "-j wants a positive number, not '$jobs'" ;; esac
case "$tmo" in ''|*[!0-9]*|0) die "--timeout wants a positive number of seconds, not '$tmo'" ;; esac
case "$levels" in ''|*[!0-9sgz,]*) die "-O wants levels like 0,2 or s, not '$levels'" ;; esac

abspath() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd -P)" "$(basename "$1")"); }
plugin=${pos[0]}
rtdir=${pos[1]}
work=${pos[2]}
[ -f "$plugin" ] || die "plugin '$plugin' does not exist"
[ -d "$rtdir" ] || die "runtime directory '$rtdir' does not exist"
[ -e "$rtdir/libcprofrt.so" ] || die "no libcprofrt.so in '$rtdir'"
plugin=$(abspath "$plugin")
rtdir=$(cd "$rtdir" && pwd -P)
mkdir -p "$work" || die "cannot create work directory '$work'"
work=$(cd "$work" && pwd -P)

cc=${CC:-gcc}
command -v "${cc%% *}" >/dev/null 2>&1 || die "compiler '$cc' not found"
command -v timeout >/dev/null 2>&1 || die "timeout(1) is required"
if command -v jq >/dev/null 2>&1; then json=jq
elif command -v python3 >/dev/null 2>&1; then json=python3
else die "jq or python3 is required to validate the JSON profiles"
fi

if [ -z "$src" ]; then
    major=$($cc -dumpversion | cut -d. -f1)
    fetch=$(dirname "$(abspath "$0")")/../../scripts/fetch-debian-source.sh
    [ -f "$fetch" ] || die "no --src given and $fetch is missing"
    src=$work/gcc-src
    rc=0
    sh "$fetch" "gcc-$major" "$src" || rc=$?
    case "$rc" in
        0) ;;
        77) printf '%s: skipped: the gcc-%s test sources are not available (see above)\n' "$me" "$major" >&2; exit 77 ;;
        *) die "fetching the gcc-$major sources failed" ;;
    esac
fi
exec_dir=$src/gcc/testsuite/gcc.c-torture/execute
dg_dir=$src/gcc/testsuite/gcc.dg/torture
[ -d "$exec_dir" ] || die "no gcc/testsuite/gcc.c-torture/execute under '$src'"
src=$(cd "$src" && pwd -P)
exec_dir=$src/gcc/testsuite/gcc.c-torture/execute
dg_dir=$src/gcc/testsuite/gcc.dg/torture

# The test programs must only see the CPROF* variables this script sets (after the fetch: CPROF_CACHE).
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep '^CPROF' || true)

# Select the tests.
export SKIP_RE='\{ *dg-(options|additional-options|add-options|require-[a-z-]*|skip-if|xfail-[a-z-]*|additional-sources)[ }]'
# Requirements every x86-64 GNU target meets: computed gotos (the interpreters' dispatch).
export MET_RE='\{ *dg-require-effective-target +label_values *\}'
runnable() { # NUL-separated files on stdin: prints those without a directive this script cannot honour
    xargs -0 -r awk 'FNR == 1 { if (file != "" && !skip) print file; file = FILENAME; skip = 0 }
                     $0 ~ ENVIRON["SKIP_RE"] && $0 !~ ENVIRON["MET_RE"] { skip = 1 }
                     END { if (file != "" && !skip) print file }'
}
list=$work/tests.txt
{
    find "$exec_dir" -maxdepth 1 -type f -name '*.c' -print0 | runnable || true
    if [ -d "$dg_dir" ]; then
        find "$dg_dir" -maxdepth 1 -type f -name '*.c' -print0 |
            xargs -0 -r grep -l -E '\{ *dg-do +run[ }]' |
            tr '\n' '\0' | runnable || true
    fi
} | LC_ALL=C sort >"$list"
if [ -n "$filter" ]; then
    while IFS= read -r f; do
        if test_id "$f" | grep -q -E -- "$filter"; then printf '%s\n' "$f"; fi
    done <"$list" >"$list.tmp"
    mv "$list.tmp" "$list"
fi
ntests=$(wc -l <"$list")
[ "$ntests" -gt 0 ] || die "no tests selected"

export T_CC=$cc T_PLUGIN=$plugin T_RTDIR=$rtdir T_WORK=$work T_TIMEOUT=$tmo T_CTIMEOUT=$((tmo * 30)) \
    T_BASELINE=$baseline T_JSON=$json
self=$(abspath "$0")

printf '%s: %s tests, levels -O%s, %s jobs, plugin %s, runtime %s\n' "$me" "$ntests" "${levels//,/ -O}" \
    "$jobs" "$plugin" "$rtdir"
: >"$work/failures.txt"
total_pass=0
total_fail=0
IFS=, read -r -a level_list <<<"$levels"
for level in "${level_list[@]}"; do
    [ -n "$level" ] || continue
    rm -rf "$work/results/O$level" "$work/run/O$level"
    mkdir -p "$work/results/O$level"
    start=$(date +%s)
    # Batches of 4 tests per worker: cheap process start-up, still a fine-grained tail.
    while IFS= read -r f; do printf '%s\0%s\0' "$level" "$f"; done <"$list" |
        xargs -0 -r -n 8 -P "$jobs" bash "$self" --worker ||
        printf '%s: warning: a worker failed (-O%s); its tests count as failed\n' "$me" "$level" >&2
    secs=$(($(date +%s) - start))

    pass=0 fail=0 excl=0 missing=0
    while IFS= read -r f; do
        id=$(test_id "$f")
        res=$work/results/O$level/${id//\//__}
        if [ ! -f "$res" ]; then
            missing=$((missing + 1))
            printf '%s -O%s: no result (worker died)\n' "$id" "$level" >>"$work/failures.txt"
            continue
        fi
        IFS=$'\t' read -r status why <"$res" || true
        case "$status" in
            PASS) pass=$((pass + 1)) ;;
            EXCL) excl=$((excl + 1)) ;;
            *) fail=$((fail + 1))
               { printf '%s -O%s: %s\n' "$id" "$level" "$why"; tail -n +2 "$res" | sed 's/^/    /'; } \
                   >>"$work/failures.txt" ;;
        esac
    done <"$list"
    fail=$((fail + missing))
    printf -- '-O%s: %s tests: %s passed, %s failed, %s excluded (plain build fails), %ss\n' \
        "$level" "$ntests" "$pass" "$fail" "$excl" "$secs"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
done

if [ "$total_fail" -gt 0 ]; then
    printf '%s: failures (work directories kept under %s/run):\n' "$me" "$work" >&2
    head -n 40 "$work/failures.txt" >&2
    [ "$(wc -l <"$work/failures.txt")" -le 40 ] || printf '  ... see %s/failures.txt\n' "$work" >&2
fi
printf '%s passed, %s failed\n' "$total_pass" "$total_fail"
[ "$total_fail" -eq 0 ]
