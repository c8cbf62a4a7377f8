#!/bin/sh
# dlclose.sh: an instrumented library dlopened, used from 2 live threads, dlclosed (really
# unloaded), dlopened again: exact counts per load (each load is its own module), schema-valid.
# usage: dlclose.sh PLUGIN RUNTIME_DIR SCHEMA CASE_DIR
set -eu
plugin=$1 rtdir=$2 schema=$3 casedir=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-dlclose.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail () { echo "FAIL dlclose: $*" >&2; exit 1; }
cd "$work"
gcc -O2 -fPIC -shared -fplugin="$plugin" "$casedir/dlclose_lib.c" -o libdl.so \
  -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" || fail "library build"
gcc -O2 -pthread -fplugin="$plugin" "$casedir/dlclose_main.c" -o main -ldl \
  -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" || fail "program build"
./main "$work/libdl.so" >out 2>err || fail "uninstrumented run: $(cat err)"
CPROF=1 CPROF_OUTPUT=p.json ./main "$work/libdl.so" >out 2>err || fail "run: $(cat err)"
[ -s err ] && fail "stderr: $(cat err)"
/usr/bin/python3 - "$schema" p.json <<'PY' || fail "profile"
import json, sys
import jsonschema
schema, p = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
jsonschema.validate(p, schema)
def calls(name):
    return sorted(f["calls"] for f in p["functions"] if f["name"] == name)
bad = []
# one module per load: 2 threads x 10 calls in the first, 3 calls in the second
if calls("lib_work") != [3, 20]: bad.append(f"lib_work {calls('lib_work')}")
if calls("lib_leaf") != [300, 2000]: bad.append(f"lib_leaf {calls('lib_leaf')}")
if calls("main_fn") != [5]: bad.append(f"main_fn {calls('main_fn')}")
if calls("main") != [1]: bad.append(f"main {calls('main')}")
srcs = [m["source"] for m in p["modules"]]
if sum(s.endswith("dlclose_lib.c") for s in srcs) != 2: bad.append(f"modules {srcs}")
ids = [f["id"] for f in p["functions"]]
if len(ids) != len(set(ids)): bad.append("duplicate function ids")
loops = sorted(l["iterations"] for l in p["loops"] if l["function"] == "lib_work")
if loops != [300, 2000]: bad.append(f"loop iterations {loops}")
if bad:
    print("FAIL", "; ".join(bad)); sys.exit(1)
PY
if command -v valgrind >/dev/null 2>&1; then
  CPROF=1 CPROF_OUTPUT=v.json valgrind -q --error-exitcode=9 ./main "$work/libdl.so" >/dev/null 2>verr \
    || fail "valgrind: $(head -20 verr)"
fi
echo "ok dlclose"
