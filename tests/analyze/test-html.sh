#!/bin/bash
# test-html.sh: the HTML report (--html) and the differential flame graph (diff --flamegraph): their
# content checked against the profile with /usr/bin/python3, and both pages in headless Chromium.
# Usage: test-html.sh cli|content|diff|browser|diff-browser ANALYZER DATA_DIR
# Samples: data/html-full.json (hand-made: hostile names, latency, memory, events, timeline),
# data/realistic.json (none of the optional sections). Exit status 0 when every check passed, 1 when
# one failed, 77 (skipped) when Chromium is not installed (browser groups only).
set -u
export LC_ALL=C.UTF-8
group=$1 analyzer=$2 data=$3
py=/usr/bin/python3
here=$(cd "$(dirname "$0")" && pwd)

. "$here/assert.sh"
check() { if eval "$1"; then ok; else fail "$2"; fi; } # check SHELL-CONDITION WHAT
skip() { echo "SKIP: $*"; exit 77; }
# pyrun WHAT SCRIPT ARGS...: runs a Python check; each line it prints is a failure of WHAT.
pyrun() {
    local what=$1 code=$2
    shift 2
    "$py" -c "$code" "$@" >"$tmp/py.out" 2>&1
    if [ $? -ne 0 ] || [ -s "$tmp/py.out" ]; then fail "$what:"; sed 's/^/    /' "$tmp/py.out"; else ok; fi
}

[ -x "$py" ] || skip "no $py"
FULL=$data/html-full.json
R=$data/realistic.json

# The HTML parsed into tables (id -> rows of (text, data-v, class) per cell), sections, scripts.
read_html='
import html.parser, json, re, sys
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.ids, self.scripts, self.table, self.row, self.cell = {}, [], 0, None, None, None
        self.tags = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a: self.ids.append(a["id"])
        if tag == "script": self.scripts += 1
        if tag == "table": self.table = self.tables.setdefault(a.get("id", ""), [])
        elif tag == "tr" and self.table is not None: self.row = []
        elif tag in ("td", "th") and self.row is not None: self.cell = ["", a.get("data-v"), a.get("class", "")]
    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None: self.row.append(tuple(self.cell)); self.cell = None
        elif tag == "tr" and self.row is not None: self.table.append(self.row); self.row = None
        elif tag == "table": self.table = None
    def handle_data(self, d):
        if self.cell is not None: self.cell[0] += d
def page(path):
    p = Page(); p.feed(open(path, encoding="utf-8").read()); return p
def rows(p, tid):  # the body rows of a table, header row first as names
    t = p.tables.get(tid, [])
    return [c[0] for c in t[0]] if t else [], t[1:]
'

# ---------------------------------------------------------------------------------------------
test_cli() {
    run --help; expect_rc 0 "--help"
    check 'grep -qE -- "^  --html FILE " "$out"' "--help does not document --html"
    run diff --help; expect_rc 0 "diff --help"
    check 'grep -qF -- "--flamegraph SVG" "$out"' "diff --help does not document --flamegraph"
    run "$R" --html; expect_rc 2 "--html without a file"
    contains "$err" "--html needs a file name" "--html without a file: message"
    run --html /nonexistent-dir/x.html "$R"; expect_rc 2 "--html to an unwritable path"
    check '[ "$(wc -l <"$err")" -eq 1 ] && grep -qF "cprof-analyze: /nonexistent-dir/x.html: No such file or directory" "$err"' \
        "--html to an unwritable path: one line naming the file"
    run --html "$tmp/bad.html" "$data/bad-truncated.json"; expect_rc 2 "--html of a bad profile"
    check '[ ! -e "$tmp/bad.html" ]' "a bad profile must not leave an HTML file"
    run --html=- "$FULL"; expect_rc 0 "--html=-"
    check 'head -n 1 "$out" | grep -qx "<!DOCTYPE html>"' "--html=- writes the page to stdout"
    check '! grep -q "== Top functions" "$out"' "--html must not print the text report"
    "$analyzer" --html "$tmp/a.html" "$FULL" && "$analyzer" --html "$tmp/b.html" "$FULL" || fail "--html failed"
    check 'cmp -s "$tmp/a.html" "$tmp/b.html"' "--html is not deterministic"

    run diff "$R" --flamegraph; expect_rc 2 "diff --flamegraph without a file"
    contains "$err" "--flamegraph needs a file name" "diff --flamegraph without a file: message"
    run diff "$R" "$R" "$R" --vs "$R" "$R" --flamegraph "$tmp/x.svg"; expect_rc 2 "diff --vs --flamegraph"
    contains "$err" "--flamegraph compares two profiles" "diff --vs --flamegraph: message"
    run diff "$R" "$data/bad-truncated.json" --flamegraph "$tmp/x.svg"; expect_rc 2 "diff --flamegraph of a bad profile"
    check '[ ! -e "$tmp/x.svg" ]' "a bad profile must not leave a diff flame graph"
    run diff "$R" "$R" --flamegraph=/nonexistent-dir/d.svg; expect_rc 2 "diff --flamegraph to an unwritable path"
    check '[ "$(wc -l <"$err")" -eq 1 ] && grep -qF "cprof-analyze: /nonexistent-dir/d.svg: " "$err"' \
        "diff --flamegraph to an unwritable path: one line naming the file"
}

# ---------------------------------------------------------------------------------------------
# The page against the profile: escaping, no network, and the numbers of every table.
test_content() {
    run --html "$tmp/full.html" "$FULL"; expect_rc 0 "--html html-full.json"
    check '[ ! -s "$out" ] && [ ! -s "$err" ]' "--html: nothing on stdout or stderr"
    "$analyzer" --json "$FULL" >"$tmp/full.analysis.json" || fail "--json html-full.json"

    # Self-contained and escaped: no URL at all, no external resource; hostile names only escaped.
    check '! grep -qiE "https?://" "$tmp/full.html"' "the page has an http(s):// reference"
    check '! grep -qiE "<(link|img|iframe|object|embed)[ >]|src=|@import|url\(" "$tmp/full.html"' "the page loads an external resource"
    check '! grep -qF "<script>alert(1)</script>" "$tmp/full.html"' "a hostile name is not escaped"
    check 'grep -qF "&lt;script&gt;alert(1)&lt;/script&gt;" "$tmp/full.html"' "the hostile name is missing (escaped)"
    check 'grep -qF "parse&lt;&quot;x&quot;&amp;&apos;y&apos;&gt;" "$tmp/full.html"' "quotes and & in a name are not escaped"
    check 'grep -qF "cmp&amp;sort.cc" "$tmp/full.html" && ! grep -qF "cmp&sort.cc" "$tmp/full.html"' "a file name with & is not escaped"
    check '[ "$(grep -o "<script" "$tmp/full.html" | wc -l)" -eq 2 ]' "expected exactly 2 scripts (flame graph, tables)"

    pyrun "html-full.json: page content" "$read_html"'
prof, html_path, analysis = json.load(open(sys.argv[1])), sys.argv[2], json.load(open(sys.argv[3]))
p = page(html_path)
for s in ["summary", "timeline", "flamegraph", "functions", "files", "calltree", "threads", "loops", "branches",
          "switches", "memory", "events", "recommendations", "fg-svg", "chart-rss", "chart-cpu"]:
    if s not in p.ids: print("no element with id", s)
# Functions: every function that ran, in the report order (by self time), with the profile numbers.
head, body = rows(p, "functions-table")
want_head = ["function", "location", "calls", "timed", "self", "self %", "total", "total %", "avg", "min", "max",
             "p50", "p95", "p99", "class"]
if head != want_head: print("functions header", head)
fns = {f["name"]: f for f in prof["functions"]}
ranked = [f for f in analysis["functions"]]
if [r[0][0].replace(" [inlined]", "").replace(" [partly inlined]", "") for r in body] != [f["name"] for f in ranked]:
    print("functions order", [r[0][0] for r in body], [f["name"] for f in ranked])
for r, a in zip(body, ranked):
    f = fns[a["name"]]
    col = dict(zip(head, r))
    for h, k in [("calls", "calls"), ("timed", "timed_calls")]:
        if int(col[h][1]) != f[k]: print(f["name"], h, col[h], f[k])
    timed = f["timing"] != "none"
    for h, k in [("self", "self_time_ns"), ("total", "total_time_ns"), ("avg", "avg_time_ns"),
                 ("min", "min_time_ns"), ("max", "max_time_ns")]:
        want = f[k] if timed else -1
        if int(col[h][1]) != want: print(f["name"], h, col[h], want)
    if timed and abs(float(col["self %"][1]) - 100 * f["self_time_ns"] / prof["statistics"]["total_runtime_ns"]) > 1e-3:
        print(f["name"], "self %", col["self %"])
    lat = f.get("latency", {})
    for h in ["p50", "p95", "p99"]:
        want = lat.get(h + "_ns", -1)
        if int(col[h][1]) != want: print(f["name"], h, col[h], want)
    if col["class"][0] != a["class"]: print(f["name"], "class", col["class"][0], "report says", a["class"])
    if col["location"][0] != "%s:%d" % (f["file"], f["line"]): print(f["name"], "location", col["location"][0])
# Files: sums per file.
head, body = rows(p, "files-table")
for r in body:
    col = dict(zip(head, r))
    mine = [f for f in prof["functions"] if f["file"] == col["file"][0]]
    if int(col["calls"][1]) != sum(f["calls"] for f in mine): print("file", col["file"][0], "calls", col["calls"])
    if int(col["self"][1]) != sum(f["self_time_ns"] for f in mine): print("file", col["file"][0], "self", col["self"])
    its = sum(l["iterations"] for l in prof["loops"] if l["file"] == col["file"][0])
    if int(col["loop iterations"][1]) != its: print("file", col["file"][0], "loop iterations", col["loop iterations"])
if sorted(r[0][0] for r in body) != sorted({f["file"] for f in prof["functions"]}): print("files", [r[0][0] for r in body])
# Loops, branches, switches: every site that ran, with its counts.
head, body = rows(p, "loops-table")
ran = [l for l in prof["loops"] if l["iterations"] or l["entries"]]
if len(body) != len(ran): print("loops: %d rows for %d loops that ran" % (len(body), len(ran)))
for r in body:
    col = dict(zip(head, r))
    l = [l for l in ran if l["location"] == col["location"][0]][0]
    if (int(col["iterations"][1]), int(col["entries"][1])) != (l["iterations"], l["entries"]): print("loop", l["location"])
    if abs(float(col["avg trip count"][1]) - l["iterations"] / l["entries"]) > 1e-3: print("loop trip count", l["location"])
if [r[0][0] for r in body] != ["cmp&sort.cc:33", "app.c:12"]: print("loops not in the report order", body)
want_loop_class = {l["location"]: l["class"] for l in analysis["loops"]}
for r in body:
    col = dict(zip(head, r))
    if col["class"][0] != want_loop_class.get(col["location"][0]): print("loop class", col["location"][0], col["class"][0])
head, body = rows(p, "branches-table")
if len(body) != len(prof["branches"]): print("branches: %d rows" % len(body))
if [r[0][0] for r in body] != ["cmp&sort.cc:8", "cmp&sort.cc:35", "app.c:13"]: print("branches not by runs", body)
for r in body:
    col = dict(zip(head, r))
    b = [b for b in prof["branches"] if b["location"] == col["location"][0]][0]
    if (int(col["taken"][1]), int(col["not taken"][1])) != (b["taken"], b["not_taken"]): print("branch", b["location"])
    if abs(float(col["bias"][1]) - 100 * b["prediction_rate"]) > 1e-3: print("branch bias", b["location"], col["bias"])
head, body = rows(p, "switches-table")
if len(body) != 1 or "3...5</code>" in body[0][3][0] or "3...5: 2 (20.0%)" not in body[0][3][0]: print("switches", body)
# Memory: totals, size classes, sites and per function as in the profile.
m = prof["memory"]
tot = {r[0][0]: int(r[1][1]) for r in p.tables["memory-totals"]}
for k, label in [("allocations", "allocations"), ("frees", "frees"), ("allocated_bytes", "allocated"),
                 ("peak_live_bytes", "peak live"), ("live_bytes", "live (leaks at exit)")]:
    if tot.get(label) != m[k]: print("memory", label, tot.get(label), m[k])
cls = {r[0][0].split(" ")[0]: int(r[1][1]) for r in p.tables["memory-classes"]}
if cls != m["size_classes"]: print("size classes", cls)
head, body = rows(p, "memory-sites")
if [int(dict(zip(head, r))["allocated"][1]) for r in body] != [s["allocated_bytes"] for s in m["sites"]]: print("sites")
head, body = rows(p, "memory-functions")
want = {f["name"]: f["memory"]["allocated_bytes"] for f in prof["functions"] if "memory" in f}
if {r[0][0]: int(dict(zip(head, r))["allocated"][1]) for r in body} != want: print("per-function memory", body)
# Events: totals and per function.
head, body = rows(p, "events-table")
if [(r[0][0], r[1][0]) for r in body] != [(e["name"], "yes" if e["supported"] else "no") for e in prof["events"]]: print("events", body)
head, body = rows(p, "events-functions")
if head != ["function", "task-clock", "page-faults"]: print("events per function header", head)
for r in body:
    f = fns[r[0][0]]
    if [int(c[1]) for c in r[1:]] != [f["events"]["task-clock"], f["events"]["page-faults"]]: print("events of", f["name"])
head, body = rows(p, "events-threads")
want = [[t["id"], t["events"]["task-clock"], t["events"]["page-faults"]] for t in prof["threads"]]
if [[int(c[1]) for c in r] for r in body] != want: print("events per thread", body)
# Recommendations: the report'"'"'s own texts.
text = open(html_path, encoding="utf-8").read()
import html as H
for rec in analysis["recommendations"]:
    if H.escape(rec["text"], quote=True).replace("&#x27;", "&apos;") not in text: print("recommendation missing:", rec["text"][:60])
if not analysis["recommendations"]: print("the sample should give recommendations")
# Timeline: one point per sample on each chart.
pts = re.findall(r"<polyline[^>]* points=\"([^\"]*)\"", text)
n = len(prof["timeline"]["samples"])
if len(pts) != 2 or any(len(s.split()) != n for s in pts): print("timeline polylines", pts)
# Call tree: nested, with the recursion folded.
if text.count("<details") < 3 or "(recursive)" not in text or "(indirect)" not in text: print("call tree")
' "$FULL" "$tmp/full.html" "$tmp/full.analysis.json"

    # The report options: --threshold (classes), --sort (initial order) and --filter, as in --json.
    run --html "$tmp/o.html" --threshold 20 --sort calls --filter "[op]*" "$FULL"; expect_rc 0 "--html with options"
    "$analyzer" --json --threshold 20 --sort calls --filter "[op]*" "$FULL" >"$tmp/o.json" || fail "--json with options"
    pyrun "--html --threshold 20 --sort calls --filter" "$read_html"'
p, analysis = page(sys.argv[1]), json.load(open(sys.argv[2]))
head, body = rows(p, "functions-table")
got = [(r[0][0], dict(zip(head, r))["class"][0]) for r in body]
want = [(f["name"], f["class"]) for f in analysis["functions"]]
if got != want: print("functions", got, "--json says", want)
if [f[0] for f in got] != ["operator<", "parse<\"x\"&\x27y\x27>"]: print("filter/sort", got)
head, body = rows(p, "loops-table")
if [r[0][0] for r in body] != ["cmp&sort.cc:33"]: print("filtered loops", body)
' "$tmp/o.html" "$tmp/o.json"

    # Without the optional sections: they are left out, and so are their links.
    run --html "$tmp/r.html" "$R"; expect_rc 0 "--html realistic.json"
    pyrun "realistic.json: optional sections" "$read_html"'
p = page(sys.argv[1])
for s in ["memory", "events", "timeline", "chart-rss"]:
    if s in p.ids: print("section", s, "present without data")
text = open(sys.argv[1], encoding="utf-8").read()
for s in ["#memory", "#events", "#timeline"]:
    if s in text: print("link", s, "without its section")
head, body = rows(p, "functions-table")
if "p50" in head: print("latency columns without latency data")
if len(body) != 7: print("functions rows", len(body))
' "$tmp/r.html"
    for f in "$data"/recursion.json; do
        run --html "$tmp/x.html" "$f"; expect_rc 0 "--html $(basename "$f")"
    done
    # A timeline without samples, and an empty profile.
    "$py" - "$FULL" "$tmp" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["timeline"] = {"interval_ns": 100000000, "samples": []}
json.dump(p, open(sys.argv[2] + "/nosamples.json", "w"))
json.dump({"version": "1.0", "tool": "cprof", "functions": [], "call_graph": []}, open(sys.argv[2] + "/empty.json", "w"))
EOF
    run --html "$tmp/n.html" "$tmp/nosamples.json"; expect_rc 0 "--html with an empty timeline"
    contains "$tmp/n.html" "The timeline has no samples." "empty timeline"
    run --html "$tmp/e.html" "$tmp/empty.json"; expect_rc 0 "--html of an empty profile"
    contains "$tmp/e.html" "No function ran." "empty profile"
}

# ---------------------------------------------------------------------------------------------
# Two crafted runs: hot got slower, cool faster, main unchanged; fresh is new, gone disappeared.
make_diff_pair() {
    "$py" - "$tmp" <<'EOF'
import json, sys
def prof(fns, edges):
    F = [{"id": i, "name": n, "linkage_name": n, "file": "app.c", "line": 10 * i + 1, "calls": c, "timed_calls": c,
          "total_time_ns": t, "self_time_ns": s} for i, (n, s, t, c) in enumerate(fns)]
    E = [{"caller_id": a, "callee_id": b, "calls": c, "total_time_ns": t, "kind": "direct"} for a, b, c, t in edges]
    return {"version": "1.0", "tool": "cprof", "statistics": {"total_runtime_ns": sum(f[1] for f in fns)},
            "functions": F, "call_graph": E}
ms = 1000000
base = prof([("main", 50 * ms, 130 * ms, 1), ("hot", 40 * ms, 40 * ms, 100), ("cool", 30 * ms, 30 * ms, 10),
             ("gone", 10 * ms, 10 * ms, 1)],
            [(0, 1, 100, 40 * ms), (0, 2, 10, 30 * ms), (0, 3, 1, 10 * ms)])
new = prof([("main", 50 * ms, 125 * ms, 1), ("hot", 60 * ms, 60 * ms, 150), ("cool", 10 * ms, 10 * ms, 10),
            ("fresh", 5 * ms, 5 * ms, 2)],
           [(0, 1, 150, 60 * ms), (0, 2, 10, 10 * ms), (0, 3, 2, 5 * ms)])
json.dump(base, open(sys.argv[1] + "/base.json", "w"))
json.dump(new, open(sys.argv[1] + "/new.json", "w"))
EOF
}

test_diff() {
    make_diff_pair
    run diff "$tmp/base.json" "$tmp/new.json" --flamegraph "$tmp/d.svg"; expect_rc 0 "diff --flamegraph"
    check '[ ! -s "$out" ] && [ ! -s "$err" ]' "diff --flamegraph: nothing on stdout or stderr"
    run diff --flamegraph=- "$tmp/base.json" "$tmp/new.json"; expect_rc 0 "diff --flamegraph=-"
    check 'cmp -s "$out" "$tmp/d.svg"' "diff --flamegraph=- differs from the file"
    pyrun "differential flame graph" '
import re, sys, xml.etree.ElementTree as E
NS = "{http://www.w3.org/2000/svg}"
root = E.parse(sys.argv[1]).getroot()
F = {g.get("data-n"): g for g in root.iter(NS + "g") if g.get("class") == "f"}
def rgb(n):
    m = re.fullmatch(r"rgb\((\d+),(\d+),(\d+)\)", F[n].find(NS + "rect").get("fill"))
    return tuple(int(x) for x in m.groups())
def title(n): return F[n].find(NS + "title").text
if sorted(F) != ["all", "cool", "fresh", "hot", "main"]: print("frames", sorted(F))
r, g, b = rgb("hot")
if not (r == 255 and b < 100 and g == b): print("hot got slower but is not red:", rgb("hot"))
r, g, b = rgb("cool")
if not (b == 255 and r < 100 and r == g): print("cool got faster but is not blue:", rgb("cool"))
r, g, b = rgb("fresh")
if not (r == 255 and b > rgb("hot")[2]): print("fresh (new, +5 ms) should be a paler red than hot (+20 ms):", rgb("fresh"))
if rgb("main")[0] != rgb("main")[2]: print("main did not change but is coloured", rgb("main"))
for n, want in [("hot", "base 40.0 ms, new 60.0 ms, delta +20.0 ms (+50.0%)"),
                ("cool", "base 30.0 ms, new 10.0 ms, delta -20.0 ms (-66.7%)"),
                ("fresh", "not in base), new 5.00 ms, delta +5.00 ms")]:
    if want not in title(n): print(n, "tooltip lacks", repr(want), "in", repr(title(n)))
    if want not in F[n].get("data-note"): print(n, "hover note lacks", repr(want))
# Widths from the new profile.
if int(F["all"].get("data-w")) != 125000000 or int(F["hot"].get("data-w")) != 60000000: print("widths are not the new self times")
text = open(sys.argv[1]).read()
if "1 function only in base (10.0 ms self) not shown" not in text: print("the caption does not mention gone")
if "Differential flame graph:" not in text: print("title")
' "$tmp/d.svg"
    # Swapped: the same functions change colour.
    "$analyzer" diff "$tmp/new.json" "$tmp/base.json" --flamegraph "$tmp/swapped.svg" || fail "diff --flamegraph swapped"
    check 'grep -A1 "data-n=\"hot\"" "$tmp/swapped.svg" | grep -qE "fill=\"rgb\([0-9]+,[0-9]+,255\)\""' "swapped: hot should be blue"
}

# ---------------------------------------------------------------------------------------------
chromium_bin() {
    command -v chromium || command -v chromium-browser || command -v google-chrome
}
chrome() {
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/chrome" \
        --enable-logging=stderr --v=0 "$@"
    sleep 1 # the renderer's log lines may reach stderr after the browser process is gone
}
# console_clean ERRFILE WHAT: Chromium logged no console message and no uncaught exception.
console_clean() {
    if grep -qE "CONSOLE|Uncaught" "$1"; then fail "$2: console output: $(grep -E "CONSOLE|Uncaught" "$1" | head -c 400)"
    else ok; fi
}

# The page in Chromium: no console errors; a screenshot shows the flame graph; a click on a frame
# zooms it to the full width; a click on a table header sorts the table (both ways); details toggle.
test_browser() {
    chromium=$(chromium_bin) || skip "chromium is not installed"
    run --html "$tmp/full.html" "$FULL"; expect_rc 0 "--html html-full.json"
    chrome --dump-dom --window-size=1300,2000 "file://$tmp/full.html" >"$tmp/plain.dom" 2>"$tmp/plain.err"
    console_clean "$tmp/plain.err" "the page"
    check 'grep -q "<g class=\"f\"" "$tmp/plain.dom"' "the rendered page has no flame graph frames"

    # An error catcher first in <head>, a driver last in <body>; the driver's findings go into the DOM.
    sed 's|<head>|<head><script>window.cprofErrors = []; window.addEventListener("error", function (e) { cprofErrors.push(e.message); });</script>|' \
        "$tmp/full.html" | sed '/^<\/body>$/d; /^<\/html>$/d' >"$tmp/drive.html"
    cat >>"$tmp/drive.html" <<'EOF'
<script>
(function () {
  var out = [];
  function frame(n) {
    return Array.prototype.slice.call(document.querySelectorAll('#fg-svg g.f')).filter(function (g) {
      return g.getAttribute('data-n') === n; })[0];
  }
  function width(g) { return g.querySelector('rect').getAttribute('width'); }
  function names(id) {
    return Array.prototype.map.call(document.getElementById(id).tBodies[0].rows, function (r) {
      return r.cells[0].firstChild.nodeValue.trim(); }).join(';');
  }
  function header(id, text) {
    return Array.prototype.filter.call(document.getElementById(id).tHead.rows[0].cells, function (th) {
      return th.textContent === text; })[0];
  }
  var svg = document.getElementById('fg-svg').getBoundingClientRect();
  out.push('svg=' + (svg.width > 1000 && svg.height > 50));
  var op = frame('operator<'), main = frame('main'), rect = op.querySelector('rect').getBoundingClientRect();
  out.push('frame=' + (rect.width > 10 && rect.height > 10));
  op.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  out.push('hover=' + document.getElementById('fg-details').textContent);
  op.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  out.push('zoomed=' + width(op) + ',' + main.classList.contains('parent') + ',' + width(main) + ',' +
           (frame('fib').style.display === 'none'));
  frame('all').dispatchEvent(new MouseEvent('click', {bubbles: true}));
  out.push('unzoomed=' + (width(op) !== '1180.00') + ',' + (frame('fib').style.display === ''));
  out.push('initial=' + names('functions-table'));
  header('functions-table', 'calls').click();
  out.push('calls=' + names('functions-table') + ',' + header('functions-table', 'calls').className);
  header('functions-table', 'calls').click();
  out.push('calls2=' + names('functions-table'));
  header('functions-table', 'function').click();
  out.push('name=' + names('functions-table'));
  header('loops-table', 'iterations').click();
  out.push('loops=' + names('loops-table'));
  var d = document.querySelector('#calltree details'), shown = d.querySelector('ul').checkVisibility();
  d.querySelector('summary').click();
  out.push('tree=' + shown + ',' + d.querySelector('ul').checkVisibility());
  out.push('errors=' + window.cprofErrors.length);
  var r = document.createElement('pre');
  r.id = 'result';
  r.textContent = out.join('|');
  document.body.appendChild(r);
})();
</script>
</body>
</html>
EOF
    chrome --dump-dom --window-size=1300,2000 "file://$tmp/drive.html" >"$tmp/drive.dom" 2>"$tmp/drive.err"
    console_clean "$tmp/drive.err" "the page with the driver"
    local got want
    got=$(sed -n 's/.*<pre id="result">\([^<]*\)<\/pre>.*/\1/p' "$tmp/drive.dom")
    want="svg=true|frame=true|hover=Function: operator&lt; (150 ms, 37.50%, 3000000 calls)"
    want="$want|zoomed=1180.00,true,1180.00,true|unzoomed=true,true"
    want="$want|initial=operator&lt;;&lt;script&gt;alert(1)&lt;/script&gt;;parse&lt;\"x\"&amp;'y'&gt;;fib;main;tiny"
    want="$want|calls=tiny;operator&lt;;fib;parse&lt;\"x\"&amp;'y'&gt;;&lt;script&gt;alert(1)&lt;/script&gt;;main,n desc"
    want="$want|calls2=main;&lt;script&gt;alert(1)&lt;/script&gt;;parse&lt;\"x\"&amp;'y'&gt;;fib;operator&lt;;tiny"
    want="$want|name=&lt;script&gt;alert(1)&lt;/script&gt;;fib;main;operator&lt;;parse&lt;\"x\"&amp;'y'&gt;;tiny"
    want="$want|loops=cmp&amp;sort.cc:33;app.c:12|tree=true,false|errors=0"
    check '[ "$got" = "$want" ]' "the page in Chromium:
  got:  $got
  want: $want"

    # A screenshot of the page shows the flame graph: flame-coloured pixels inside its box.
    local box
    sed '/^<\/body>$/d; /^<\/html>$/d' "$tmp/full.html" >"$tmp/box.html"
    cat >>"$tmp/box.html" <<'EOF'
<script>
var b = document.getElementById('fg-svg').getBoundingClientRect(), r = document.createElement('pre');
r.id = 'box';
r.textContent = [b.left, b.top + window.scrollY, b.width, b.height].map(Math.round).join(' ');
document.body.appendChild(r);
</script>
</body>
</html>
EOF
    chrome --dump-dom --window-size=1300,2000 "file://$tmp/box.html" >"$tmp/box.dom" 2>/dev/null
    box=$(sed -n 's/.*<pre id="box">\([^<]*\)<\/pre>.*/\1/p' "$tmp/box.dom")
    chrome --screenshot="$tmp/shot.png" --window-size=1300,2000 "file://$tmp/full.html" >/dev/null 2>"$tmp/shot.err"
    console_clean "$tmp/shot.err" "the page (screenshot)"
    local warm
    warm=$("$py" "$here/png-pixels.py" "$tmp/shot.png" $box 2>&1)
    check '[ "$warm" -gt 15000 ] 2>/dev/null' "the screenshot shows no flame graph in box [$box] (warm pixels: $warm)"
}

# The differential flame graph in Chromium: no console errors; hover shows both times; zoom works.
test_diff_browser() {
    chromium=$(chromium_bin) || skip "chromium is not installed"
    make_diff_pair
    run diff "$tmp/base.json" "$tmp/new.json" --flamegraph "$tmp/d.svg"; expect_rc 0 "diff --flamegraph"
    chrome --dump-dom "file://$tmp/d.svg" >/dev/null 2>"$tmp/plain.err"
    console_clean "$tmp/plain.err" "the differential flame graph"
    sed '/^<\/svg>$/d' "$tmp/d.svg" >"$tmp/h.svg"
    cat >>"$tmp/h.svg" <<'EOF'
<script type="text/ecmascript"><![CDATA[
(function () {
  var out = [];
  function frame(n) {
    return Array.prototype.slice.call(document.querySelectorAll('g.f')).filter(function (g) {
      return g.getAttribute('data-n') === n; })[0];
  }
  var hot = frame('hot');
  hot.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
  out.push('hover=' + document.getElementById('details').textContent);
  hot.dispatchEvent(new MouseEvent('click', {bubbles: true}));
  out.push('zoomed=' + hot.querySelector('rect').getAttribute('width'));
  var t = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  t.setAttribute('id', 'result');
  t.textContent = out.join('|');
  document.documentElement.appendChild(t);
})();
]]></script>
</svg>
EOF
    chrome --dump-dom "file://$tmp/h.svg" >"$tmp/dom" 2>"$tmp/drive.err"
    console_clean "$tmp/drive.err" "the differential flame graph with the driver"
    local got want
    got=$(grep -o '<text id="result">[^<]*' "$tmp/dom" | sed 's/^<text id="result">//')
    want="hover=Function: hot (60.0 ms, 48.00%, 150 calls); self time: base 40.0 ms, new 60.0 ms, delta +20.0 ms (+50.0%)"
    want="$want|zoomed=1180.00"
    check '[ "$got" = "$want" ]' "the differential flame graph in Chromium:
  got:  $got
  want: $want"
}

case $group in
    cli) test_cli ;;
    content) test_content ;;
    diff) test_diff ;;
    browser) test_browser ;;
    diff-browser) test_diff_browser ;;
    *) echo "usage: $0 cli|content|diff|browser|diff-browser ANALYZER DATA_DIR" >&2; exit 2 ;;
esac
echo "$group: $checked checks passed, $failed failed"
[ "$failed" -eq 0 ]
