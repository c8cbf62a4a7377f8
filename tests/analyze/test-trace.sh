#!/bin/bash
# test-trace.sh: CPROF_TRACE=1 timelines and their Chrome trace export (--chrome-trace), checked
# structurally (Perfetto's UI needs the network): per thread every B has its E, spans nest, time
# runs forward; B events per function equal its timed calls when nothing was dropped; a tiny
# CPROF_TRACE_BUFFER drops activations and stays balanced; longjmp leaves unwound exits.
# Usage: test-trace.sh ANALYZER VALIDATOR SCHEMA PLUGIN RUNTIME_DIR CASES_DIR
set -u
analyzer=$1 validator=$2 schema=$3 plugin=$4 rtdir=$5 cases=$6
py=/usr/bin/python3
. "$(cd "$(dirname "$0")" && pwd)/assert.sh"

build() { # NAME: tests/plugin/cases/NAME.c with the plugin, into $tmp/NAME
    gcc -O2 -w -pthread -fplugin="$plugin" "$cases/$1.c" -o "$tmp/$1" -L"$rtdir" -lcprofrt \
        -Wl,-rpath,"$rtdir" 2>"$tmp/cc.err" || { cat "$tmp/cc.err"; fail "cannot build $1.c"; return 1; }
}

# check_chrome PROFILE CHROME [exact]: the export's structure against the profile's trace
check_chrome() {
    "$py" - "$1" "$2" "${3:-}" <<'PY' 2>"$tmp/pyerr" && ok || fail "chrome trace of $1: $(tail -n 3 "$tmp/pyerr")"
import json, sys, collections
prof, chrome, exact = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3] == "exact"
ev = chrome["traceEvents"]
assert chrome["displayTimeUnit"] == "ns"
names = {f["id"]: f["name"] for f in prof["functions"]}
tids = {t["tid"] for t in prof["trace"]["threads"]}
assert {e["tid"] for e in ev if e["ph"] == "M"} == tids, "a thread_name record per thread"
stacks, last, begins = collections.defaultdict(list), {}, collections.Counter()
for e in ev:
    if e["ph"] == "M":
        continue
    assert e["ph"] in "BE" and e["cat"] == "function" and e["tid"] in tids, e
    assert e["ts"] >= last.get(e["tid"], 0), ("time runs backwards", e)
    last[e["tid"]] = e["ts"]
    if e["ph"] == "B":
        stacks[e["tid"]].append(e["name"])
        begins[e["name"]] += 1
        assert set(e["args"]) == {"file", "line"}, e
    else:
        assert stacks[e["tid"]] and stacks[e["tid"]].pop() == e["name"], ("E without its B", e)
assert all(not s for s in stacks.values()), "every span closed"
assert sum(len(t["events"]) for t in prof["trace"]["threads"]) == prof["trace"]["recorded"]
if exact:
    assert prof["trace"]["dropped"] == 0
    timed = {f["name"]: f["timed_calls"] for f in prof["functions"] if f["timed_calls"]}
    assert dict(begins) == timed, (dict(begins), timed)
PY
}

# 8 threads of 100000 calls each, traced in full
if build threads; then
    (cd "$tmp" && CPROF=1 CPROF_TRACE=1 CPROF_OUTPUT="$tmp/t.json" ./threads >/dev/null 2>"$tmp/run.err")
    [ -s "$tmp/run.err" ] && fail "threads: stderr: $(head -c 300 "$tmp/run.err")" || ok
    "$validator" "$schema" "$tmp/t.json" && ok || fail "traced profile is not schema-valid"
    run --chrome-trace "$tmp/t.chrome.json" "$tmp/t.json"; expect_rc 0 "--chrome-trace"
    check_chrome "$tmp/t.json" "$tmp/t.chrome.json" exact
    "$py" -c 'import json, sys
t = json.load(open(sys.argv[1]))["trace"]
assert t["buffer_events"] == 1000000 and t["dropped"] == 0 and len(t["threads"]) == 9, t["threads"][0].keys()
assert sorted(len(x["events"]) for x in t["threads"])[1:] == [200002] * 8  # run + 100000 work each
' "$tmp/t.json" && ok || fail "threads: trace shape"

    # a small buffer: first come, first kept, and still balanced
    (cd "$tmp" && CPROF=1 CPROF_TRACE=1 CPROF_TRACE_BUFFER=64 CPROF_OUTPUT="$tmp/s.json" ./threads >/dev/null)
    "$validator" "$schema" "$tmp/s.json" && ok || fail "small-buffer profile is not schema-valid"
    "$py" -c 'import json, sys
t = json.load(open(sys.argv[1]))["trace"]
assert t["buffer_events"] == 64 and t["dropped"] > 0, t["dropped"]
assert all(len(x["events"]) <= 64 for x in t["threads"])
assert t["dropped"] == sum(x["dropped"] for x in t["threads"])
for x in t["threads"]:
    assert x["events"][:2] == sorted(x["events"][:2]), "the first events are kept"
' "$tmp/s.json" && ok || fail "small buffer: dropped and capped"
    run --chrome-trace "$tmp/s.chrome.json" "$tmp/s.json"; expect_rc 0 "--chrome-trace, small buffer"
    check_chrome "$tmp/s.json" "$tmp/s.chrome.json"

    # a bad buffer size: one warning line, the default, the run goes on
    (cd "$tmp" && CPROF=1 CPROF_TRACE=1 CPROF_TRACE_BUFFER=lots CPROF_OUTPUT="$tmp/b.json" ./threads >/dev/null 2>"$tmp/b.err")
    [ "$(wc -l <"$tmp/b.err")" = 1 ] && grep -q "^cprof: ignoring CPROF_TRACE_BUFFER='lots'" "$tmp/b.err" && ok ||
        fail "bad CPROF_TRACE_BUFFER: $(cat "$tmp/b.err")"
    grep -q '"buffer_events":1000000' "$tmp/b.json" && ok || fail "bad CPROF_TRACE_BUFFER: default used"
    # no CPROF_TRACE: no trace, and the export says so in one line
    (cd "$tmp" && CPROF=1 CPROF_OUTPUT="$tmp/n.json" ./threads >/dev/null)
    grep -q '"trace"' "$tmp/n.json" && fail "trace without CPROF_TRACE" || ok
    run --chrome-trace "$tmp/n.chrome.json" "$tmp/n.json"; expect_rc 2 "--chrome-trace without a trace"
    [ "$(wc -l <"$err")" = 1 ] && contains "$err" "the profile has no trace" "no-trace message"
    [ -e "$tmp/n.chrome.json" ] && fail "a file was left after the error" || ok
fi

# longjmp: the frames it leaves end as unwound exits (kind 2), and the export stays balanced
if build longjmp; then
    (cd "$tmp" && CPROF=1 CPROF_TRACE=1 CPROF_OUTPUT="$tmp/l.json" ./longjmp >/dev/null)
    "$validator" "$schema" "$tmp/l.json" && ok || fail "longjmp profile is not schema-valid"
    "$py" -c 'import json, sys
p = json.load(open(sys.argv[1]))
unwound = sum(1 for t in p["trace"]["threads"] for e in t["events"] if e[2] == 2)
assert unwound == p["statistics"]["unwound_frames"] > 0, (unwound, p["statistics"]["unwound_frames"])
' "$tmp/l.json" && ok || fail "longjmp: unwound exits"
    run --chrome-trace "$tmp/l.chrome.json" "$tmp/l.json"; expect_rc 0 "--chrome-trace, longjmp"
    check_chrome "$tmp/l.json" "$tmp/l.chrome.json" exact
fi

echo "trace: $checked passed, $failed failed"
[ "$failed" -eq 0 ]
