#!/bin/bash
# test-sections.sh: the report's heap and counters sections, on data/realistic.json with a crafted
# "memory" (format 1.1) and "events" section: exact rows, derived ratios, unsupported events, and
# nothing printed for a profile without them.
# Usage: test-sections.sh ANALYZER DATA_DIR
set -u
analyzer=$1 data=$2
py=/usr/bin/python3
. "$(cd "$(dirname "$0")" && pwd)/assert.sh"

"$py" - "$data/realistic.json" "$tmp/p.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["version"] = "1.1"
p["memory"] = {"allocations": 1200, "reallocations": 3, "frees": 1100, "allocated_bytes": 3 * 1048576,
               "freed_bytes": 2 * 1048576, "live_blocks": 100, "live_bytes": 1048576,
               "peak_live_bytes": 2 * 1048576, "size_classes": {"small": 1000, "medium": 200, "large": 3},
               "histogram": [], "sites": [
                   {"return_address": "0x1", "object": "/bin/app", "object_offset": 4096, "symbol": "parse",
                    "symbol_offset": 12, "allocations": 900, "allocated_bytes": 2 * 1048576},
                   {"return_address": "0x2", "object": "/bin/app", "object_offset": 8192, "symbol": "",
                    "symbol_offset": 0, "allocations": 300, "allocated_bytes": 1048576}],
               "sites_total": 2, "sites_dropped": 0}
p["events"] = [{"name": "cycles", "supported": True, "total": 4000000},
               {"name": "instructions", "supported": True, "total": 6000000},
               {"name": "cache-misses", "supported": False, "total": 0}]
fns = p["functions"]
fns[0]["memory"] = {"allocations": 1000, "reallocations": 0, "frees": 950, "allocated_bytes": 2097152,
                    "freed_bytes": 1048576, "live_bytes": 1048576}
fns[1]["memory"] = {"allocations": 200, "reallocations": 3, "frees": 150, "allocated_bytes": 1048576,
                    "freed_bytes": 1048576, "live_bytes": 0}
fns[0]["events"] = {"cycles": 3000000, "instructions": 1500000}
fns[1]["events"] = {"cycles": 1000000, "instructions": 3000000}
sys.stdout.write(fns[0]["name"] + "\n" + fns[1]["name"] + "\n")
json.dump(p, open(sys.argv[2], "w"))
PY
f0=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["functions"][0]["name"])' "$tmp/p.json")
f1=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["functions"][1]["name"])' "$tmp/p.json")

run --no-color "$tmp/p.json"; expect_rc 0 "report"
matches "$out" '^== Heap \(the program.s malloc family\) ==$' "heap section"
matches "$out" '^  1200 allocations, 3 reallocations, 1100 frees; 3\.0 MiB requested, peak live 2\.0 MiB$' "heap totals"
matches "$out" '^  live when the profile was written \(leaks at exit\): 100 blocks, 1\.0 MiB$' "leaks"
matches "$out" '^  requests by size: 1000 small \(<= 256 B\), 200 medium \(<= 64 KiB\), 3 large$' "size classes"
matches "$out" "^ +1000 +2\\.0 MiB +1\\.0 MiB  $f0\$" "top allocating function"
matches "$out" "^ +200 +1\\.0 MiB +0 B  $f1\$" "second allocating function"
matches "$out" '^ +900 +2\.0 MiB  parse\+12$' "site with a symbol"
matches "$out" '^ +300 +1\.0 MiB  /bin/app\+0x2000$' "site without a symbol"
matches "$out" '^== Counters \(CPROF_EVENTS, whole run\) ==$' "counters section"
matches "$out" '^  cycles +4000000$' "cycles total"
matches "$out" '^  cache-misses +\(not supported here\)$' "unsupported event"
matches "$out" '^  derived:  IPC 1\.50$' "derived IPC"
matches "$out" "^ +3000000  $f0  IPC 0\\.50\$" "function by cycles, with its IPC"
matches "$out" "^ +1000000  $f1  IPC 3\\.00\$" "second function"
# sections keep to the report's order: heap and counters after the switches, before the advice
"$py" -c 'import sys
t = open(sys.argv[1]).read()
assert t.index("== Switch") < t.index("== Heap") < t.index("== Counters") < t.index("== Recommendations")' "$out" &&
    ok || fail "section order"

run --no-color "$data/realistic.json"; expect_rc 0 "report without the sections"
lacks "$out" "== Heap" "no heap section without memory"
lacks "$out" "== Counters" "no counters section without events"

echo "sections: $checked passed, $failed failed"
[ "$failed" -eq 0 ]
