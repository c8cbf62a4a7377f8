#!/bin/sh
# bursts.sh: CPROF_SAMPLE=N (tests/e2e/bursts.c) at -O0 and -O2: about one N-th of the calls are
# recorded, each recorded activation whole (its loop, branch and callee counts are exact for it),
# nothing while cprof_disable() holds, the bursts go on after cprof_enable() and in a fork child,
# the heap statistics are sampled with the calls;
# CPROF_SAMPLE=1 and invalid values record everything.
# usage: bursts.sh PLUGIN RUNTIME_DIR SOURCE_DIR INCLUDE_DIR VALIDATE SCHEMA
set -eu
plugin=$(realpath "$1") rtdir=$(realpath "$2") src=$(realpath "$3") inc=$(realpath "$4")
validate=$(realpath "$5") schema=$(realpath "$6")
work=$(mktemp -d "${TMPDIR:-/tmp}/cprof-bursts.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL bursts: $*" >&2; [ -s "$work/err" ] && sed 's/^/  err: /' "$work/err" >&2; exit 1; }
unset CPROF_OUTPUT CPROF_SAMPLE CPROF_SAMPLE_CALLS

# check PROFILE OUT_FILE RATE PREFIX: the profile against the true call counts in OUT_FILE.
check() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
path, out, rate, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
p = json.load(open(path))
truth = {}
for line in open(out):
    w = line.split()
    if w[0] == prefix or (prefix == "" and len(w) == 2):
        truth[w[-2]] = int(w[-1])
fns = {f["name"]: f for f in p["functions"]}
def calls(name):
    return fns[name]["calls"] if name in fns else 0
def die(msg):
    print("  " + path + ": " + msg, file=sys.stderr)
    sys.exit(1)
st = p["statistics"]
rec = {k: calls("unit_" + k) for k in truth}
# Whole activations: each recorded unit call ran its 10 iterations and 10 calls of step.
units = sum(rec.values())
if calls("step") != 10 * units:
    die("step %d calls for %d unit calls" % (calls("step"), units))
loops = sum(l["iterations"] for l in p["loops"] if l["function"].startswith("unit_"))
if loops != 10 * units:
    die("%d unit loop iterations for %d unit calls" % (loops, units))
allocs = p.get("memory", {}).get("allocations", 0)
if rate == 1:
    if "bursts" in st:
        die("statistics.bursts without CPROF_SAMPLE")
    if "on" in truth and allocs < truth["on"]:
        die("%d heap allocations counted, unit_on made %d" % (allocs, truth["on"]))
    for k, v in truth.items():
        want = 0 if k == "off" else v
        if rec[k] != want:
            die("unit_%s: %d calls recorded, %d made" % (k, rec[k], want))
    sys.exit(0)
b = st.get("bursts")
if not b or b["rate"] != rate:
    die("statistics.bursts: %r" % b)
if b["count"] < 3:
    die("only %d bursts" % b["count"])
if not (b["count"] * 1000000 <= b["recorded_ns"] <= b["count"] * 50000000):
    die("%d bursts lasted %d ns" % (b["count"], b["recorded_ns"]))
if rec.get("off", 0) != 0:
    die("%d calls recorded under cprof_disable()" % rec["off"])
for k in ("on", "back"):
    if k not in truth:
        continue
    # Expected share: 1/rate; wide bounds, as a loaded machine stretches bursts and gaps.
    share = rec[k] / truth[k]
    if not (0 < share < min(0.5, 8.0 / rate)):
        die("unit_%s: %d of %d calls recorded (rate %d)" % (k, rec[k], truth[k], rate))
    if k == "on" and not (0 < allocs < truth[k] * min(0.5, 8.0 / rate) + 50):
        die("%d heap allocations counted of unit_on's %d: not sampled with the calls" % (allocs, truth[k]))
    print("  %s unit_%s: %d of %d calls recorded (%.3f), %d bursts, %.1f%% of the run, %d blocks counted" %
          (path.split("/")[-1], k, rec[k], truth[k], share, b["count"],
           100.0 * b["recorded_ns"] / st["total_runtime_ns"], allocs))
PY
}

for opt in -O0 -O2; do
  gcc $opt -fplugin="$plugin" -I"$inc" "$src/bursts.c" -o "$work/prog" \
    -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" || fail "$opt: build"
  cd "$work"
  CPROF=1 CPROF_SAMPLE=10 CPROF_OUTPUT=p.json ./prog 300 >out 2>err || fail "$opt: run"
  [ ! -s err ] || fail "$opt: unexpected stderr"
  check p.json out 10 "" || fail "$opt: CPROF_SAMPLE=10"
  "$validate" "$schema" p.json || fail "$opt: schema"
  rm -f p.json*
  CPROF=1 CPROF_SAMPLE=10 CPROF_OUTPUT=p.json ./prog 300 fork >out 2>err || fail "$opt: run with fork"
  child=$(ls p.json.* 2>/dev/null | head -1)
  [ -n "$child" ] || fail "$opt: no profile from the fork child"
  check "$child" out 10 child || fail "$opt: fork child"
  check p.json out 10 "" || fail "$opt: parent of a fork"
  for v in 1 0 x 2000000; do
    CPROF=1 CPROF_SAMPLE=$v CPROF_OUTPUT=p.json ./prog 50 >out 2>err || fail "$opt: CPROF_SAMPLE=$v: run"
    if [ "$v" = 1 ]; then
      [ ! -s err ] || fail "$opt: CPROF_SAMPLE=1: unexpected stderr"
    else
      [ "$(wc -l <err)" = 1 ] || fail "$opt: CPROF_SAMPLE=$v: expected one warning line"
      grep -qx "cprof: ignoring CPROF_SAMPLE='$v' (expected an integer from 1 to 1000000); everything is recorded" err ||
        fail "$opt: CPROF_SAMPLE=$v: warning text"
    fi
    check p.json out 1 "" || fail "$opt: CPROF_SAMPLE=$v"
  done
  cd - >/dev/null
  echo "ok bursts $opt"
done
