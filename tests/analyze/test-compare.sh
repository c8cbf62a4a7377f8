#!/bin/bash
# test-compare.sh: cprof-analyze's analysis and comparison: diff (exit codes, Welch's t-test over
# runs), merge (exact sums, schema), hotspot classes and recommendations, --sort/--filter/--json,
# and annotate on a real profile of tests/plugin/cases/basic.c.
# Usage: test-compare.sh diff|welch|merge|advice|options ANALYZER VALIDATOR SCHEMA
#        test-compare.sh annotate ANALYZER VALIDATOR SCHEMA PLUGIN RUNTIME_DIR CASES_DIR
# Prints one line per failed assertion and exits 1 if any failed.
set -u
export LC_ALL=C.UTF-8
PY=/usr/bin/python3 # Debian's python3: the one on PATH may be a bare pyenv
here=$(cd "$(dirname "$0")" && pwd)

. "$here/assert.sh"
one_error_line() { # PATH WHAT
    local lines
    lines=$(wc -l <"$err")
    if [ "$lines" -eq 1 ] && grep -qF -- "cprof-analyze: $1: " "$err"; then ok
    else fail "$2: stderr should be one line 'cprof-analyze: $1: …', got $lines line(s): $(head -c 300 "$err")"; fi
}
# mk OUT SPEC: a crafted profile (see mkprofile.py); every one must satisfy the schema.
mk() {
    "$PY" "$here/mkprofile.py" "$1" "$2" || { fail "mkprofile $1"; return; }
    "$validator" "$schema" "$1" || fail "crafted profile $1 is not schema-valid"
}
# pycheck WHAT PYTHON-CODE: runs the code with j = the JSON of $out; a failed assert fails WHAT.
pycheck() {
    if "$PY" -c "import json, sys
j = json.load(open('$out'))
$2" 2>"$tmp/pyerr"; then ok; else fail "$1: $(tail -n 3 "$tmp/pyerr")"; fi
}

test_diff() {
    local base="$tmp/base.json"
    mk "$base" 'prof([fn(0, "main", 50e6, total=100e6, line=10), fn(1, "hot", 40e6, calls=1000, line=20),
                      fn(2, "cold", 1e5, calls=10, line=30), fn(3, "gone", 9.9e6, line=40)], 100e6,
                     loops=[loop(0, "main", 11, 1000, 1)], branches=[branch(0, "main", 12, 500, 500)])'
    # hot: 40 → 60 ms, share 40% → 50%: a regression; cold grows 10x but stays far below 5%.
    mk "$tmp/worse.json" 'prof([fn(0, "main", 50e6, total=120e6, line=10), fn(1, "hot", 60e6, calls=1500, line=20),
                      fn(2, "cold", 1e6, calls=10, line=30), fn(4, "fresh", 9e6, line=50)], 120e6,
                     loops=[loop(0, "main", 11, 1500, 1)], branches=[branch(0, "main", 12, 700, 800)])'
    # hot: 40 → 41 ms (+2.5%, share 40% → 41%): within 5%, beyond 1%.
    mk "$tmp/slight.json" 'prof([fn(0, "main", 50e6, total=101e6, line=10), fn(1, "hot", 41e6, calls=1000, line=20),
                      fn(2, "cold", 1e5, calls=10, line=30), fn(3, "gone", 9.9e6, line=40)], 101e6,
                     loops=[loop(0, "main", 11, 1000, 1)], branches=[branch(0, "main", 12, 500, 500)])'

    run diff "$base" "$tmp/worse.json"; expect_rc 1 "diff regression"
    matches "$out" '^ +\+20\.0 ms +60\.0 ms +40\.0 ms +50\.00% +40\.00% +1500 +1000 +\+50\.0% +REGRESSED +hot  app\.c:20$' "diff hot row"
    matches "$out" 'REGRESSED \(new\) +fresh' "diff new function"
    matches "$out" ' gone +gone  app\.c:40$' "diff gone function"
    if grep -E ' cold  app' "$out" | grep -q REGRESSED; then fail "cold (below the minimum share) flagged"; else ok; fi
    contains "$out" "verdict: 2 functions regressed beyond 5%" "diff verdict"
    # Sorted by impact: hot (+20 ms) before gone (-9.9 ms) before fresh (+9 ms) before cold (+0.9 ms).
    if [ "$(grep -oE '(hot|gone|fresh|cold)  app' "$out" | cut -d' ' -f1 | tr '\n' ' ')" = "hot gone fresh cold " ]; then ok
    else fail "diff not sorted by impact"; cat "$out"; fi
    matches "$out" '^ +\+500 +1500 +1000 +1 +1  app\.c:11 +main$' "diff loop"
    matches "$out" '^ +700 +500 +800 +500 +53\.3% +50\.0%  app\.c:12 +main$' "diff branch"

    run diff "$base" "$base"; expect_rc 0 "diff identical"
    contains "$out" "(no function changed)" "diff identical functions"
    contains "$out" "verdict: no regression beyond 5%" "diff identical verdict"
    run diff "$base" "$tmp/slight.json"; expect_rc 0 "diff +2.5% at 5%"
    run diff --threshold 1 "$base" "$tmp/slight.json"; expect_rc 1 "diff +2.5% at 1%"
    run diff "$base" "$tmp/slight.json" --threshold=2%; expect_rc 1 "diff +2.5% at 2%"
    run diff "$tmp/worse.json" "$base"; expect_rc 1 "diff back: gone comes back as new"
    matches "$out" 'improved +hot' "diff improvement verdict"
    matches "$out" 'REGRESSED \(new\) +gone' "diff back: gone is new"
    mk "$tmp/better.json" 'prof([fn(0, "main", 50e6, total=80e6, line=10), fn(1, "hot", 20e6, calls=1000, line=20),
                      fn(2, "cold", 1e5, calls=10, line=30), fn(3, "gone", 9.9e6, line=40)], 80e6,
                     loops=[loop(0, "main", 11, 1000, 1)], branches=[branch(0, "main", 12, 500, 500)])'
    run diff "$base" "$tmp/better.json"; expect_rc 0 "diff improvement"
    matches "$out" '^ +-20\.0 ms .* improved +hot  app\.c:20$' "diff improvement verdict"

    # CPROF_SAMPLE=10 bursts of a run: a tenth of its calls and times. Against the exact profile
    # it is scaled back (one warning line), so nothing changed; against itself it is not scaled.
    mk "$tmp/exact.json" 'prof([fn(0, "main", 50e6, total=100e6, calls=10, line=10), fn(1, "hot", 40e6, calls=1000, line=20),
                      fn(2, "cold", 1e5, calls=10, line=30)], 100e6,
                     loops=[loop(0, "main", 11, 1000, 10)], branches=[branch(0, "main", 12, 500, 500)])'
    mk "$tmp/sampled.json" 'prof([fn(0, "main", 5e6, total=10e6, line=10), fn(1, "hot", 4e6, calls=100, line=20),
                      fn(2, "cold", 1e4, calls=1, line=30)], 100e6,
                     loops=[loop(0, "main", 11, 100, 1)], branches=[branch(0, "main", 12, 50, 50)],
                     bursts=(10, 9000, 10e6))'
    run diff "$tmp/exact.json" "$tmp/sampled.json"; expect_rc 0 "diff exact vs sampled"
    contains "$out" "(no function changed)" "diff exact vs sampled: scaled to the whole run"
    matches "$err" "^cprof-analyze: diff: warning: .*sampled\.json was recorded in CPROF_SAMPLE=10 bursts: its counts and times are multiplied by 10" "diff sampled warning"
    [ "$(wc -l <"$err")" -eq 1 ] && ok || fail "diff exact vs sampled: expected one warning line, got $(cat "$err")"
    run diff "$tmp/sampled.json" "$tmp/sampled.json"; expect_rc 0 "diff sampled vs sampled"
    [ ! -s "$err" ] && ok || fail "diff of one rate warned: $(cat "$err")"
    contains "$out" "(no loop changed)" "diff sampled vs sampled"
    run diff "$tmp/sampled.json" "$tmp/exact.json"; expect_rc 0 "diff sampled vs exact"
    contains "$out" "(no loop changed)" "diff sampled vs exact: the loop scaled"

    run diff "$base"; expect_rc 2 "diff one profile"
    run diff "$base" "$base" "$base"; expect_rc 2 "diff three profiles without --vs"
    run diff --threshold abc "$base" "$base"; expect_rc 2 "diff bad threshold"
    run diff --threshold 0 "$base" "$base"; expect_rc 2 "diff zero threshold"
    run diff "$base" /nonexistent.json; expect_rc 2 "diff missing file"; one_error_line /nonexistent.json "diff missing file"
    printf '{"version": "1.0", "tool": "cprof", "functions": [' >"$tmp/trunc.json"
    run diff "$tmp/trunc.json" "$base"; expect_rc 2 "diff truncated"; one_error_line "$tmp/trunc.json" "diff truncated"
    printf '{"version": "2.0", "tool": "cprof"}' >"$tmp/v2.json"
    run diff "$base" "$tmp/v2.json"; expect_rc 2 "diff version 2"; one_error_line "$tmp/v2.json" "diff version 2"
    run diff --help; expect_rc 0 "diff --help"; contains "$out" "--vs" "diff --help"
}

test_welch() {
    local i t
    # hot: base ~40 ms, new ~60 ms: a clear, significant regression.
    i=0
    for t in 40.1e6 39.8e6 40.3e6 40.0e6; do
        mk "$tmp/a$i.json" "prof([fn(0, 'main', 50e6, total=100e6), fn(1, 'hot', $t, calls=1000)], 100e6)"
        i=$((i + 1))
    done
    i=0
    for t in 60.2e6 59.7e6 60.1e6 59.9e6; do
        mk "$tmp/b$i.json" "prof([fn(0, 'main', 50e6, total=100e6), fn(1, 'hot', $t, calls=1000)], 100e6)"
        i=$((i + 1))
    done
    # noise: the means differ by 10%, but the runs scatter far more than that.
    i=0
    for t in 30e6 50e6 35e6 45e6; do
        mk "$tmp/n$i.json" "prof([fn(0, 'main', 50e6, total=100e6), fn(1, 'hot', $t, calls=1000)], 100e6)"
        i=$((i + 1))
    done
    i=0
    for t in 52e6 31e6 48e6 45e6; do
        mk "$tmp/m$i.json" "prof([fn(0, 'main', 50e6, total=100e6), fn(1, 'hot', $t, calls=1000)], 100e6)"
        i=$((i + 1))
    done

    run diff "$tmp"/a?.json --vs "$tmp"/b?.json; expect_rc 1 "welch clear difference"
    matches "$out" '^ +60\.0 ms ± [0-9.]+ [nµm]?s +40\.0 ms ± [0-9.]+ [nµm]?s +\+49\.8% +[0-9.e-]+ +59\.98% +REGRESSED +hot' "welch clear row"
    matches "$out" ' unchanged +main ' "welch unchanged function"
    contains "$out" "verdict: 1 function significantly regressed beyond 5%" "welch clear verdict"
    # The p-value printed is tiny.
    if awk '/ hot  app/ { for (i = 1; i <= NF; i++) if ($i ~ /%$/ && $(i+1) ~ /^[0-9.e-]+$/) { print $(i+1); exit } }' "$out" |
        "$PY" -c 'import sys; p = float(sys.stdin.read()); sys.exit(0 if p < 1e-6 else 1)'; then ok
    else fail "welch clear: p not tiny"; cat "$out"; fi

    run diff "$tmp"/n?.json --vs "$tmp"/m?.json; expect_rc 0 "welch noise"
    matches "$out" ' noise +hot' "welch noise verdict"
    contains "$out" "verdict: no significant regression beyond 5%" "welch noise summary"
    # The same data as a single pair would be a "regression": only the t-test keeps it out.
    run diff "$tmp/n0.json" "$tmp/m0.json"; expect_rc 1 "single pair from the noisy set"

    # Improvement in the other direction is significant but not a regression.
    run diff "$tmp"/b?.json --vs "$tmp"/a?.json; expect_rc 0 "welch improvement"
    matches "$out" 'improved +hot' "welch improvement verdict"

    run diff "$tmp/a0.json" --vs "$tmp/b0.json" "$tmp/b1.json"; expect_rc 2 "welch one base run"
    run diff "$tmp/a0.json" "$tmp/a1.json" --vs "$tmp/b0.json" /nonexistent.json; expect_rc 2 "welch missing run"
    one_error_line /nonexistent.json "welch missing run"
}

test_merge() {
    mk "$tmp/p1.json" 'prof([fn(0, "main", 5000, total=9000, line=10), fn(1, "work", 3000, calls=100, timed=100, avg=30, mn=10, mx=90, line=20),
                    fn(2, "helper", 0, calls=50, timed=0, line=30, static=True, file="a.c"),
                    fn(3, "part", 1000, calls=10, timed=4, avg=250, mn=200, mx=300, line=40)], 10000,
                    loops=[loop(0, "main", 11, 100, 1)], branches=[branch(1, "work", 21, 90, 10)],
                    switches=[switch(1, "work", 22, [("0", 60), ("default", 40)])],
                    edges=[edge((0, "main"), (1, "work"), 100, 4000), edge((0, "main"), (3, "part"), 10, 1000)],
                    threads=[thread(0, 10000, max_depth=4, timed=105), thread(1, 3000, max_depth=2)], pid=11)'
    # Ids differ on purpose; helper here is another static function (b.c) of the same name.
    mk "$tmp/p2.json" 'prof([fn(7, "work", 6000, calls=200, timed=200, avg=45, mn=5, mx=80, line=20),
                    fn(5, "main", 7000, total=20000, line=10),
                    fn(6, "helper", 0, calls=25, timed=0, line=30, static=True, file="b.c"),
                    fn(8, "part", 3000, calls=30, timed=30, avg=100, mn=150, mx=500, line=40)], 20000,
                    loops=[loop(5, "main", 11, 300, 2)], branches=[branch(7, "work", 21, 190, 10)],
                    switches=[switch(7, "work", 22, [("default", 100), ("3...5", 100)])],
                    edges=[edge((5, "main"), (7, "work"), 200, 9000)],
                    threads=[thread(0, 20000, max_depth=5, timed=260)], pid=22, timestamp=1763786500)'
    # work's latency histograms (1.2): the merge adds them bucket by bucket
    "$PY" - "$tmp/p1.json" "$tmp/p2.json" <<'EOF'
import json, sys
hists = [[(0, 15, 40), (16, 19, 60)], [(16, 19, 100), (80, 95, 100)]]
for path, hist in zip(sys.argv[1:], hists):
    p = json.load(open(path))
    p["version"] = "1.2"
    for f in p["functions"]:
        if f["name"] == "work":
            f["latency"] = {"p50_ns": 0, "p95_ns": 0, "p99_ns": 0,
                            "histogram": [{"min_ns": a, "max_ns": b, "count": c} for a, b, c in hist]}
    json.dump(p, open(path, "w"))
EOF
    run merge "$tmp/p1.json" "$tmp/p2.json" -o "$tmp/all.json"; expect_rc 0 "merge"
    [ -s "$err" ] && fail "merge: stderr: $(head -c 300 "$err")" || ok
    "$validator" "$schema" "$tmp/all.json" && ok || fail "merged profile is not schema-valid"
    out="$tmp/all.json"
    pycheck "merge functions" '
F = {(f["name"], f["file"]): f for f in j["functions"]}
assert len(j["functions"]) == 5, len(j["functions"])
w = F[("work", "app.c")]
assert (w["calls"], w["timed_calls"], w["self_time_ns"], w["total_time_ns"]) == (300, 300, 9000, 9000), w
assert (w["min_time_ns"], w["max_time_ns"], w["avg_time_ns"]) == (5, 90, 40), w   # (30*100 + 45*200) / 300
assert w["timing"] == "full" and w["inlined_calls"] == 0
m = F[("main", "app.c")]
assert (m["calls"], m["self_time_ns"], m["total_time_ns"]) == (2, 12000, 29000), m
p = F[("part", "app.c")]
assert (p["calls"], p["timed_calls"], p["inlined_calls"], p["timing"]) == (40, 34, 6, "partial"), p
assert (p["min_time_ns"], p["max_time_ns"], p["avg_time_ns"]) == (150, 500, 118), p  # (250*4 + 100*30) / 34
assert F[("helper", "a.c")]["calls"] == 50 and F[("helper", "b.c")]["calls"] == 25
assert F[("helper", "a.c")]["timing"] == "none"
lat = w["latency"]
assert [(b["min_ns"], b["max_ns"], b["count"]) for b in lat["histogram"]] == [(0, 15, 40), (16, 19, 160), (80, 95, 100)], lat
# rank 150 is 110 calls into [16, 20): 16 + 4 * 110 / 160; p95 and p99 fall in the last bucket,
# cut to [80, 91) by the max (90): 80 + 11 * 85 / 100 and 80 + 11 * 97 / 100
assert (lat["p50_ns"], lat["p95_ns"], lat["p99_ns"]) == (18, 89, 90), lat
assert "latency" not in F[("main", "app.c")]
assert sorted(f["id"] for f in j["functions"]) == list(range(5))'
    pycheck "merge sites" '
ids = {f["id"]: f["name"] for f in j["functions"]}
(l,) = j["loops"]; assert (l["iterations"], l["entries"], ids[l["function_id"]]) == (400, 3, "main"), l
(b,) = j["branches"]; assert (b["taken"], b["not_taken"]) == (280, 20) and abs(b["prediction_rate"] - 280 / 300) < 1e-12, b
assert ids[b["function_id"]] == "work"
(s,) = j["switches"]; assert s["total"] == 300, s
assert {c["label"]: c["count"] for c in s["cases"]} == {"0": 60, "default": 140, "3...5": 100}, s'
    pycheck "merge call graph" '
ids = {f["id"]: f["name"] for f in j["functions"]}
E = {(e["caller"], e["callee"], e["kind"]): e for e in j["call_graph"]}
assert len(E) == 2, E
e = E[("main", "work", "direct")]
assert (e["calls"], e["total_time_ns"]) == (300, 13000), e
assert ids[e["caller_id"]] == "main" and ids[e["callee_id"]] == "work"
assert E[("main", "part", "direct")]["calls"] == 10'
    pycheck "merge threads and statistics" '
t = j["threads"]; assert [x["id"] for x in t] == [0, 1, 2] and [x["runtime_ns"] for x in t] == [10000, 3000, 20000], t
s = j["statistics"]
assert (s["total_runtime_ns"], s["timed_calls"], s["threads"], s["overhead_estimate_ns"]) == (30000, 336, 3, 6720), s
assert s["hook_cost_ns"] == 20 and abs(s["overhead_estimate_percent"] - 100 * 6720 / 30000) < 1e-9, s
assert j["timestamp"] == 1763786500 and j["version"] == "1.0" and len(j["modules"]) == 1'
    # The merge reads back: the report of the merge shows the sums.
    run --no-color "$tmp/all.json"; expect_rc 0 "report of the merge"
    matches "$out" ' 300 +300 +40 ns +5 ns +90 ns +.* work ' "report of the merged work"

    # Merging a profile with itself doubles every count.
    run merge "$tmp/p1.json" "$tmp/p1.json" -o "$tmp/twice.json"; expect_rc 0 "merge twice"
    out="$tmp/twice.json"
    pycheck "merge twice doubles" '
o = json.load(open("'"$tmp/p1.json"'"))
key = lambda f: (f["name"], f["file"])
A = {key(f): f for f in o["functions"]}
for f in j["functions"]:
    a = A[key(f)]
    for k in ("calls", "timed_calls", "inlined_calls", "self_time_ns", "total_time_ns"):
        assert f[k] == 2 * a[k], (f, a, k)
    for k in ("min_time_ns", "max_time_ns", "avg_time_ns", "timing"):
        assert f[k] == a[k], (f, a, k)
assert j["loops"][0]["iterations"] == 200 and j["branches"][0]["taken"] == 180
assert len(j["threads"]) == 4'

    run merge "$tmp/p1.json" "$tmp/p2.json"; expect_rc 2 "merge without -o"
    contains "$err" "no output file given" "merge without -o"
    run merge -o "$tmp/x.json"; expect_rc 2 "merge without profiles"
    printf '{"version": "1.0", "tool": "cprof", "functions": [' >"$tmp/trunc.json"
    run merge "$tmp/p1.json" "$tmp/trunc.json" -o "$tmp/x.json"; expect_rc 2 "merge truncated"
    one_error_line "$tmp/trunc.json" "merge truncated"
    [ -e "$tmp/x.json" ] && fail "merge wrote output for bad input" || ok
    run merge "$tmp/p1.json" -o /nonexistent/dir/x.json; expect_rc 2 "merge unwritable"
    one_error_line /nonexistent/dir/x.json "merge unwritable"
    # Edges without ids whose names are ambiguous cannot be matched: a clean error, not a crash.
    "$PY" - "$tmp/p1.json" "$tmp/amb.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["functions"][1]["name"] = "main"
d["functions"][1]["linkage_name"] = "main2"
for e in d["call_graph"]:
    del e["caller_id"]
json.dump(d, open(sys.argv[2], "w"))
PYEOF
    run merge "$tmp/amb.json" "$tmp/p2.json" -o "$tmp/x.json"; expect_rc 2 "merge ambiguous edge"
    one_error_line "$tmp/amb.json" "merge ambiguous edge"
}

test_advice() {
    # Evidence for every rule, next to near misses that must not fire.
    mk "$tmp/ev.json" 'prof([fn(0, "main", 500e6, total=1000e6, line=10),
            fn(1, "tiny", 60e6, calls=3e6, timed=2e6, avg=30, line=30, static=True),
            fn(2, "slow", 100e6, calls=2e6, avg=500, line=40),
            fn(3, "rare", 1e6, calls=5e5, avg=20, line=50),
            fn(4, "fib", 200e6, total=200e6, calls=2692537, avg=900, line=60),
            fn(5, "walk", 10e6, total=10e6, calls=1000, avg=6000, line=70)], 1000e6,
        loops=[loop(0, "main", 11, 100000, 1), loop(0, "main", 12, 250000, 100000, depth=2),
               loop(0, "main", 13, 800000, 100000, depth=2),
               loop(2, "slow", 41, 10, 1), loop(2, "slow", 42, 20000, 10000, depth=2)],
        branches=[branch(0, "main", 15, 999999, 1), branch(0, "main", 16, 4999, 1),
                  branch(0, "main", 11, 100000, 1), branch(0, "main", 17, 600000, 400000)],
        edges=[edge((0, "main"), (4, "fib"), 1, 200e6), edge((4, "fib"), (4, "fib"), 2692536, 0),
               edge((0, "main"), (5, "walk"), 1, 10e6), edge((5, "walk"), (5, "walk"), 999, 0)],
        threads=[thread(0, 1000e6, max_depth=1002)])'
    run --no-color "$tmp/ev.json"; expect_rc 0 "advice report"
    sed -n '/^== Recommendations ==/,$p' "$out" >"$tmp/rec"
    matches "$tmp/rec" '^  app\.c:15 \[branch-bias\] branch in main is true 999999 of 1000000 times \(99\.9999%\).*__builtin_expect\(cond, 1\).*-fprofile-use' "branch rule fires"
    lacks "$tmp/rec" "app.c:16" "branch rule without enough runs"
    lacks "$tmp/rec" "app.c:11 [branch" "branch rule on a loop test"
    lacks "$tmp/rec" "app.c:17" "branch rule on a 60/40 branch"
    matches "$tmp/rec" '^  app\.c:30 \[inline\] tiny is called 2000000 times out of line \(of 3000000 calls\) and takes 30 ns per call on average: declare it static inline' "inline rule fires"
    lacks "$tmp/rec" "slow is called" "inline rule on a slow function"
    lacks "$tmp/rec" "rare is called" "inline rule on a rarely called function"
    matches "$tmp/rec" '^  app\.c:12 \[short-inner-loop\] loop in main runs 2\.50 iterations per entry \(250000 iterations / 100000 entries\) inside the (critical|high|medium) loop app\.c:11 \(100000 iterations' "loop rule fires"
    lacks "$tmp/rec" "app.c:13 [short" "loop rule with 8 trips per entry"
    lacks "$tmp/rec" "app.c:42" "loop rule inside a cold outer loop"
    # fib(30) from one call: 2692537 calls; the deepest stack was 1002 frames.
    matches "$tmp/rec" '^  app\.c:60 \[memoize\] fib makes 2692537 calls from 1 outside call \(2692537 per outside call, 2692536 of them recursive\) while the deepest call stack was 1002 frames' "recursion rule fires"
    lacks "$tmp/rec" "walk makes" "recursion rule on linear recursion"
    if [ "$(grep -c '^  app' "$tmp/rec")" -eq 4 ]; then ok; else fail "expected exactly 4 recommendations"; cat "$tmp/rec"; fi

    # The same sites without the evidence: nothing fires.
    mk "$tmp/noev.json" 'prof([fn(0, "main", 500e6, total=1000e6, line=10),
            fn(1, "tiny", 60e6, calls=3e6, timed=0, line=30, static=True),
            fn(4, "fib", 200e6, total=200e6, calls=2692537, avg=900, line=60)], 1000e6,
        loops=[loop(0, "main", 11, 100000, 1), loop(0, "main", 12, 900000, 100000, depth=2)],
        branches=[branch(0, "main", 15, 990000, 10000)],
        edges=[edge((0, "main"), (4, "fib"), 1, 200e6), edge((4, "fib"), (4, "fib"), 2692536, 0)],
        threads=[thread(0, 1000e6, max_depth=0)])'
    run --no-color "$tmp/noev.json"; expect_rc 0 "no evidence"
    contains "$out" "(none: no rule found enough evidence in this profile)" "no evidence, no advice"

    # Classes: main 50% is critical at 5%, fib 20% critical, slow 10% high, tiny 6% medium.
    run --no-color --top 100 "$tmp/ev.json"
    matches "$out" ' critical  main ' "class critical"
    matches "$out" ' high  slow ' "class high"
    matches "$out" ' medium  tiny ' "class medium"
    matches "$out" ' low  walk ' "class low"
    run --no-color --threshold 30 --top 100 "$tmp/ev.json"
    matches "$out" ' medium  main ' "class with --threshold 30"
    matches "$out" ' low  fib ' "class low with --threshold 30"

    run --json "$tmp/ev.json"; expect_rc 0 "advice --json"
    pycheck "advice --json" '
assert [r["rule"] for r in j["recommendations"]] == ["memoize", "inline", "short-inner-loop", "branch-bias"], j["recommendations"]
r = j["recommendations"][3]; assert (r["file"], r["line"], r["function"], r["site"]) == ("app.c", 15, "main", "app.c:15"), r
F = j["functions"]; assert [f["name"] for f in F][:3] == ["main", "fib", "slow"], F
assert F[0]["class"] == "critical" and F[0]["rank"] == 1 and abs(F[0]["self_share_percent"] - 50) < 1e-9
assert j["classes"] == {"threshold_percent": 5, "critical_from_percent": 20, "high_from_percent": 10, "medium_from_percent": 5}
L = {l["location"]: l for l in j["loops"]}; assert L["app.c:12"]["avg_trip_count"] == 2.5
assert j["summary"]["wall_time_ns"] == 1000e6'
}

test_options() {
    local r="$here/data/realistic.json"
    run --no-color --sort calls "$r"; expect_rc 0 "--sort calls"
    contains "$out" "== Top functions by calls ==" "--sort calls title"
    if [ "$(sed -n '/^== Top functions by calls/,/^$/p' "$out" | grep -oE '(main|worker_main|classify|helper|callback|fib|square)( \[[a-z ]+\])?  app' | cut -d' ' -f1 | tr '\n' ' ')" \
         = "square fib helper classify callback main worker_main " ]; then ok
    else fail "--sort calls order"; sed -n '/^== Top functions by calls/,/^$/p' "$out"; fi
    run --no-color --sort=total "$r"; expect_rc 0 "--sort total"
    contains "$out" "== Top functions by inclusive time ==" "--sort total title"
    run report --no-color --sort total "$r"; expect_rc 0 "report subcommand"
    "$analyzer" --no-color --sort total "$r" | cmp -s - "$out" && ok || fail "report subcommand differs from the default"
    run --sort size "$r"; expect_rc 2 "--sort size"; contains "$err" "--sort needs self, total or calls" "--sort size"
    run --threshold 101 "$r"; expect_rc 2 "--threshold 101"
    run --filter "$r"; expect_rc 2 "--filter without a pattern"

    run --no-color --filter 'worker*' "$r"; expect_rc 0 "--filter"
    contains "$out" "worker_main  app.c:36" "--filter keeps matches"
    lacks "$out" "fib" "--filter drops functions, call-tree nodes and branches"
    lacks "$out" "app.c:12" "--filter drops the loops of other functions"
    contains "$out" "app.c:42" "--filter keeps the loops of matches"
    matches "$out" '^  worker_main  1 call  3\.00 ms$' "--filter call tree"
    run --json --filter 'c*' "$r"; expect_rc 0 "--json --filter"
    pycheck "--json --filter" '
assert [f["name"] for f in j["functions"]] == ["classify", "callback"], j["functions"]
assert j["loops"] == [] and j["filter"] == "c*" and j["recommendations"] == []'
    run --json --sort calls "$r"
    pycheck "--json ranks" '
assert [f["name"] for f in j["functions"]][:2] == ["square", "fib"]
assert [f["rank"] for f in j["functions"]] == list(range(1, 8))
assert {f["name"]: f["class"] for f in j["functions"]}["square"] == "-"'
    # Every malformed sample: one line naming the file, exit 2, for every subcommand.
    local f n=0
    for f in "$here"/data/bad-*.json; do
        n=$((n + 1))
        run --json "$f"; expect_rc 2 "--json $(basename "$f")"; one_error_line "$f" "--json $(basename "$f")"
        run annotate "$f"; expect_rc 2 "annotate $(basename "$f")"; one_error_line "$f" "annotate $(basename "$f")"
        run diff "$r" "$f"; expect_rc 2 "diff $(basename "$f")"; one_error_line "$f" "diff $(basename "$f")"
        run diff "$r" "$r" --vs "$r" "$f"; expect_rc 2 "diff --vs $(basename "$f")"; one_error_line "$f" "diff --vs $(basename "$f")"
        run merge "$r" "$f" -o "$tmp/m.json"; expect_rc 2 "merge $(basename "$f")"; one_error_line "$f" "merge $(basename "$f")"
    done
    [ "$n" -ge 20 ] && ok || fail "expected at least 20 bad samples, found $n"

    # Files: self times, calls and loop iterations summed per source file, hottest file first;
    # a function that never ran does not count; inclusive times are not summed (they overlap).
    mk "$tmp/files.json" 'prof([fn(0, "main", 10e6, total=100e6, line=1, file="a.c"), fn(1, "f", 20e6, calls=7, line=9, file="a.c"),
        fn(2, "g", 60e6, calls=3, line=2, file="b.c"), fn(3, "idle", 0, calls=0, line=5, file="c.c")], 100e6,
        loops=[loop(1, "f", 10, 700, 7, file="a.c"), loop(2, "g", 3, 30, 3, file="b.c"), loop(0, "main", 2, 5, 1, file="a.c")])'
    run --no-color "$tmp/files.json"; expect_rc 0 "files section"
    awk 'index($0, "== Files") == 1 { on = 1; next } /^== / { on = 0 } on && NF' "$out" >"$tmp/files"
    if [ "$(grep -cE '  [abc]\.c$' "$tmp/files")" -eq 2 ] && head -n 2 "$tmp/files" | tail -n 1 | grep -qE '^ +60\.0 ms +60\.0% +3 +1 +30  b\.c$' &&
       grep -qE '^ +30\.0 ms +30\.0% +8 +2 +705  a\.c$' "$tmp/files"; then ok
    else fail "files section: b.c (60 ms) then a.c (30 ms, 8 calls, 2 functions, 705 iterations), no c.c"; cat "$tmp/files"; fi

    run --help; expect_rc 0 "--help"
    for w in "annotate profile.json" "diff BASE.json NEW.json" "--vs" "merge A.json" "--sort self|total|calls" "--filter PATTERN" "--json" "--threshold PCT"; do
        contains "$out" "$w" "--help mentions $w"
    done
}

test_annotate() {
    local work="$tmp/build"
    mkdir -p "$work/src" "$work/run" "$work/other"
    cp "$casedir/basic.c" "$work/src/basic.c"
    (cd "$work/src" && gcc -O2 -w -fplugin="$plugin" basic.c -o "$work/prog" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir") ||
        { fail "cannot build basic.c with the plugin"; return; }
    (cd "$work/run" && CPROF=1 CPROF_OUTPUT="$work/profile.json" "$work/prog" >/dev/null) || { fail "basic.c run"; return; }

    (cd "$work/src" && "$analyzer" annotate --no-color "$work/profile.json" >"$tmp/out" 2>"$tmp/err"); rc=$? out="$tmp/out" err="$tmp/err"
    expect_rc 0 "annotate"
    cp "$out" "$tmp/ann"
    local a="$tmp/ann"
    matches "$a" '^==> basic\.c <==  .*3 functions, 7 loops, 12 branches, 1 switch' "annotate header"
    # GCC may inline fib into itself in the instrumented clone, as without cprof: "(N timed)"
    matches "$a" '^ +177 +[0-9.]+ [nµm]?s  fib: 177 calls( \([0-9]+ timed\))?, self .* +4\| int fib \(int n\)' "annotate fib calls and time"
    matches "$a" '^ +1000 +loop: 1000 iter / 1 entry \(avg 1000\.0\) +20\|   for \(int i = 0; i < 1000; i\+\+\)' "annotate for1000"
    matches "$a" '^ +100 +branch col [0-9]+: taken 50, not 50 +23\|     if \(i % 2 == 0\)' "annotate evenodd"
    matches "$a" '^ +20 +loop: 20 iter / 4 entries \(avg 5\.0\) +32\|' "annotate inner loop"
    matches "$a" '^ +10 +switch: 10 executions +8\|   switch \(c\)' "annotate switch"
    matches "$a" '^ +3 +  case 5\.\.\.7 \(30\.0%\) +\| *$' "annotate switch case"
    matches "$a" '^ +4 +  case default \(40\.0%\)' "annotate default case"
    matches "$a" '^ +10 +classify: 10 calls, inlined +6\| static int classify' "annotate inlined function"
    matches "$a" '^ +21\|     sum \+= i;$' "annotate line without a site"
    matches "$a" '^ +39\| }$' "annotate last line"
    # Every source line appears once, in order.
    if [ "$(grep -cE '^ .* [0-9]+\| ' "$a")" -eq "$(wc -l <"$casedir/basic.c")" ]; then ok
    else fail "annotate: not every source line listed"; fi

    # From elsewhere the profile's relative path is found through the module's compile directory.
    (cd "$work/other" && "$analyzer" annotate --no-color "$work/profile.json" basic.c >"$tmp/out2" 2>"$tmp/err2"); rc=$?
    err="$tmp/err2"; expect_rc 0 "annotate via the compile directory"
    cmp -s <(tail -n +2 "$a") <(tail -n +2 "$tmp/out2") && ok || fail "annotate via the compile directory differs"

    # Source moved away: one line naming the file, exit 2; --source-dir finds it again.
    mkdir -p "$work/moved"
    mv "$work/src/basic.c" "$work/moved/basic.c"
    (cd "$work/other" && "$analyzer" annotate --no-color "$work/profile.json" >"$tmp/out" 2>"$tmp/err"); rc=$? out="$tmp/out" err="$tmp/err"
    expect_rc 2 "annotate source missing"
    one_error_line basic.c "annotate source missing"
    contains "$err" "source file not found" "annotate source missing"
    (cd "$work/other" && "$analyzer" annotate --no-color --source-dir "$work/moved" "$work/profile.json" >"$tmp/out" 2>"$tmp/err"); rc=$?
    expect_rc 0 "annotate --source-dir"
    matches "$tmp/out" '^ +1000 +loop: 1000 iter' "annotate --source-dir output"

    run annotate "$work/profile.json" nosuch.c; expect_rc 2 "annotate unknown file"
    one_error_line nosuch.c "annotate unknown file"
    run annotate /nonexistent.json; expect_rc 2 "annotate missing profile"; one_error_line /nonexistent.json "annotate missing profile"
    run annotate; expect_rc 2 "annotate without a profile"

    # A site that never ran is marked "#####", as gcov does.
    mkdir -p "$work/never"
    printf 'int main(void)\n{\n  for (;;)\n    if (x)\n      break;\n}\n' >"$work/never/n.c"
    mk "$work/never/n.json" 'prof([fn(0, "main", 10, line=1, file="n.c"), fn(1, "unused", 0, calls=0, line=6, file="n.c")], 100,
        loops=[loop(0, "main", 3, 0, 0, file="n.c")], branches=[branch(0, "main", 4, 0, 0, file="n.c")])'
    (cd "$work/never" && "$analyzer" annotate --no-color n.json >"$tmp/out" 2>"$tmp/err"); rc=$?
    expect_rc 0 "annotate never-run sites"
    matches "$tmp/out" '^ +##### +loop: never entered +3\|   for \(;;\)$' "annotate never-entered loop"
    matches "$tmp/out" '^ +##### +branch col 7: taken 0, not 0 +4\|     if \(x\)$' "annotate never-run branch"
    matches "$tmp/out" '^ +##### +unused: never called +6\| }$' "annotate never-called function"
    matches "$tmp/out" '^ +1 +10 ns  main: 1 call, self 10 ns, avg 10 ns +1\| int main\(void\)$' "annotate main"

    # A source shorter than the profile says: the sites past its end are reported, not dropped silently.
    head -n 10 "$work/moved/basic.c" >"$work/other/basic.c"
    (cd "$work/other" && "$analyzer" annotate --no-color "$work/profile.json" >"$tmp/out" 2>"$tmp/err"); rc=$?
    expect_rc 0 "annotate short source"
    matches "$tmp/out" '[0-9]+ sites after the last line \(10\) of this file' "annotate short source"
}

# The hoist-allocation rule on real profiles: cases/alloc-loop.c (malloc in a hot loop, and an
# allocating callee called once per iteration) fires at the right lines with the exact counts;
# cases/hoisted-loop.c (the same work, allocations hoisted) stays silent. Also a crafted profile.
test_alloc() {
    local src="$here/cases" c
    for c in alloc-loop hoisted-loop; do
        gcc -O0 -fplugin="$plugin" "$src/$c.c" -o "$tmp/$c" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" 2>"$tmp/cc.err" ||
            { fail "cannot build $c.c with the plugin: $(head -c 300 "$tmp/cc.err")"; return; }
        # every call timed: the blocks stay charged to make_node, however short its calls
        (cd "$tmp" && CPROF=1 CPROF_MIN_TIME=0 CPROF_OUTPUT="$tmp/$c.json" "./$c") || { fail "$c did not run"; return; }
        "$validator" "$schema" "$tmp/$c.json" || fail "$c.json is not schema-valid"
    done
    section() { awk -v t="== $2" 'index($0, t) == 1 { on = 1; next } /^== / { on = 0 } on && NF' "$1"; }
    local direct callee
    direct=$(grep -n 'ALLOC-LOOP-DIRECT' "$src/alloc-loop.c" | cut -d: -f1)
    callee=$(grep -n 'ALLOC-LOOP-CALLEE' "$src/alloc-loop.c" | cut -d: -f1)
    # --threshold 2: scratch holds 12-17% of the wall time on an idle machine, but the timed calls of
    # make_node stretch under load; the 5% default is tested on the crafted profiles below.
    run --no-color --threshold 2 "$tmp/alloc-loop.json"; expect_rc 0 "alloc-loop report"
    section "$out" "Recommendations" >"$tmp/recs"
    matches "$tmp/recs" "alloc-loop\.c:$direct \[hoist-allocation\] loop in scratch runs 100000 iterations \(1 entry\) and scratch makes 100000 allocations \(1\.00 per iteration, 6400000 bytes, 64 bytes each on average\) while it holds [0-9.]+% of the wall time: hoist" \
        "hoist-allocation: malloc in scratch's loop"
    matches "$tmp/recs" "alloc-loop\.c:$callee \[hoist-allocation\] loop in build runs 50000 iterations \(1 entry\) \(1 other loop of build runs as many iterations\) and calls make_node 50000 times \(1\.00 per iteration\), which makes 50000 allocations in all \(800000 bytes, 16 bytes each" \
        "hoist-allocation: make_node called in build's loop"
    if [ "$(grep -c 'hoist-allocation' "$tmp/recs")" -eq 2 ]; then ok; else fail "hoist-allocation: expected exactly 2 recommendations"; cat "$tmp/recs"; fi
    run --no-color --json --threshold 2 "$tmp/alloc-loop.json"; expect_rc 0 "alloc-loop --json"
    pycheck "hoist-allocation in --json" "r = [x for x in j['recommendations'] if x['rule'] == 'hoist-allocation']
assert sorted(x['line'] for x in r) == sorted([$direct, $callee]), r
assert {x['function'] for x in r} == {'scratch', 'build'}, r"
    run --no-color --threshold 2 "$tmp/hoisted-loop.json"; expect_rc 0 "hoisted-loop report"
    lacks "$out" "hoist-allocation" "hoist-allocation silent when the allocations are hoisted"
    matches "$out" '^ +100000 +1 +100000\.0 ' "hoisted-loop: the loop still ran (the rule had data to look at)"

    # Crafted profiles: f allocates 5000 times around a loop of 5000 iterations. It fires when f
    # holds >= 5% of the wall time, not at 1%, and not when the loop runs 10x more often than f allocates.
    local mem='(lambda p, a, it, tot: (p["functions"][1].update(total_time_ns=int(tot), memory={"allocations": a, "reallocations": 0, "frees": a, "allocated_bytes": 32 * a, "freed_bytes": 32 * a, "live_bytes": 0}), p["loops"][0].update(iterations=it), p)[-1])'
    mk "$tmp/hot.json" "$mem(prof([fn(0, \"main\", 50e6, total=100e6, line=10), fn(1, \"f\", 1e6, line=20)], 100e6, loops=[loop(1, \"f\", 21, 0, 10)]), 5000, 5000, 50e6)"
    run --no-color "$tmp/hot.json"; expect_rc 0 "crafted hot allocating loop"
    contains "$out" "app.c:21 [hoist-allocation] loop in f runs 5000 iterations (10 entries) and f makes 5000 allocations (1.00 per iteration, 160000 bytes, 32 bytes each on average) while it holds 50.0% of the wall time" \
        "crafted hot allocating loop"
    mk "$tmp/cold.json" "$mem(prof([fn(0, \"main\", 50e6, total=100e6, line=10), fn(1, \"f\", 1e6, line=20)], 100e6, loops=[loop(1, \"f\", 21, 0, 10)]), 5000, 5000, 1e6)"
    run --no-color "$tmp/cold.json"; expect_rc 0 "crafted cold allocating loop"
    lacks "$out" "hoist-allocation" "allocating loop in a function with 1% of the wall time"
    mk "$tmp/sparse.json" "$mem(prof([fn(0, \"main\", 50e6, total=100e6, line=10), fn(1, \"f\", 1e6, line=20)], 100e6, loops=[loop(1, \"f\", 21, 0, 10)]), 5000, 50000, 50e6)"
    run --no-color "$tmp/sparse.json"; expect_rc 0 "crafted sparse allocations"
    lacks "$out" "hoist-allocation" "0.1 allocations per iteration"

    # A malformed "memory" is bad input: one line naming the field, exit 2.
    "$PY" -c 'import json, sys
j = json.load(open(sys.argv[1])); j["functions"][1]["memory"] = "lots"; json.dump(j, open(sys.argv[2], "w"))' "$tmp/hot.json" "$tmp/badmem.json"
    run --no-color "$tmp/badmem.json"; expect_rc 2 "memory not an object"
    one_error_line "$tmp/badmem.json" "memory not an object"
    contains "$err" 'functions[1]: "memory" must be an object, not a string' "memory not an object"
}

group=${1:-}
case "$group" in
    diff|welch|merge|advice|options)
        [ $# -eq 4 ] || { echo "usage: $0 $group ANALYZER VALIDATOR SCHEMA" >&2; exit 2; }
        analyzer=$2 validator=$3 schema=$4 ;;
    annotate|alloc)
        [ $# -eq 7 ] || { echo "usage: $0 $group ANALYZER VALIDATOR SCHEMA PLUGIN RUNTIME_DIR CASES_DIR" >&2; exit 2; }
        analyzer=$2 validator=$3 schema=$4 plugin=$5 rtdir=$6 casedir=$7 ;;
    *) echo "usage: $0 diff|welch|merge|advice|options|annotate|alloc ..." >&2; exit 2 ;;
esac
case "$analyzer" in /*) ;; *) analyzer=$PWD/$analyzer ;; esac # annotate runs it from other directories
"test_$group"
echo "$group: $checked passed, $failed failed"
[ "$failed" -eq 0 ]
