#!/bin/bash
# test-exports.sh: cprof-analyze's exports, each read back by its real client where one is installed:
# folded stacks (re-summed with awk), the SVG flame graph (parsed as XML), callgrind
# (callgrind_annotate), pprof (go tool pprof) and speedscope (JSON Schema + checks, /usr/bin/python3);
# the flame graph and the speedscope file also in headless Chromium (speedscope's own app).
# Usage: test-exports.sh cli|odd|folded|flamegraph|browser|callgrind|pprof|speedscope|speedscope-ui \
#                        ANALYZER DATA_DIR PLUGIN RUNTIME_DIR CASES_DIR
# Samples: data/realistic.json, data/recursion.json, and a real profile of tests/plugin/cases/basic.c
# built with the plugin. Exit status 0 when every check passed, 1 when one failed, 77 (skipped) when
# the group's client program is not installed.
set -u
export LC_ALL=C.UTF-8
group=$1 analyzer=$2 data=$3 plugin=$4 rtdir=$5 cases=$6
py=/usr/bin/python3

. "$(cd "$(dirname "$0")" && pwd)/assert.sh"
check() { if eval "$1"; then ok; else fail "$2"; fi; } # check SHELL-CONDITION WHAT
skip() { echo "SKIP: $*"; exit 77; }

[ -x "$py" ] || skip "no $py"
R=$data/realistic.json
C=$data/recursion.json

# real_profile: $tmp/basic.json, from tests/plugin/cases/basic.c compiled with the plugin at -O0.
real_profile() {
    [ -f "$tmp/basic.json" ] && return 0
    gcc -O0 -fplugin="$plugin" "$cases/basic.c" -o "$tmp/basic" -L"$rtdir" -lcprofrt -Wl,-rpath,"$rtdir" \
        2>"$tmp/cc.err" || { cat "$tmp/cc.err"; fail "cannot build basic.c with the plugin"; return 1; }
    (cd "$tmp" && CPROF=1 CPROF_OUTPUT="$tmp/basic.json" ./basic >/dev/null) ||
        { fail "basic.c did not run"; return 1; }
    [ -s "$tmp/basic.json" ] || { fail "basic.c wrote no profile"; return 1; }
}

# self_by_function PROFILE: "name self_ns" for every function with self time, sorted.
self_by_function() {
    "$py" -c 'import json, sys
for f in json.load(open(sys.argv[1])).get("functions", []):
    if f.get("self_time_ns", 0) > 0: print(f["name"], f["self_time_ns"])' "$1" | sort
}
total_self() {
    "$py" -c 'import json, sys
print(sum(f.get("self_time_ns", 0) for f in json.load(open(sys.argv[1])).get("functions", [])))' "$1"
}
# folded_sum FILE / folded_by_leaf FILE: the tiny awk re-sums of a folded file.
folded_sum() { awk '{ s += $NF } END { printf "%d\n", s }' "$1"; }
folded_by_leaf() {
    awk '{ v = $NF; sub(/ [0-9]+$/, ""); n = split($0, f, ";"); s[f[n]] += v }
         END { for (k in s) printf "%s %d\n", k, s[k] }' "$1" | sort
}

# report_top PROFILE: the names in cprof-analyze's top list (by self time) with self time > 0, in order.
report_top() {
    "$analyzer" --no-color "$1" |
        awk 'index($0, "== Top functions by self time") == 1 { on = 1; next } /^== / { on = 0 } on' |
        grep -E '  [^ ]+:[0-9]+$' | grep -vE '^ +- ' |
        sed -E 's/ +[^ ]+:[0-9]+$//; s/ \[(partly )?inlined\]$//; s/.* //'
}

# same_top PROFILE WANT GOT WHAT: two top lists (one name a line) hold the same functions, and at
# every rank a function with the same self time (tools break ties between equal times differently).
same_top() {
    "$py" - "$@" <<'EOF'
import json, sys
prof, want, got, what = sys.argv[1:5]
self = {}
for f in json.load(open(prof))["functions"]:
    self[f["name"]] = f["self_time_ns"]
w = open(want).read().split("\n")[:-1]
g = open(got).read().split("\n")[:-1]
if sorted(w) != sorted(g) or [self.get(n) for n in w] != [self.get(n) for n in g]:
    print(f"FAIL: {what}: top functions differ:\n  cprof-analyze: {w}\n  client:        {g}")
    sys.exit(1)
EOF
}

# ---------------------------------------------------------------------------------------------
test_cli() {
    run --help; expect_rc 0 "--help"
    cp "$out" "$tmp/help"
    for o in --folded --flamegraph --callgrind --pprof --speedscope; do
        grep -qE -- "^  $o " "$tmp/help" && ok || fail "--help does not document $o"
        run "$R" "$o"; expect_rc 2 "$o without a file"
        grep -qF -- "$o needs a file name" "$err" && ok || fail "$o without a file: message"
        run "$o" /nonexistent-dir/x "$R"; expect_rc 2 "$o to an unwritable path"
        check '[ "$(wc -l <"$err")" -eq 1 ] && grep -qF "cprof-analyze: /nonexistent-dir/x: No such file or directory" "$err"' \
            "$o to an unwritable path: one line naming the file"
    done
    run --folded - --speedscope - "$R"; expect_rc 2 "two exports to stdout"
    grep -qF "cannot both write to stdout" "$err" && ok || fail "two exports to stdout: message"
    run --folded=- "$R"; expect_rc 0 "--folded=-"
    check '! grep -q "== Top functions" "$out"' "an export run must not print the report"
    check 'grep -qx "main;fib 5000" "$out"' "--folded=- writes to stdout"
    run --folded "$tmp/x.folded" --flamegraph "$tmp/x.svg" --callgrind "$tmp/x.cg" --pprof "$tmp/x.pb.gz" \
        --speedscope "$tmp/x.json" "$R"
    expect_rc 0 "all exports at once"
    check '[ ! -s "$out" ] && [ ! -s "$err" ]' "all exports at once: nothing on stdout or stderr"
    for f in x.folded x.svg x.cg x.pb.gz x.json; do check '[ -s "$tmp/$f" ]' "all exports at once: $f written"; done
    run --folded "$tmp/bad.folded" "$data/bad-truncated.json"; expect_rc 2 "export of a bad profile"
    check '[ ! -e "$tmp/bad.folded" ]' "a bad profile must not leave an export file"
    if [ -w /dev/full ]; then
        run --flamegraph /dev/full "$R"; expect_rc 2 "write error"
        check 'grep -qF "cprof-analyze: /dev/full: " "$err"' "write error: message names the file"
    fi

    # Deterministic: the same bytes every time, and whatever the order of the profile's arrays.
    "$py" - "$R" "$tmp/shuffled.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["functions"].reverse(); p["call_graph"].reverse()
json.dump(p, open(sys.argv[2], "w"))
EOF
    for o in folded flamegraph callgrind pprof speedscope; do
        "$analyzer" --$o "$tmp/a.$o" "$R" && "$analyzer" --$o "$tmp/b.$o" "$R" || fail "--$o failed"
        check 'cmp -s "$tmp/a.$o" "$tmp/b.$o"' "--$o is not deterministic"
        [ $o = pprof ] && continue # function ids are the profile's indices
        "$analyzer" --$o "$tmp/c.$o" "$tmp/shuffled.json" || fail "--$o on the shuffled profile failed"
        check 'cmp -s "$tmp/a.$o" "$tmp/c.$o"' "--$o depends on the order of the profile's arrays"
    done
}

# ---------------------------------------------------------------------------------------------
# Odd profiles: every export succeeds, and the folded stacks still add up exactly.
test_odd() {
    "$py" - "$tmp" <<'EOF'
import json, sys
d = sys.argv[1]
def fn(i, name, self_ns, total=None, calls=1, file="odd.c"):
    return {"id": i, "name": name, "linkage_name": name, "file": file, "line": i + 1, "calls": calls,
            "timed_calls": calls, "total_time_ns": self_ns if total is None else total, "self_time_ns": self_ns}
def edge(a, b, calls=1, total=0, kind="direct"):
    return {"caller_id": a, "callee_id": b, "calls": calls, "total_time_ns": total, "kind": kind}
def save(name, functions, edges):
    json.dump({"version": "1.0", "tool": "cprof", "functions": functions, "call_graph": edges},
              open(f"{d}/{name}.json", "w"))
save("empty", [], [])
save("no-graph", [fn(0, "a", 10), fn(1, "b", 0, calls=0), fn(2, "c", 0, calls=5)], [])
# Every function calls every other one: n! simple paths, cut by the node limit.
n = 10
save("dense", [fn(0, "main", 1000, total=1000 + 100 * n)] + [fn(i, f"f{i}", 100, total=100 * n) for i in range(1, n + 1)],
     [edge(0, i, 1, 100) for i in range(1, n + 1)] +
     [edge(i, j, 3, 50) for i in range(1, n + 1) for j in range(1, n + 1) if i != j])
# A chain deeper than the depth limit, ending in self recursion.
n = 400
save("deep", [fn(i, f"d{i}", 7, total=7 * (n - i)) for i in range(n)],
     [edge(i, i + 1, 1, 7 * (n - i - 1)) for i in range(n - 1)] + [edge(n - 1, n - 1, 9, 5)])
# Same name in two files, a direct and an indirect edge for one pair, hostile names.
save("names", [fn(0, "main", 100, total=400), fn(1, "helper", 50, file="a.c"), fn(2, "helper", 60, file="b.c"),
               fn(3, "semi;colon\nnewline", 70), fn(4, "cb<&>\"", 80, total=120)],
     [edge(0, 1, 1, 50), edge(0, 2, 1, 60), edge(0, 3, 1, 70), edge(0, 4, 1, 40), edge(0, 4, 2, 80, "indirect")])
# Only zero times: no stack has self time.
save("zero", [fn(0, "main", 0), fn(1, "f", 0, calls=3)], [edge(0, 1, 3, 0)])
EOF
    local f o
    for f in empty no-graph dense deep names zero; do
        for o in folded flamegraph callgrind pprof speedscope; do
            run --$o "$tmp/$f.$o" "$tmp/$f.json"; expect_rc 0 "--$o on $f.json"
        done
        check '[ "$(folded_sum "$tmp/$f.folded")" = "$(total_self "$tmp/$f.json")" ]' \
            "$f.json: folded total $(folded_sum "$tmp/$f.folded") != self total $(total_self "$tmp/$f.json")"
        "$py" -c 'import xml.etree.ElementTree as E, sys; E.parse(sys.argv[1])' "$tmp/$f.flamegraph" 2>"$tmp/xml.err" &&
            ok || fail "$f.json: SVG is not well-formed XML: $(head -c 200 "$tmp/xml.err")"
        "$py" -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/$f.speedscope" && ok || fail "$f.json: speedscope is not JSON"
        gzip -t "$tmp/$f.pprof" && ok || fail "$f.json: pprof output is not gzip"
    done
    check '[ ! -s "$tmp/empty.folded" ]' "empty profile: folded output should be empty"
    check '[ "$(cat "$tmp/no-graph.folded")" = "a 10" ]' "no call graph: each function is its own root"
    check '[ "$(folded_by_leaf "$tmp/dense.folded")" = "$(self_by_function "$tmp/dense.json")" ]' \
        "dense graph: per-function sums differ from the self times"
    check 'grep -qx "main;f1 100" "$tmp/dense.folded" || grep -q "^main;f1;" "$tmp/dense.folded"' "dense graph: main;f1"
    check '[ "$(awk -F";" "{ print NF }" "$tmp/deep.folded" | sort -n | tail -n 1)" -le 256 ]' "deep chain: depth limit"
    check 'grep -q "^d0;d1;d2;" "$tmp/deep.folded"' "deep chain: stacks follow the chain"
    check '[ "$(wc -l <"$tmp/names.folded")" -eq 5 ]' "names: one line per path (direct and indirect merged)"
    check 'grep -qx "main;helper \[a.c:2\] 50" "$tmp/names.folded" && grep -qx "main;helper \[b.c:3\] 60" "$tmp/names.folded"' \
        "names: functions sharing a name are told apart by file:line"
    check 'grep -qx "main;semi:colon?newline 70" "$tmp/names.folded"' "names: ';' and control characters replaced"
    check 'grep -qF "cb&lt;&amp;&gt;&quot;" "$tmp/names.flamegraph"' "names: XML escaping in the SVG"
    check '[ ! -s "$tmp/zero.folded" ]' "zero times: no folded lines"
}

# ---------------------------------------------------------------------------------------------
test_folded() {
    local p
    real_profile
    for p in "$R" "$C" "$tmp/basic.json"; do
        [ -f "$p" ] || continue
        run --folded "$tmp/f" "$p"; expect_rc 0 "folded $(basename "$p")"
        check '[ "$(folded_sum "$tmp/f")" = "$(total_self "$p")" ]' \
            "$(basename "$p"): folded total $(folded_sum "$tmp/f") != total self time $(total_self "$p")"
        check '[ "$(folded_by_leaf "$tmp/f")" = "$(self_by_function "$p")" ]' \
            "$(basename "$p"): per-function sums of the folded stacks differ from the self times"
        check '! grep -vqE "^[^; ][^;]*(;[^;]+)* [1-9][0-9]*$" "$tmp/f"' "$(basename "$p"): malformed folded line"
        cp "$tmp/f" "$tmp/$(basename "$p").folded"
    done
    # recursion.json: the derivation, line by line (see analyze/stacks.h).
    cat >"$tmp/want" <<'EOF'
main 400000
main;a 50000
main;a;c 30000
main;a;c;d 20000
main;b 50000
main;b;c 30000
main;b;c;d 20000
main;is_even 50000
main;is_even;is_odd 50000
main;walk 300000
ping 4000
ping;pong 4000
EOF
    if diff -u "$tmp/want" "$tmp/recursion.json.folded" >"$tmp/diff"; then ok
    else fail "recursion.json: folded stacks differ:"; cat "$tmp/diff"; fi
    check 'grep -qx "main;fib 5000" "$tmp/realistic.json.folded" && grep -qx "worker_main;classify 200000" "$tmp/realistic.json.folded"' \
        "realistic.json: main;fib and worker_main;classify"
    check '! grep -qE "unused|square" "$tmp/realistic.json.folded"' "realistic.json: functions without self time have no line"
    if [ -f "$tmp/basic.json.folded" ]; then
        check 'grep -qE "^main;fib [0-9]+$" "$tmp/basic.json.folded"' "basic.c: main;fib stack (recursion folded)"
        check '! grep -q "fib;fib" "$tmp/basic.json.folded"' "basic.c: recursion must not be expanded"
    fi
}

# ---------------------------------------------------------------------------------------------
test_flamegraph() {
    local p
    real_profile
    for p in "$R" "$C" "$tmp/basic.json"; do
        [ -f "$p" ] || continue
        run --flamegraph "$tmp/g.svg" "$p"; expect_rc 0 "flamegraph $(basename "$p")"
        "$analyzer" --folded "$tmp/g.folded" "$p"
        "$py" - "$tmp/g.svg" "$tmp/g.folded" "$(total_self "$p")" >"$tmp/check" 2>&1 <<'EOF'
import re, sys, xml.etree.ElementTree as E
svg, folded, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
NS = "{http://www.w3.org/2000/svg}"
root = E.parse(svg).getroot()
problems = []
def need(cond, what):
    if not cond: problems.append(what)
need(root.tag == NS + "svg", "root element is not <svg>")
text = open(svg, encoding="utf-8").read()
# Self-contained: no links, images, external stylesheets or fonts.
need(not re.search(r'(href|src)\s*=|@import|url\(|<image|<foreignObject', text), "external resource reference")
need(not re.search(r'https?://', text.replace('xmlns="http://www.w3.org/2000/svg"', '')), "http(s) URL in the SVG")
scripts = root.findall(NS + "script")
need(len(scripts) == 1, "expected one embedded <script>")
js = scripts[0].text if scripts else ""
for needle in ["addEventListener('mouseover'", "addEventListener('click'", "function zoom(", "function search(",
               "e.ctrlKey", "window.prompt", "byId('details')"]:
    need(needle in js, "script lacks " + needle)
for ident in ["details", "search", "unzoom", "matched", "title"]:
    need(root.find(f".//*[@id='{ident}']") is not None, "no element with id " + ident)
frames = [g for g in root.iter(NS + "g") if g.get("class") == "f"]
F = [(g.get("data-n"), int(g.get("data-x")), int(g.get("data-w")), int(g.get("data-d")), g) for g in frames]
need(F and F[0][0] == "all" and F[0][2] == total and F[0][3] == 0, "first frame must be 'all' with the total self time")
# Every frame has a title with its time and share, and a rect; widths are proportional to time.
for n, x, w, d, g in F:
    t, r = g.find(NS + "title"), g.find(NS + "rect")
    need(t is not None and re.search(r": [0-9.]+ (ns|µs|ms|s), [<0-9.]+%", t.text or ""), f"frame {n}: title without time and share")
    need(r is not None and abs(float(r.get("width")) - w * 1180 / total) < 0.01, f"frame {n}: width not proportional")
    label = (g.find(NS + "text").text or "")
    need(label == "" or label == n or (label.endswith("..") and n.startswith(label[:-2])), f"frame {n}: label {label!r}")
# Each frame sits on a parent one level down whose range contains it.
for n, x, w, d, g in F[1:]:
    need(any(pd == d - 1 and px <= x and x + w <= px + pw for pn, px, pw, pd, pg in F), f"frame {n}: no parent")
# The frames are the folded stacks: the width of each path = its self time plus that of the paths below.
width = {}
for line in open(folded):
    path, v = line.rsplit(" ", 1)
    parts = path.split(";")
    for i in range(1, len(parts) + 1):
        width[";".join(parts[:i])] = width.get(";".join(parts[:i]), 0) + int(v)
paths, stack = {}, []
for n, x, w, d, g in F[1:]:
    stack = stack[:d - 1] + [n]
    paths[";".join(stack)] = w
need(paths == {k: v for k, v in width.items() if v * 1180 >= 0.1 * total}, "frames differ from the folded stacks")
if problems: print("\n".join(problems))
EOF
        if [ -s "$tmp/check" ]; then fail "$(basename "$p"): flame graph:"; cat "$tmp/check"; else ok; fi
    done
    check 'grep -q "data-n=\"fib\"" "$tmp/g.svg"' "basic.c flame graph shows fib"
}

# ---------------------------------------------------------------------------------------------
test_callgrind() {
    command -v callgrind_annotate >/dev/null 2>&1 || skip "callgrind_annotate (valgrind) is not installed"
    local p
    real_profile
    for p in "$R" "$C" "$tmp/basic.json"; do
        [ -f "$p" ] || continue
        local b; b=$(basename "$p")
        run --callgrind "$tmp/cg.out" "$p"; expect_rc 0 "callgrind $b"
        callgrind_annotate --threshold=100 "$tmp/cg.out" >"$tmp/ann" 2>"$tmp/ann.err"
        check '[ $? -eq 0 ] && [ ! -s "$tmp/ann.err" ]' "$b: callgrind_annotate failed: $(head -c 300 "$tmp/ann.err")"
        local totals; totals=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }' "$tmp/ann")
        check '[ "$totals" = "$(total_self "$p")" ]' "$b: callgrind_annotate total $totals != self total"
        # The functions with self time, in callgrind_annotate's order, are cprof-analyze's top list.
        sed -n '/file:function/,/^$/p' "$tmp/ann" | grep -E '^ *[0-9,]+ \(' |
            sed -E 's/^ *[0-9,]+ \([ 0-9.]+%\) +//; s/^[^:]*://' >"$tmp/cg.top"
        report_top "$p" >"$tmp/rep.top"
        if same_top "$p" "$tmp/rep.top" "$tmp/cg.top" "$b: callgrind_annotate"; then ok; else failed=$((failed + 1)); fi
        check '[ "$(wc -l <"$tmp/cg.top")" -ge 2 ]' "$b: callgrind_annotate lists fewer than 2 functions"
        # Inclusive costs come from the calls= lines: main's is its inclusive time.
        callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.out" >"$tmp/inc"
        local main_incl want
        main_incl=$(awk '$NF ~ /:main$/ { gsub(",", "", $1); print $1; exit }' "$tmp/inc")
        want=$("$py" -c 'import json, sys
print([f["total_time_ns"] for f in json.load(open(sys.argv[1]))["functions"] if f["name"] == "main"][0])' "$p")
        check '[ "$main_incl" = "$want" ]' "$b: inclusive cost of main $main_incl != its total time $want"
    done
    check 'grep -qE "^calls=[0-9]+ " "$tmp/cg.out" && grep -qE "^fn=\([0-9]+\) fib$" "$tmp/cg.out"' "basic.c: calls= and fn= lines"
}

# ---------------------------------------------------------------------------------------------
test_pprof() {
    command -v go >/dev/null 2>&1 || skip "go (Debian golang-go) is not installed"
    export HOME="$tmp" GOCACHE="$tmp/gocache" GOFLAGS=-mod=mod GOTOOLCHAIN=local
    local p
    real_profile
    for p in "$R" "$C" "$tmp/basic.json"; do
        [ -f "$p" ] || continue
        local b; b=$(basename "$p")
        run --pprof "$tmp/p.pb.gz" "$p"; expect_rc 0 "pprof $b"
        gzip -t "$tmp/p.pb.gz" && ok || fail "$b: not gzip"
        go tool pprof -top -unit=ns -nodefraction=0 -nodecount=10000 "$tmp/p.pb.gz" >"$tmp/top" 2>"$tmp/top.err"
        check '[ $? -eq 0 ]' "$b: go tool pprof failed: $(head -c 300 "$tmp/top.err")"
        # Flat time per function is exactly its self time, in cprof-analyze's top-list order.
        awk 'on && NF >= 6 { v = $1; sub(/ns$/, "", v); print $6, v } /flat%/ { on = 1 }' "$tmp/top" >"$tmp/pp"
        check '[ "$(sort "$tmp/pp" | awk "\$2 > 0")" = "$(self_by_function "$p")" ]' "$b: pprof flat times differ from the self times"
        awk '$2 > 0 { print $1 }' "$tmp/pp" >"$tmp/pp.top"
        report_top "$p" >"$tmp/rep.top"
        if same_top "$p" "$tmp/rep.top" "$tmp/pp.top" "$b: go tool pprof -top"; then ok; else failed=$((failed + 1)); fi
        check '[ "$(wc -l <"$tmp/pp.top")" -ge 2 ]' "$b: pprof lists fewer than 2 functions"
        # The calls sample type carries each function's exact call count.
        go tool pprof -top -sample_index=calls -nodefraction=0 -nodecount=10000 "$tmp/p.pb.gz" 2>/dev/null |
            awk 'on && NF >= 6 { print $6, $1 } /flat%/ { on = 1 }' | sort >"$tmp/calls"
        "$py" -c 'import json, sys
for f in json.load(open(sys.argv[1]))["functions"]:
    if f["calls"] > 0: print(f["name"], f["calls"])' "$p" | sort >"$tmp/want.calls"
        if diff "$tmp/want.calls" "$tmp/calls" >"$tmp/diff"; then ok
        else fail "$b: pprof call counts differ:"; cat "$tmp/diff"; fi
    done
    check 'grep -qx "fib 177" "$tmp/calls"' "basic.c: pprof shows fib's 177 calls"
    go tool pprof -traces "$tmp/p.pb.gz" >"$tmp/traces" 2>&1
    check 'awk "/ fib\$/ { getline n; if (n ~ /^ +main\$/) found = 1 } END { exit !found }" "$tmp/traces"' \
        "basic.c: pprof -traces shows the stack main;fib"
}

# ---------------------------------------------------------------------------------------------
test_speedscope() {
    local p
    real_profile
    for p in "$R" "$C" "$tmp/basic.json"; do
        [ -f "$p" ] || continue
        local b; b=$(basename "$p")
        run --speedscope "$tmp/s.json" "$p"; expect_rc 0 "speedscope $b"
        "$analyzer" --folded "$tmp/s.folded" "$p"
        local real_schema=""
        real_schema=$(speedscope_dir)/file-format-schema.json
        [ -f "$real_schema" ] || real_schema=""
        "$py" - "$tmp/s.json" "$tmp/s.folded" "$(total_self "$p")" $real_schema >"$tmp/check" 2>&1 <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
total = int(sys.argv[3])
# The parts of https://www.speedscope.app/file-format-schema.json a sampled profile uses.
schema = {
  "type": "object", "required": ["$schema", "shared", "profiles"],
  "properties": {
    "$schema": {"const": "https://www.speedscope.app/file-format-schema.json"},
    "name": {"type": "string"}, "exporter": {"type": "string"}, "activeProfileIndex": {"type": "number"},
    "shared": {"type": "object", "required": ["frames"], "properties": {"frames": {"type": "array", "items": {
        "type": "object", "required": ["name"], "additionalProperties": False,
        "properties": {"name": {"type": "string"}, "file": {"type": "string"}, "line": {"type": "number"},
                       "col": {"type": "number"}}}}}},
    "profiles": {"type": "array", "minItems": 1, "items": {
        "type": "object", "additionalProperties": False,
        "required": ["type", "name", "unit", "startValue", "endValue", "samples", "weights"],
        "properties": {"type": {"const": "sampled"}, "name": {"type": "string"},
                       "unit": {"enum": ["none", "nanoseconds", "microseconds", "milliseconds", "seconds", "bytes"]},
                       "startValue": {"type": "number"}, "endValue": {"type": "number"},
                       "samples": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                       "weights": {"type": "array", "items": {"type": "number"}}}}}}}
problems = []
if len(sys.argv) > 4:  # speedscope's own schema, when the npm package is installed
    import jsonschema
    try:
        jsonschema.validate(doc, json.load(open(sys.argv[4])))
    except Exception as e:
        problems.append("speedscope's file-format-schema.json: " + str(e).splitlines()[0])
try:
    import jsonschema
    jsonschema.validate(doc, schema)
except ImportError:
    problems.append("python3-jsonschema is missing")
except Exception as e:
    problems.append("schema: " + str(e).splitlines()[0])
prof = doc["profiles"][0]
frames = doc["shared"]["frames"]
if prof["unit"] != "nanoseconds": problems.append("unit")
if len(prof["samples"]) != len(prof["weights"]): problems.append("samples and weights differ in length")
if any(i < 0 or i >= len(frames) or int(i) != i for s in prof["samples"] for i in s): problems.append("frame index out of range")
if sum(prof["weights"]) != total or prof["endValue"] - prof["startValue"] != total: problems.append("weights do not add up")
got = sorted((";".join(frames[i]["name"] for i in s), w) for s, w in zip(prof["samples"], prof["weights"]))
want = sorted((l.rsplit(" ", 1)[0], int(l.rsplit(" ", 1)[1])) for l in open(sys.argv[2]))
if got != want: problems.append("samples differ from the folded stacks")
if doc.get("activeProfileIndex", 0) >= len(doc["profiles"]): problems.append("activeProfileIndex")
if problems: print("\n".join(problems))
EOF
        if [ -s "$tmp/check" ]; then fail "$b: speedscope:"; cat "$tmp/check"; else ok; fi
    done
}

# ---------------------------------------------------------------------------------------------
# The flame graph in headless Chromium: it renders without console errors, a screenshot shows the
# frames, and hover, click-to-zoom, zoom-out and Ctrl-F search work (driven by a script appended to
# a copy of the SVG; its findings are read back from the DOM).
test_browser() {
    local chromium
    chromium=$(command -v chromium || command -v chromium-browser) || skip "chromium is not installed"
    chrome() { timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chrome" \
        --enable-logging=stderr --v=0 "$@"; }
    run --flamegraph "$tmp/r.svg" "$C"; expect_rc 0 "flamegraph recursion.json"
    sed '/^<\/svg>$/d' "$tmp/r.svg" >"$tmp/h.svg"
    cat >>"$tmp/h.svg" <<'EOF'
<script type="text/ecmascript"><![CDATA[
(function () {
  var out = [];
  function frame(n) {
    return Array.prototype.slice.call(document.querySelectorAll('g.f')).filter(function (g) {
      return g.getAttribute('data-n') === n; })[0];
  }
  function width(g) { return g.querySelector('rect').getAttribute('width'); }
  function click(g) { g.dispatchEvent(new MouseEvent('click', {bubbles: true})); }
  var all = frame('all'), main = frame('main'), walk = frame('walk'), even = frame('is_even');
  walk.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  out.push('hover=' + document.getElementById('details').textContent);
  click(walk);
  out.push('zoomed=' + width(walk) + ',' + main.classList.contains('parent') + ',' + width(main) + ',' +
           (even.style.display === 'none'));
  click(all);
  out.push('unzoomed=' + width(walk) + ',' + main.classList.contains('parent') + ',' + (even.style.display === ''));
  window.prompt = function () { return '^is_'; };
  window.dispatchEvent(new KeyboardEvent('keydown', {key: 'f', ctrlKey: true}));
  out.push('search=' + document.getElementById('matched').textContent + ',' +
           even.querySelector('rect').getAttribute('fill') + ',' + walk.querySelector('rect').getAttribute('fill'));
  var t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  t.setAttribute('id', 'result');
  t.textContent = out.join('|');
  document.documentElement.appendChild(t);
})();
]]></script>
</svg>
EOF
    chrome --dump-dom "file://$tmp/h.svg" >"$tmp/dom" 2>"$tmp/chrome.err"
    check '! grep -E "CONSOLE|Uncaught" "$tmp/chrome.err"' "Chromium reported console errors"
    local got want
    got=$(grep -o '<text id="result">[^<]*' "$tmp/dom" | sed 's/^<text id="result">//')
    walk_fill=$(grep -o 'data-n="walk".*' "$tmp/r.svg" | grep -o 'fill="rgb([0-9,]*)"' | head -n 1 | sed 's/fill="//; s/"$//')
    want="hover=Function: walk (300 µs, 29.76%, 15 calls)|zoomed=1180.00,true,1180.00,true|unzoomed=351.19,false,true"
    want="$want|search=Matched: 9.92% (100 µs),rgb(230,0,230),$walk_fill"
    check '[ "$got" = "$want" ]' "flame graph interaction in Chromium:
  got:  $got
  want: $want"

    # A screenshot of the plain SVG shows the frames: many warm (flame-coloured) pixels.
    chrome --screenshot="$tmp/shot.png" --window-size=1200,400 "file://$tmp/r.svg" >/dev/null 2>"$tmp/chrome.err"
    check '! grep -E "CONSOLE|Uncaught" "$tmp/chrome.err"' "Chromium reported console errors (screenshot)"
    "$py" "$(cd "$(dirname "$0")" && pwd)/png-pixels.py" "$tmp/shot.png" >"$tmp/png" 2>&1
    check '[ "$(cat "$tmp/png")" -gt 20000 ] 2>/dev/null' "screenshot shows no flame graph (warm pixels: $(head -c 200 "$tmp/png"))"
}

# ---------------------------------------------------------------------------------------------
# speedscope itself (npm package `speedscope`, found installed, never installed here) in headless
# Chromium: it imports the file as speedscope JSON without errors, and its Sandwich view lists every
# function with its self time.
speedscope_dir() {
    local d
    for d in "${SPEEDSCOPE_DIR:-}" "$(npm root -g 2>/dev/null)/speedscope/dist/release" \
             /usr/lib/node_modules/speedscope/dist/release /usr/local/lib/node_modules/speedscope/dist/release; do
        [ -n "$d" ] && [ -f "$d/index.html" ] && { echo "$d"; return 0; }
    done
    return 1
}

test_speedscope_ui() {
    local chromium dir
    chromium=$(command -v chromium || command -v chromium-browser) || skip "chromium is not installed"
    dir=$(speedscope_dir) || skip "speedscope (npm install -g speedscope) is not installed"
    run --speedscope "$tmp/rec.speedscope.json" "$C"; expect_rc 0 "speedscope recursion.json"
    # What `speedscope FILE` does: a script that hands the file to the app, named in the URL.
    printf 'speedscope.loadFileFromBase64("rec.speedscope.json", "%s")' "$(base64 -w0 "$tmp/rec.speedscope.json")" \
        >"$tmp/load.js"
    cp -r "$dir" "$tmp/app"
    cat >>"$tmp/app/index.html" <<'EOF'
<script>
/* Click the Sandwich tab as soon as the import has put it on the page (polling, because how
   long the import takes depends on the machine's load). */
var cprofPoll = setInterval(function () {
  var tab = Array.prototype.slice.call(document.querySelectorAll('div')).filter(function (e) {
    return e.lastChild && e.lastChild.nodeValue === 'Sandwich'; })[0];
  if (tab) { tab.click(); clearInterval(cprofPoll); }
}, 100);
</script>
EOF
    # On a loaded machine the page can be dumped before the Sandwich table is drawn: a second try
    # then, never for a table that is there (its rows are what is checked).
    local attempt
    for attempt in 1 2; do
        rm -rf "$tmp/chrome"
        timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chrome" \
            --enable-logging=stderr --v=0 --allow-file-access-from-files --virtual-time-budget=30000 \
            --window-size=1200,800 --dump-dom "file://$tmp/app/index.html#localProfilePath=$tmp/load.js" \
            >"$tmp/dom" 2>"$tmp/chrome.err"
        grep -q '>Symbol Name<' "$tmp/dom" && break
    done
    check 'grep -q "Importing as speedscope json file" "$tmp/chrome.err"' "speedscope did not import the file as speedscope JSON"
    check '! grep -E "Uncaught|rror importing|Unrecognized format" "$tmp/chrome.err"' "speedscope reported errors: $(grep -E "Uncaught|rror" "$tmp/chrome.err" | head -c 300)"
    # Sandwich rows: total, self, name.
    grep -o '>[^<][^<]*<' "$tmp/dom" | sed 's/^>//; s/<$//' |
        awk 'on { row[n++ % 3] = $0; if (n % 3 == 0) print row[2], row[1] } /^Symbol Name$/ { on = 1 }' |
        "$py" -c 'import re, sys
unit = {"ns": 1, "µs": 1e3, "ms": 1e6, "s": 1e9}
for line in sys.stdin:
    name, self = line.rstrip("\n").split(" ", 1)
    m = re.match(r"([0-9.]+)(ns|µs|ms|s)", self)
    if m: print(name, round(float(m.group(1)) * unit[m.group(2)]))' | sort >"$tmp/sandwich"
    if diff "$tmp/sandwich" <(self_by_function "$C") >"$tmp/diff"; then ok
    else fail "speedscope's Sandwich view differs from the self times:"; cat "$tmp/diff"; fi
}

case $group in
    cli) test_cli ;;
    speedscope-ui) test_speedscope_ui ;;
    browser) test_browser ;;
    odd) test_odd ;;
    folded) test_folded ;;
    flamegraph) test_flamegraph ;;
    callgrind) test_callgrind ;;
    pprof) test_pprof ;;
    speedscope) test_speedscope ;;
    *) echo "usage: $0 cli|odd|folded|flamegraph|browser|callgrind|pprof|speedscope|speedscope-ui ANALYZER DATA PLUGIN RTDIR CASES" >&2; exit 2 ;;
esac
echo "$group: $checked checks passed, $failed failed"
[ "$failed" -eq 0 ]
