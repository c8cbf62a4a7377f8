#!/bin/sh
# lua-gcov.sh: gcov as the oracle for exact counts on a real program. The Lua 5.4 interpreter
# (Debian's source package, fetched at run time) runs workload.lua twice: built with
# `gcc -O0 --coverage`, whose per-function execution counts are exact, and built with cprof at
# the optimization level given. Every function's calls must match gcov's execution_count.
# usage: lua-gcov.sh PLUGIN RUNTIME_DIR FETCH_SCRIPT OPT
set -eu
plugin=$1 rtdir=$2 fetch=$3 opt=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-oracle.XXXXXX")
trap 'rm -rf "$work"' EXIT

set +e
sh "$fetch" lua5.4 "$work/lua" >"$work/fetch.log" 2>&1
rc=$?
set -e
if [ $rc -eq 77 ]; then cat "$work/fetch.log"; echo "skip: cannot fetch lua5.4"; exit 77; fi
[ $rc -eq 0 ] || { cat "$work/fetch.log" >&2; exit 1; }

# Lua hashes some pointers (the luaS_new cache, light userdata keys); the two builds have
# different addresses, so hash them all to one bucket: the run then depends on nothing but the
# script. Fixed seeds for string hashing and table.sort's pivot, which read the clock.
sed -i 's/^#define point2uint(p).*/#define point2uint(p) 0u/' "$work/lua/src/llimits.h"
grep -q '^#define point2uint(p) 0u' "$work/lua/src/llimits.h" || { echo "cannot patch llimits.h" >&2; exit 1; }
srcs=$(ls "$work"/lua/src/*.c | grep -v '/luac\.c$')
# Debian's luaconf.h includes a header its packaging generates.
mkdir "$work/inc"
echo '#define DEB_HOST_MULTIARCH "x86_64-linux-gnu"' >"$work/inc/lua5.4-deb-multiarch.h"
defs="-I$work/inc -DLUA_USE_LINUX -Dluai_makeseed(L)=0u -Dl_randomizePivot()=0u"

mkdir "$work/gcov" "$work/cprof"
# shellcheck disable=SC2086
(cd "$work/gcov" && gcc -O0 --coverage -w $defs $srcs -o lua -lm -ldl) >"$work/cc.log" 2>&1 \
  || { tail -20 "$work/cc.log" >&2; exit 1; }
# shellcheck disable=SC2086
(cd "$work/cprof" && gcc "$opt" -w $defs -fplugin="$plugin" $srcs -o lua -lm -ldl \
   -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir") >"$work/cc.log" 2>&1 || { tail -20 "$work/cc.log" >&2; exit 1; }

(cd "$work/gcov" && ./lua "$here/workload.lua" >out.txt)
(cd "$work/cprof" && CPROF=1 CPROF_OUTPUT="$work/profile.json" ./lua "$here/workload.lua" >out.txt)
cmp "$work/gcov/out.txt" "$work/cprof/out.txt" || { echo "the two builds printed different results" >&2; exit 1; }

(cd "$work/gcov" && gcov --json-format ./*.gcda >/dev/null 2>&1)
/usr/bin/python3 - "$work/gcov" "$work/profile.json" "$work/lua/src" <<'PY'
import glob, gzip, json, os, re, sys
gcov_dir, profile, src_dir = sys.argv[1], sys.argv[2], sys.argv[3]
expected = {}
line_counts = {}
for path in glob.glob(os.path.join(gcov_dir, "*.gcov.json.gz")):
    with gzip.open(path) as f:
        doc = json.load(f)
    for src in doc["files"]:
        base = os.path.basename(src["file"])
        for fn in src.get("functions", []):
            expected[(base, fn["name"])] = fn["execution_count"]
        for ln in src.get("lines", []):
            line_counts[(base, ln["line_number"])] = ln["count"]
# gcov counts a function's first block, so the "goto startfunc" / "goto returning" that
# luaV_execute uses instead of recursion count as executions there. Its real calls are
# the executions of the source lines that call it.
calls = 0
for path in glob.glob(os.path.join(src_dir, "*.c")):
    base = os.path.basename(path)
    with open(path, errors="replace") as f:
        for no, text in enumerate(f, 1):
            if re.search(r"\bluaV_execute\s*\(L,", text) and not text.startswith("void"):
                calls += line_counts.get((base, no), 0)
print(f"luaV_execute: gcov counts {expected[('lvm.c', 'luaV_execute')]} block entries, "
      f"{calls} calls from its call sites")
expected[("lvm.c", "luaV_execute")] = calls
with open(profile) as f:
    prof = json.load(f)
got = {(os.path.basename(fn["file"]), fn["name"]): fn["calls"] for fn in prof["functions"]}
missing = sorted(k for k in expected if k not in got)
wrong = sorted((k, expected[k], got[k]) for k in expected if k in got and got[k] != expected[k])
ran = sum(1 for k in expected if expected[k] > 0)
total_calls = sum(expected.values())
for k, e, g in wrong[:20]:
    print(f"MISMATCH {k[0]}:{k[1]}: gcov {e}, cprof {g}", file=sys.stderr)
for k in missing[:20]:
    print(f"MISSING {k[0]}:{k[1]} (gcov {expected[k]})", file=sys.stderr)
print(f"{len(expected)} functions compared ({ran} ran, {total_calls} calls in all): "
      f"{len(wrong)} differ, {len(missing)} missing")
sys.exit(1 if wrong or missing or ran < 300 else 0)
PY
