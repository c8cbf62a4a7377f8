# mkprofile.py: writes a crafted cprof profile (format 1.0, schema-valid) for the analyzer tests.
# Usage: /usr/bin/python3 mkprofile.py OUT.json 'prof([fn(0, "main", 50e6), ...], runtime=100e6, ...)'
import json
import sys


def fn(id, name, self_ns, total=None, calls=1, timed=None, avg=None, mn=None, mx=None, file="app.c",
       line=1, static=False, linkage=None, module=0):
    timed = calls if timed is None else timed
    total = self_ns if total is None else total
    avg = (total // timed if timed else 0) if avg is None else avg
    timing = "not_run" if calls == 0 else "none" if timed == 0 else "full" if timed >= calls else "partial"
    return {"id": id, "name": name, "linkage_name": linkage or name, "file": file, "line": line, "column": 5,
            "module": module, "static": static, "calls": int(calls), "timed_calls": int(timed),
            "inlined_calls": int(calls - timed), "timing": timing, "total_time_ns": int(total),
            "self_time_ns": int(self_ns), "avg_time_ns": int(avg),
            "min_time_ns": int(avg if mn is None else mn) if timed else 0,
            "max_time_ns": int(avg if mx is None else mx) if timed else 0, "unwound_calls": 0}


def loop(fid, function, line, iterations, entries, depth=1, file="app.c", column=3):
    return {"location": "%s:%d" % (file, line), "file": file, "line": line, "column": column,
            "function": function, "function_id": fid, "depth": depth, "iterations": int(iterations),
            "entries": int(entries)}


def branch(fid, function, line, taken, not_taken, file="app.c", column=7):
    runs = taken + not_taken
    return {"location": "%s:%d" % (file, line), "file": file, "line": line, "column": column,
            "function": function, "function_id": fid, "taken": int(taken), "not_taken": int(not_taken),
            "prediction_rate": max(taken, not_taken) / runs if runs else 0}


def switch(fid, function, line, cases, file="app.c"):
    return {"location": "%s:%d" % (file, line), "file": file, "line": line, "column": 3, "function": function,
            "function_id": fid, "total": sum(c for _, c in cases),
            "cases": [{"label": l, "count": c} for l, c in cases]}


def edge(caller, callee, calls, total=0, kind="direct"):
    return {"caller": caller[1], "callee": callee[1], "caller_id": caller[0], "callee_id": callee[0],
            "calls": int(calls), "total_time_ns": int(total), "kind": kind}


def thread(id, runtime, max_depth=3, timed=1, tid=None, main=None):
    return {"id": id, "tid": tid or 100 + id, "name": "app", "main": id == 0 if main is None else main,
            "timed_calls": timed, "max_depth": max_depth, "unwound_frames": 0, "runtime_ns": int(runtime)}


def prof(functions, runtime, loops=(), branches=(), switches=(), edges=(), threads=None, pid=1234,
         timestamp=1763786400, modules=None, timed_calls=None, hook=20, bursts=None):
    timed = sum(f["timed_calls"] for f in functions) if timed_calls is None else timed_calls
    p = prof_1_0(functions, runtime, loops, branches, switches, edges, threads, pid, timestamp, modules, timed, hook)
    if bursts:  # (rate, count, recorded_ns): CPROF_SAMPLE=rate, format 1.4
        p["version"] = "1.4"
        p["statistics"]["bursts"] = {"rate": bursts[0], "count": bursts[1], "recorded_ns": int(bursts[2])}
    return p


def prof_1_0(functions, runtime, loops, branches, switches, edges, threads, pid, timestamp, modules, timed, hook):
    return {"version": "1.0", "tool": "cprof", "timestamp": timestamp, "binary": "/home/u/app/app", "pid": pid,
            "command_line": "./app", "argv": ["./app"], "clock": "CLOCK_MONOTONIC",
            "statistics": {"total_runtime_ns": int(runtime), "timed_calls": timed, "hook_cost_ns": hook,
                           "overhead_estimate_ns": timed * hook,
                           "overhead_estimate_percent": 100.0 * timed * hook / runtime if runtime else 0,
                           "modules": len(modules or [1]), "threads": len(threads or [1]),
                           "unwound_frames": 0, "dropped_frames": 0},
            "modules": modules or [{"source": "app.c", "directory": "/home/u/app", "functions": len(functions),
                                    "counters": 10}],
            "functions": functions, "call_graph": list(edges), "loops": list(loops), "branches": list(branches),
            "switches": list(switches), "threads": threads or [thread(0, runtime)]}


with open(sys.argv[1], "w") as out:
    json.dump(eval(sys.argv[2]), out, indent=1)
