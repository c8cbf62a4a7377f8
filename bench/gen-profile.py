# gen-profile.py: writes a large, schema-valid synthetic cprof profile for benchmarking cprof-analyze.
# Usage: /usr/bin/python3 gen-profile.py OUT.json [FUNCTIONS]   (default 100000 functions, ~50 MB)
# Deterministic (fixed seed). The shape follows real programs: functions spread over ~1/50 as many
# files, a call graph that is mostly a DAG fanning out from main with a few recursive functions,
# loops (some nested), branches, switches, heap statistics on a tenth.
import json
import random
import sys

out_path = sys.argv[1]
nfn = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
rng = random.Random(20261122)
nfiles = max(1, nfn // 50)
files = ["src/m%02d/f%04d.c" % (i % 97, i) for i in range(nfiles)]
runtime = 60 * 10**9

functions, edges, loops, branches, switches = [], [], [], [], []
for i in range(nfn):
    name = "main" if i == 0 else "%s_%d" % (rng.choice(("parse", "emit", "hash", "walk", "scan", "eval")), i)
    file = files[i % nfiles]
    line = 10 + (i // nfiles) * 40
    calls = 1 if i == 0 else int(rng.paretovariate(1.2) * 10) if rng.random() < 0.9 else 0
    timed = calls if rng.random() < 0.8 else (calls // 2 if rng.random() < 0.5 else 0)
    self_ns = int(rng.paretovariate(1.1) * 1000 * timed)
    total = self_ns + int(rng.random() * self_ns)
    f = {"id": i, "name": name, "linkage_name": name, "file": file, "line": line, "column": 5, "module": 0,
         "static": rng.random() < 0.3, "calls": calls, "timed_calls": timed, "inlined_calls": calls - timed,
         "timing": "not_run" if calls == 0 else "none" if timed == 0 else "full" if timed >= calls else "partial",
         "total_time_ns": total if timed else 0, "self_time_ns": self_ns if timed else 0,
         "avg_time_ns": total // timed if timed else 0, "min_time_ns": total // timed // 2 if timed else 0,
         "max_time_ns": total // timed * 3 if timed else 0, "unwound_calls": 0}
    if calls and rng.random() < 0.1:
        a = rng.randint(1, 1000) * calls
        f["memory"] = {"allocations": a, "reallocations": a // 10, "frees": a - 1, "allocated_bytes": a * 48,
                       "freed_bytes": (a - 1) * 48, "live_bytes": 48}
    functions.append(f)
    # Callees: later functions (a DAG from main), sometimes itself (recursion).
    if i + 1 < nfn:
        for _ in range(rng.choice((0, 1, 1, 1))):
            c = rng.randint(i + 1, min(nfn - 1, i + 2000))
            edges.append({"caller": name, "callee": "", "caller_id": i, "callee_id": c,
                          "calls": calls * rng.randint(0, 5), "total_time_ns": rng.randint(0, total + 1),
                          "kind": "indirect" if rng.random() < 0.05 else "direct"})
    if rng.random() < 0.01:
        edges.append({"caller": name, "callee": name, "caller_id": i, "callee_id": i, "calls": calls * 3,
                      "total_time_ns": 0, "kind": "direct"})
    # A nest: each inner loop is entered once per iteration of the loop around it (short inner
    # loops that run thousands of times are common, and what the short-inner-loop rule looks at).
    ent = calls
    for d in range(rng.choice((0, 0, 0, 0, 0, 1, 2))):
        ln = line + 3 + d * 2
        its = ent * rng.randint(1, 200 if d == 0 else 8)
        loops.append({"location": "%s:%d" % (file, ln), "file": file, "line": ln, "column": 9, "function": name,
                      "function_id": i, "depth": d + 1, "iterations": its, "entries": ent})
        ent = its
    for k in range(rng.choice((0, 0, 1))):
        ln = line + 5 + k
        runs = calls * rng.randint(0, 20)
        t = int(runs * rng.random() ** 4)
        branches.append({"location": "%s:%d" % (file, ln), "file": file, "line": ln, "column": 7, "function": name,
                         "function_id": i, "taken": t, "not_taken": runs - t,
                         "prediction_rate": max(t, runs - t) / runs if runs else 0})
    if rng.random() < 0.05:
        cases = [{"label": str(k), "count": calls * rng.randint(0, 9)} for k in range(rng.randint(2, 8))]
        cases.append({"label": "default", "count": calls})
        switches.append({"location": "%s:%d" % (file, line + 20), "file": file, "line": line + 20, "column": 3,
                         "function": name, "function_id": i, "total": sum(c["count"] for c in cases),
                         "cases": cases})
# Callee names as the runtime writes them.
for e in edges:
    e["callee"] = functions[e["callee_id"]]["name"]

timed = sum(f["timed_calls"] for f in functions)
profile = {
    "version": "1.1", "tool": "cprof", "timestamp": 1763786400, "binary": "/home/u/big/big", "pid": 4242,
    "command_line": "./big --all", "argv": ["./big", "--all"], "clock": "CLOCK_MONOTONIC",
    "statistics": {"total_runtime_ns": runtime, "timed_calls": timed, "hook_cost_ns": 20,
                   "overhead_estimate_ns": timed * 20, "overhead_estimate_percent": 100.0 * timed * 20 / runtime,
                   "modules": 1, "threads": 1, "unwound_frames": 0, "dropped_frames": 0, "sample_rate": 1},
    "modules": [{"source": "big.c", "directory": "/home/u/big", "functions": nfn, "counters": len(loops) * 2}],
    "functions": functions, "call_graph": edges, "loops": loops, "branches": branches, "switches": switches,
    "threads": [{"id": 0, "tid": 4242, "name": "big", "main": True, "timed_calls": timed, "max_depth": 40,
                 "unwound_frames": 0, "runtime_ns": runtime}],
}
# Laid out as libcprofrt writes it: one array element per line.
with open(out_path, "w") as out:
    out.write("{\n")
    keys = list(profile)
    for n, k in enumerate(keys):
        v = profile[k]
        sep = ",\n" if n + 1 < len(keys) else "\n"
        if isinstance(v, list) and k != "argv":
            out.write('  "%s": [\n' % k)
            out.write(",\n".join("    " + json.dumps(e, separators=(",", ":")) for e in v))
            out.write("\n  ]" + sep)
        else:
            out.write('  "%s": %s%s' % (k, json.dumps(v), sep))
    out.write("}\n")
