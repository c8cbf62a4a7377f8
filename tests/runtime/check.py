#!/usr/bin/python3
"""check.py: assertions on cprof profiles written by the tests/runtime programs.

usage: check.py SCHEMA_OR_DASH CHECK PROFILE.json [ARGS...]
"""
import json
import os
import sys

FAILURES = []


def expect(cond, what):
    if not cond:
        FAILURES.append(what)


def eq(actual, expected, what):
    expect(actual == expected, f"{what}: expected {expected!r}, got {actual!r}")


def is_uint(v):
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


SHAPE = {
    "functions": {"id": is_uint, "name": str, "linkage_name": str, "file": str, "line": is_uint,
                  "column": is_uint, "module": is_uint, "static": bool, "calls": is_uint,
                  "timed_calls": is_uint, "inlined_calls": is_uint, "timing": str,
                  "total_time_ns": is_uint, "self_time_ns": is_uint, "avg_time_ns": is_uint,
                  "min_time_ns": is_uint, "max_time_ns": is_uint, "unwound_calls": is_uint},
    "call_graph": {"caller": str, "callee": str, "caller_id": is_uint, "callee_id": is_uint,
                   "calls": is_uint, "total_time_ns": is_uint, "kind": str},
    "loops": {"location": str, "file": str, "line": is_uint, "column": is_uint, "function": str,
              "function_id": is_uint, "depth": is_uint, "iterations": is_uint,
              "entries": is_uint},
    "branches": {"location": str, "file": str, "line": is_uint, "column": is_uint,
                 "function": str, "function_id": is_uint, "taken": is_uint,
                 "not_taken": is_uint, "prediction_rate": (int, float)},
    "switches": {"location": str, "file": str, "line": is_uint, "column": is_uint,
                 "function": str, "function_id": is_uint, "total": is_uint, "cases": list},
    "threads": {"id": is_uint, "tid": is_uint, "name": str, "main": bool,
                "timed_calls": is_uint, "max_depth": is_uint, "unwound_frames": is_uint,
                "runtime_ns": is_uint},
    "modules": {"source": str, "directory": str, "functions": is_uint, "counters": is_uint},
}
STATS = ["total_runtime_ns", "timed_calls", "hook_cost_ns", "overhead_estimate_ns", "modules",
         "threads", "unwound_frames", "dropped_frames", "sample_rate"]


def conforms(v, t):
    return t(v) if callable(t) and not isinstance(t, type) and not isinstance(t, tuple) \
        else isinstance(v, t) and not (t is int and isinstance(v, bool))


def validate(p, schema_path):
    """The format of doc/PROFILE-FORMAT.md, plus the JSON schema when it exists."""
    if schema_path != "-" and os.path.exists(schema_path):
        import jsonschema
        with open(schema_path) as f:
            jsonschema.validate(p, json.load(f))
    eq(p.get("version"), "1.4", "version")
    eq(p.get("tool"), "cprof", "tool")
    expect(p.get("clock") in ("CLOCK_MONOTONIC", "TSC (calibrated against CLOCK_MONOTONIC)"), "clock")
    for k in ("timestamp", "pid"):
        expect(is_uint(p.get(k)), f"{k} is an unsigned integer")
    for k in ("binary", "command_line"):
        expect(isinstance(p.get(k), str), f"{k} is a string")
    expect(isinstance(p.get("argv"), list) and all(isinstance(a, str) for a in p["argv"]), "argv")
    st = p.get("statistics", {})
    for k in STATS:
        expect(is_uint(st.get(k)), f"statistics.{k}")
    expect(isinstance(st.get("overhead_estimate_percent"), (int, float)), "overhead percent")
    for section, fields in SHAPE.items():
        items = p.get(section)
        expect(isinstance(items, list), f"{section} is an array")
        for i, item in enumerate(items or []):
            for k, t in fields.items():
                expect(k in item and conforms(item[k], t), f"{section}[{i}].{k} {item.get(k)!r}")
    fns = p["functions"]
    eq([f["id"] for f in fns], list(range(len(fns))), "functions in fid order")
    # inclusive time never exceeds the wall time of the threads that ran the function
    runtime = st["total_runtime_ns"] * max(1, len(p["threads"]))
    for f in fns:
        name = f["name"]
        expect(f["timing"] in ("full", "none", "partial", "adaptive", "not_run"), f"{name} timing")
        expect(f["total_time_ns"] <= runtime, f"{name} total {f['total_time_ns']} <= {runtime}")
        expect(f["timed_calls"] <= f["calls"], f"{name} timed_calls <= calls")
        if f["timed_calls"]:
            expect(f["min_time_ns"] <= f["avg_time_ns"] <= f["max_time_ns"], f"{name} min<=avg<=max")
            expect(f["max_time_ns"] <= runtime, f"{name} max <= runtime")
        out = f.get("sampled_out_calls", 0)
        eq("sampled_out_calls" in f, st.get("sample_rate", 1) > 1, f"{name} sampled_out_calls")
        eq(f["inlined_calls"], max(0, f["calls"] - f["timed_calls"] - out), f"{name} inlined_calls")
    eq(st["timed_calls"], sum(f["timed_calls"] for f in fns), "statistics.timed_calls")
    if sys.argv[2] != "merged":  # merge rounds hook_cost_ns to the average
        eq(st["overhead_estimate_ns"], st["timed_calls"] * st["hook_cost_ns"], "overhead")
    eq(st["threads"], len(p["threads"]), "statistics.threads")
    eq(st["modules"], len(p["modules"]), "statistics.modules")
    for s in p["switches"]:
        eq(s["total"], sum(c["count"] for c in s["cases"]), "switch total")
    ids = [t["id"] for t in p["threads"]]
    eq(len(ids), len(set(ids)), "unique thread ids")


def fn(p, name, module_source=None):
    mods = {i: m["source"] for i, m in enumerate(p["modules"])}
    hits = [f for f in p["functions"] if f["name"] == name and
            (module_source is None or mods[f["module"]] == module_source)]
    if len(hits) != 1:
        FAILURES.append(f"function {name} ({module_source}): {len(hits)} matches")
        return {"id": -1, "calls": -1, "timed_calls": -1, "total_time_ns": 0, "self_time_ns": 0,
                "unwound_calls": -1, "timing": "?", "inlined_calls": -1, "static": None}
    return hits[0]


def edges(p, caller, callee, kind="direct"):
    return [e for e in p["call_graph"]
            if e["caller_id"] == caller["id"] and e["callee_id"] == callee["id"] and
            e["kind"] == kind]


def edge(p, caller, callee, kind="direct"):
    hits = edges(p, caller, callee, kind)
    if len(hits) != 1:
        FAILURES.append(f"edge {caller.get('name')}->{callee.get('name')} {kind}: {len(hits)}")
        return {"calls": -1, "total_time_ns": -1}
    return hits[0]


def check_basic(p, args):
    main, fib = fn(p, "main"), fn(p, "fib")
    helper_a, helper_b = fn(p, "helper", "t-basic.c"), fn(p, "helper", "t-basic-b.c")
    bfunc, inl, part = fn(p, "bfunc"), fn(p, "inl"), fn(p, "part")
    never, cb = fn(p, "never"), fn(p, "cb")
    eq(len(p["modules"]), 2, "modules")
    eq(sorted(m["source"] for m in p["modules"]), ["t-basic-b.c", "t-basic.c"], "sources")
    eq(p["modules"][0]["directory"], "/src/basic", "module directory")
    eq(sum(m["functions"] for m in p["modules"]), len(p["functions"]), "function count")
    for f, calls, timing in ((main, 1, "full"), (fib, 1973, "full"), (helper_a, 250, "full"),
                             (helper_b, 10, "full"), (bfunc, 10, "full"), (inl, 1000, "none"),
                             (part, 10, "partial"), (never, 0, "not_run"), (cb, 5, "full")):
        eq(f["calls"], calls, f"{f.get('name')} calls")
        eq(f["timing"], timing, f"{f.get('name')} timing")
    eq(fib["timed_calls"], 1973, "fib timed")
    eq(part["timed_calls"], 4, "part timed")
    eq(part["inlined_calls"], 6, "part inlined")
    eq(inl["inlined_calls"], 1000, "inl inlined")
    eq(helper_a["static"], True, "helper static")
    eq(fib["static"], False, "fib not static")
    eq(p["functions"][main["id"]]["line"], 60, "main line")
    expect(fib["total_time_ns"] > 0, "fib timed > 0")
    expect(fib["total_time_ns"] <= main["total_time_ns"], "fib within main")
    # recursion: inclusive counted once per outermost activation, so self <= total
    expect(fib["self_time_ns"] <= fib["total_time_ns"], "fib self <= total")
    eq(edge(p, main, fib)["calls"], 1, "main->fib")
    eq(edge(p, main, fib)["total_time_ns"], fib["total_time_ns"], "main->fib time = fib total")
    eq(edge(p, fib, fib)["calls"], 1972, "fib->fib (two sites summed)")
    eq(edge(p, main, helper_a)["calls"], 250, "main->helper resolves to the static in A")
    eq(edges(p, main, helper_b), [], "no main->helper(B)")
    eq(edge(p, main, bfunc)["calls"], 10, "main->bfunc across modules")
    eq(edge(p, bfunc, helper_b)["calls"], 10, "bfunc->helper resolves to the static in B")
    eq(edge(p, main, inl)["calls"], 1000, "main->inl (inlined) still counted")
    eq(edge(p, main, inl)["total_time_ns"], 0, "inlined edge has no time")
    eq(edge(p, main, part)["calls"], 10, "main->part")
    eq(edge(p, main, never)["calls"], 0, "never-run edge present with 0 calls")
    eq(edge(p, main, cb, "indirect")["calls"], 5, "indirect main->cb")
    expect(not any(e["callee"] == "printf" for e in p["call_graph"]), "uninstrumented skipped")
    eq(len([e for e in p["call_graph"] if e["kind"] == "direct"]), 8, "direct edge count")
    # main's self time + the inclusive time of its timed callees = main's inclusive time
    children = sum(e["total_time_ns"] for e in p["call_graph"] if e["caller_id"] == main["id"])
    eq(main["self_time_ns"] + children, main["total_time_ns"], "main self + children")
    eq(len(p["loops"]), 1, "loops")
    lp = p["loops"][0]
    eq((lp["iterations"], lp["entries"], lp["depth"], lp["function"], lp["location"]),
       (1000, 1, 1, "main", "t-basic.c:70"), "loop")
    br = p["branches"][0]
    eq((br["taken"], br["not_taken"], br["prediction_rate"]), (250, 750, 0.75), "branch")
    sw = p["switches"][0]
    eq([(c["label"], c["count"]) for c in sw["cases"]],
       [("0", 200), ("1...2", 400), ("default", 400)], "switch cases")
    eq(sw["total"], 1000, "switch total")
    eq(len(p["threads"]), 1, "one thread")
    th = p["threads"][0]
    eq((th["id"], th["main"], th["tid"]), (0, True, p["pid"]), "main thread")
    eq(th["timed_calls"], p["statistics"]["timed_calls"], "thread timed calls")
    expect(th["max_depth"] >= 16, "max depth covers fib(15)")
    eq(p["statistics"]["unwound_frames"], 0, "no unwound frames")
    eq(p["statistics"]["dropped_frames"], 0, "no dropped frames")
    expect(p["argv"][0].endswith("t-basic"), "argv[0]")
    expect(p["binary"].endswith("/t-basic") and os.path.isabs(p["binary"]), "binary")


def check_threads(p, args):
    mode = args[0]
    work, main = fn(p, "work"), fn(p, "main")
    eq(work["calls"], 800000, "work calls")
    eq(work["timed_calls"], 800000, "work timed calls")
    eq(work["timing"], "full", "work timing")
    lp = p["loops"][0]
    eq((lp["iterations"], lp["entries"]), (800000, 8), "worker loop")
    eq(len(p["threads"]), 9, "threads")
    eq(sorted(t["id"] for t in p["threads"]), list(range(9)), "thread ids")
    workers = [t for t in p["threads"] if not t["main"]]
    eq(len(workers), 8, "workers")
    per = 100000 + (1 if mode == "pthread_exit" else 0)
    eq([t["timed_calls"] for t in workers], [per] * 8, "per-thread timed calls")
    expect(all(t["tid"] != p["pid"] for t in workers), "worker tids")
    if mode == "pthread_exit":
        leave = fn(p, "leave")
        eq((leave["calls"], leave["timed_calls"], leave["unwound_calls"]), (8, 8, 8), "leave")
        eq(p["statistics"]["unwound_frames"], 8, "unwound at pthread_exit")
    if mode == "live":
        eq(main["unwound_calls"], 1, "main closed at exit")
    else:
        eq(main["unwound_calls"], 0, "main returned")
    expect(work["total_time_ns"] <= sum(t["runtime_ns"] for t in p["threads"]), "work time")


def check_deep_exit(p, args):
    n = int(args[0])
    rec, main = fn(p, "rec"), fn(p, "main")
    eq((rec["calls"], rec["timed_calls"], rec["unwound_calls"]), (n, n, n), "rec")
    eq(main["unwound_calls"], 1, "main unwound")
    eq(p["statistics"]["unwound_frames"], n + 1, "unwound frames")
    eq(edge(p, rec, rec)["calls"], n - 1, "rec->rec")
    eq(p["threads"][0]["max_depth"], n + 1, "max depth")
    expect(rec["total_time_ns"] <= main["total_time_ns"], "rec within main")
    expect(rec["self_time_ns"] <= rec["total_time_ns"], "rec self <= total")
    eq(edge(p, main, rec)["total_time_ns"], rec["total_time_ns"], "main->rec = outermost rec")


def check_deep(p, args):
    n = int(args[0])
    rec = fn(p, "rec")
    eq((rec["calls"], rec["timed_calls"], rec["unwound_calls"]), (n, n, 0), "rec")
    eq(edge(p, rec, rec)["calls"], n - 1, "rec->rec")
    deep = [t for t in p["threads"] if not t["main"]]
    eq(len(deep), 1, "one deep thread")
    eq(deep[0]["max_depth"] if deep else -1, n, "deep thread max depth")
    eq(p["statistics"]["dropped_frames"], 0, "dropped")
    expect(rec["self_time_ns"] <= rec["total_time_ns"], "rec self <= total")
    expect(rec["max_time_ns"] == rec["total_time_ns"], "outermost rec is the longest")


def check_longjmp(p, args):
    f = {n: fn(p, n) for n in "abcde"}
    main = fn(p, "main")
    for n in "ae":
        eq((f[n]["calls"], f[n]["timed_calls"], f[n]["unwound_calls"]), (100, 100, 0), n)
    for n in "bcd":
        eq((f[n]["calls"], f[n]["timed_calls"], f[n]["unwound_calls"]), (100, 100, 100), n)
    eq(p["statistics"]["unwound_frames"], 300, "unwound frames")
    eq(main["unwound_calls"], 0, "main")
    runtime = p["statistics"]["total_runtime_ns"]
    for n in "abcde":
        expect(f[n]["total_time_ns"] <= f["a"]["total_time_ns"] <= main["total_time_ns"] <= runtime,
               f"{n} time bounded by a and main")
        expect(f[n]["self_time_ns"] <= f[n]["total_time_ns"], f"{n} self <= total")
    # e is entered from a after the longjmp: the stale b/c/d frames were closed first
    expect(edge(p, f["a"], f["e"])["total_time_ns"] > 0, "a->e observed with a as parent")
    eq(edge(p, f["a"], f["e"])["calls"], 100, "a->e")
    eq(edge(p, f["c"], f["d"])["calls"], 100, "c->d")
    eq(p["threads"][0]["max_depth"], 5, "max depth: main a b c d; stale frames popped")
    children = sum(e["total_time_ns"] for e in p["call_graph"] if e["caller_id"] == f["a"]["id"])
    eq(f["a"]["self_time_ns"] + children, f["a"]["total_time_ns"], "a self + children")


def check_fork(p, args):
    who, calls = args[0], int(args[1])
    work, main = fn(p, "work"), fn(p, "main")
    eq((work["calls"], work["timed_calls"]), (calls, calls), f"{who} work")
    eq(edge(p, main, work)["calls"], calls, f"{who} main->work")
    eq(len(p["threads"]), 1, f"{who} threads")
    eq(p["threads"][0]["tid"], p["pid"], f"{who} thread tid")
    eq(p["threads"][0]["main"], True, f"{who} main thread")
    if who == "child":
        eq(p["pid"], int(args[2]), "child pid")
        # main was entered before fork: no longer timed in the child
        eq((main["calls"], main["timed_calls"], main["unwound_calls"]), (0, 0, 0), "child main")
        eq(p["statistics"]["unwound_frames"], 0, "child unwound")
    else:
        eq((main["calls"], main["timed_calls"], main["unwound_calls"]), (1, 1, 0), "parent main")


def check_env(p, args):
    eq(fn(p, "work")["calls"], 42, "work calls")
    eq(p["pid"], int(args[0]), "pid")


def check_heap_mode(p, args):
    eq(fn(p, "main")["calls"], 1, "main calls (the counts-only module)")
    m = p.get("memory")
    keys = ("allocations", "reallocations", "frees", "allocated_bytes", "freed_bytes", "live_bytes")
    got = "none" if m is None else ",".join(str(m[k]) for k in keys)
    eq(got, args[0], "memory " + "/".join(keys))


def check_api(p, args):
    eq(fn(p, "work")["calls"], int(args[0]), "work calls")
    eq(fn(p, "work")["timed_calls"], int(args[0]), "work timed calls")
    eq(edge(p, fn(p, "main"), fn(p, "work"))["calls"], int(args[0]), "main->work")


def check_meta(p, args):
    mods = p["modules"]
    eq(len(mods), 2, "refused module not listed")
    eq(len(p["functions"]), 4, "3 + 1 functions")
    main = fn(p, "main")
    eq((main["calls"], main["timed_calls"], main["line"]), (1, 1, 10), "main")
    f1, f2 = p["functions"][1], p["functions"][2]
    eq((f1["name"], f1["calls"]), ("badctr", 0), "bad entry counter reads 0")
    eq(f2["name"], "<unknown>", "missing F record")
    eq(p["functions"][3]["name"], "<unknown>", "module without valid header")
    eq(p["functions"][3]["timed_calls"], 1, "its hooks still time it")
    eq(len(p["loops"]), 1, "loops")
    eq((p["loops"][0]["iterations"], p["loops"][0]["entries"]), (7, 1), "loop counts")
    eq(len(p["branches"]), 1, "branch with bad counter kept")
    eq((p["branches"][0]["taken"], p["branches"][0]["not_taken"]), (7, 0), "branch counts")
    eq([len(s["cases"]) for s in p["switches"]], [1], "lying switch skipped")
    eq(p["switches"][0]["cases"][0]["count"], 1, "default count")
    eq(edge(p, main, main)["calls"], 7, "C record")


def check_flow(p, args):
    main, reset_fn, unsolved = fn(p, "main"), fn(p, "reset_fn"), fn(p, "unsolved")
    eq(main["calls"], 1, "entry from ENTRY's counted edge")
    eq(len(p["loops"]), 1, "loops")
    eq((p["loops"][0]["iterations"], p["loops"][0]["entries"]), (9, 1), "loop from the tree")
    eq((p["branches"][0]["taken"], p["branches"][0]["not_taken"]), (9, 1), "branch from the tree")
    eq(reset_fn["calls"], 0, "entry before the reset")
    eq(edge(p, reset_fn, main)["calls"], 1, "call site after the reset, the fake edge at -1")
    eq(unsolved["calls"], 0, "unsolvable or malformed graphs leave their targets at 0")
    by_sites, mid, twice = fn(p, "by_sites"), fn(p, "mid"), fn(p, "twice")
    eq((twice["calls"], edge(p, twice, mid)["calls"], edge(p, twice, by_sites)["calls"]), (4, 4, 4),
       "caller and its call sites")
    eq((mid["calls"], edge(p, mid, by_sites)["calls"]), (4, 4), "entry by a call site, and its call")
    eq(by_sites["calls"], 8, "entry by two call sites, one in a graph that itself waits for another")


def check_catch(p, args):
    f = {n: fn(p, n) for n in "abce"}
    for n in "ae":
        eq((f[n]["calls"], f[n]["timed_calls"], f[n]["unwound_calls"]), (100, 100, 0), n)
    for n in "bc":
        eq((f[n]["calls"], f[n]["timed_calls"], f[n]["unwound_calls"]), (100, 100, 100), n)
    eq(p["statistics"]["unwound_frames"], 200, "unwound frames")
    eq(edge(p, f["a"], f["b"])["calls"], 100, "a->b by linkage name")
    eq(edge(p, f["a"], f["e"])["calls"], 100, "a->e")
    expect(edge(p, f["a"], f["e"])["total_time_ns"] > 0, "e observed as a's child")
    children = sum(e["total_time_ns"] for e in p["call_graph"] if e["caller_id"] == f["a"]["id"])
    eq(f["a"]["self_time_ns"] + children, f["a"]["total_time_ns"], "a self + children")


def bucket(n):
    return n.bit_length()


def mem(p, name):
    f = fn(p, name)
    return f.get("memory", {})


def check_memory_shape(p):
    m = p.get("memory")
    expect(isinstance(m, dict), "memory present")
    if not isinstance(m, dict):
        return {}
    eq(m["live_blocks"], m["allocations"] - m["frees"], "live_blocks")
    eq(m["live_bytes"], m["allocated_bytes"] - m["freed_bytes"], "live_bytes")
    expect(m["peak_live_bytes"] >= m["live_bytes"], "peak >= live")
    requests = m["allocations"] + m["reallocations"]
    eq(sum(m["size_classes"].values()), requests, "size classes cover every request")
    eq(sum(h["count"] for h in m["histogram"]), requests, "histogram covers every request")
    for h in m["histogram"]:
        b = bucket(h["min_bytes"])
        eq((h["min_bytes"], h["max_bytes"]), (0, 0) if b == 0 else (1 << (b - 1), (1 << b) - 1),
           "histogram bounds")
    for f in p["functions"]:
        fm = f.get("memory")
        if fm:
            eq(fm["live_bytes"], fm["allocated_bytes"] - fm["freed_bytes"], f"{f['name']} live")
    return m


def check_malloc_exact(p, args):
    m = check_memory_shape(p)
    # alloc_some: malloc 100, calloc 10*30, malloc 1000 -> realloc 2000, 4000, 8000,
    # posix_memalign 500, aligned_alloc 256 -> realloc 300, memalign 70000, valloc 10,
    # reallocarray(NULL) 80, malloc 5 -> realloc(p, 0)
    some = [100, 300, 1000, 2000, 4000, 8000, 500, 256, 300, 70000, 10, 80, 5]
    leak = [12345, 7]
    big = [1 << 20]
    eq(mem(p, "alloc_some"), {"allocations": 9, "reallocations": 4, "frees": 9,
                              "allocated_bytes": sum(some), "freed_bytes": sum(some),
                              "live_bytes": 0}, "alloc_some memory")
    eq(mem(p, "leaky"), {"allocations": 2, "reallocations": 0, "frees": 0,
                         "allocated_bytes": sum(leak), "freed_bytes": 0,
                         "live_bytes": sum(leak)}, "leaky memory")
    eq(mem(p, "peak")["allocated_bytes"], 1 << 20, "peak memory")
    expect("memory" not in fn(p, "main") and "memory" not in fn(p, "worker_alloc"),
           "no memory object for functions that did not allocate")
    # the whole process: exactly the program's requests (stdio is not used)
    everything = some + leak + big
    eq((m["allocations"], m["reallocations"], m["frees"]), (12, 4, 10), "process counts")
    eq(m["allocated_bytes"], sum(everything), "process bytes")
    eq((m["live_blocks"], m["live_bytes"]), (2, 12352), "leaks at exit")
    eq(m["peak_live_bytes"], (1 << 20) + 12352, "peak live bytes")
    classes = {"small": 0, "medium": 0, "large": 0}
    hist = {}
    for n in everything:
        classes["small" if n <= 256 else "medium" if n <= 65536 else "large"] += 1
        hist[bucket(n)] = hist.get(bucket(n), 0) + 1
    eq(m["size_classes"], classes, "size classes")
    eq({bucket(h["min_bytes"]): h["count"] for h in m["histogram"]}, hist, "log2 histogram")
    leak_sites = [s for s in m["sites"] if s["symbol"] == "leaky"]
    eq(sorted(s["allocated_bytes"] for s in leak_sites), [7, 12345], "call sites in leaky")
    for s in leak_sites:
        expect(s["object"].endswith("/t-malloc") and s["symbol_offset"] > 0, "site object")
    eq(m["sites_dropped"], 0, "no site dropped")
    eq(m["sites_total"], len(m["sites"]), "every site listed")


def check_malloc_fork(p, args):
    m = check_memory_shape(p)
    leak = {"allocations": 2, "reallocations": 0, "frees": 0, "allocated_bytes": 12352,
            "freed_bytes": 0, "live_bytes": 12352}
    eq(mem(p, "leaky"), leak, f"{args[0]}: leaky")
    if args[0] == "child":  # the parent's allocations and the inherited block's free are not counted
        eq((m["allocations"], m["frees"], m["live_bytes"]), (2, 0, 12352), "child process")
        expect("memory" not in fn(p, "alloc_some"), "child: no alloc_some")
        expect(m["peak_live_bytes"] == 12352, f"child peak {m['peak_live_bytes']}")
    else:
        eq(mem(p, "alloc_some")["allocations"], 9, "parent: alloc_some")
        eq((m["allocations"], m["frees"], m["live_bytes"]), (11, 9, 12352), "parent process")


def check_malloc_threads(p, args):
    m = check_memory_shape(p)
    n = 4 * 1000
    eq(mem(p, "worker_alloc"), {"allocations": n, "reallocations": 0, "frees": n,
                                "allocated_bytes": 48 * n, "freed_bytes": 48 * n,
                                "live_bytes": 0}, "worker_alloc: freed by itself and by main")
    eq(m["frees"], n, "process frees")
    # pthread_create's own allocations (ld.so's thread control blocks) are the program's too
    other = [s for s in m["sites"] if s["symbol"] != "worker_alloc"]
    eq(m["allocations"], n + sum(s["allocations"] for s in other), "process allocations")
    eq(m["live_bytes"], sum(s["allocated_bytes"] for s in other), "live bytes")
    expect(48 * 1000 <= m["peak_live_bytes"] <= 48 * n + m["live_bytes"],
           f"peak {m['peak_live_bytes']}")
    eq(m["size_classes"]["small"] >= n, True, "small blocks")
    eq(len(p["threads"]), 5, "threads")


def check_malloc_cpp(p, args):
    m = check_memory_shape(p)
    eq(mem(p, "churn()"), {"allocations": 30, "reallocations": 0, "frees": 30,
                           "allocated_bytes": 10 * (400 + 24 + 4000), "freed_bytes": 44240,
                           "live_bytes": 0}, "new/delete in churn")
    eq(mem(p, "leak()"), {"allocations": 1, "reallocations": 0, "frees": 0,
                          "allocated_bytes": 4, "freed_bytes": 0, "live_bytes": 4}, "leak")
    eq(m["live_bytes"], 4, "process leak")


def check_events(p, args):
    cycles = args[0] == "1"
    ev = p.get("events", [])
    eq([(e["name"], e["supported"]) for e in ev],
       [("task-clock", True), ("page-faults", True), ("context-switches", True),
        ("cycles", cycles), ("bogus", False)], "events and support")
    names = [e["name"] for e in ev if e["supported"]]
    for e in ev:
        eq(e["total"], sum(t["events"][e["name"]] for t in p["threads"]) if e["supported"] else 0,
           f"{e['name']} total = sum over threads")
    eq(len(p["threads"]), 2, "threads")
    for t in p["threads"]:
        eq(sorted(t.get("events", {})), sorted(names), f"thread {t['id']} events")
        expect(t["events"]["task-clock"] >= 18000000, f"thread {t['id']} task-clock")
    spin, touch, nap, main = fn(p, "spin"), fn(p, "touch"), fn(p, "nap"), fn(p, "main")
    for f in (spin, touch, nap, main):
        eq(sorted(f.get("events", {})), sorted(names), f"{f['name']} events")
    if FAILURES:
        return
    expect(spin["events"]["task-clock"] >= 2 * 18000000, f"spin task-clock {spin['events']}")
    expect(touch["events"]["page-faults"] >= 256, f"touch page-faults {touch['events']}")
    expect(nap["events"]["context-switches"] >= 5, f"nap context-switches {nap['events']}")
    for k in names:  # main is inclusive of its own thread's callees
        expect(main["events"][k] >= touch["events"][k] + nap["events"][k], f"main {k} inclusive")
    expect(main["events"]["task-clock"] >= 18000000, "main includes its spin")
    expect(main["events"]["task-clock"] <= p["threads"][0]["events"]["task-clock"],
           "main <= its thread")


def check_events_off(p, args):
    expect("events" not in p, "no events array without CPROF_EVENTS")
    for section in ("functions", "threads"):
        for item in p[section]:
            expect("events" not in item, f"{section}: no events without CPROF_EVENTS")


def check_life(p, args):
    work = fn(p, "work")
    eq((work["calls"], work["timed_calls"]), (int(args[0]), int(args[0])), "work calls")


def check_sample(p, args):
    n = int(args[0])
    eq(p["statistics"]["sample_rate"], n, "sample_rate")
    leaf, fib, main = fn(p, "leaf"), fn(p, "fib"), fn(p, "main")
    timed = lambda calls: (calls + n - 1) // n  # the 1st, (n+1)th, ... call of each function
    eq((leaf["calls"], leaf["timed_calls"], leaf["inlined_calls"], leaf["timing"]),
       (1000, timed(1000), 0, "full"), "leaf: exact calls, one in n timed")
    eq((fib["calls"], fib["timed_calls"], fib["inlined_calls"]), (177, timed(177), 0), "fib")
    if n > 1:
        eq((leaf["sampled_out_calls"], fib["sampled_out_calls"]),
           (1000 - timed(1000), 177 - timed(177)), "sampled out")
    # an unsampled recursive activation never closes a sampled one
    eq((leaf["unwound_calls"], fib["unwound_calls"], p["statistics"]["unwound_frames"]),
       (0, 0, 0), "nothing unwound")
    eq(edge(p, main, leaf)["calls"], 1000, "direct edge counts stay exact")
    expect(fib["total_time_ns"] <= main["total_time_ns"], "fib's outermost activation inside main")
    expect(leaf["avg_time_ns"] > 0 and leaf["min_time_ns"] <= leaf["avg_time_ns"] <= leaf["max_time_ns"],
           "leaf average over the timed calls")
    eq(leaf["total_time_ns"] >= leaf["timed_calls"] * leaf["min_time_ns"], True, "leaf total")


def check_adaptive(p, args):
    """t-adaptive with THREADS threads and CPROF_MIN_TIME=MIN (1e9: every short function stops;
    1 or 0: none does)."""
    threads, min_time = int(args[0]), int(args[1])
    sample = int(args[2]) if len(args) > 2 else 1
    first_verdict = 1  # the first power of two of timed calls that stands for 256 calls
    while first_verdict * sample < 256:
        first_verdict *= 2
    eq(p["statistics"]["min_time_ns"], min_time, "statistics.min_time_ns")
    leaf, alloc, outer, run, main = (fn(p, n) for n in ("leaf", "alloc", "outer", "run", "main"))
    # counts stay exact whatever is timed
    eq((leaf["calls"], alloc["calls"], outer["calls"], run["calls"], main["calls"]),
       (5000 * threads, 5000 * threads, 2 * threads, threads, 1), "exact calls")
    for f in (outer, run, main):  # one call in `sample` timed: the 1st, the (sample+1)th, ...
        eq((f["name"], f["timed_calls"], f["timing"]),
           (f["name"], (f["calls"] + sample - 1) // sample, "full"), "timed")
    if min_time >= 1000000000:
        for f in (leaf, alloc):
            # judged at its 256th timed call in a thread; other threads may time more meanwhile
            name = f["name"]
            eq(f["timing"], "adaptive", f"{name} stopped")
            expect(first_verdict <= f["timed_calls"] < f["calls"], f"{name} timed {f['timed_calls']}")
            if threads == 1:
                eq(f["timed_calls"], first_verdict, f"{name}: timed until its first verdict")
            eq(f["inlined_calls"] + f.get("sampled_out_calls", 0), f["calls"] - f["timed_calls"],
               f"{name}: untimed calls")
            # a leaf of a few ns may read the same clock tick at both ends: min 0 is possible
            expect(0 <= f["min_time_ns"] <= f["avg_time_ns"] <= f["max_time_ns"] and f["max_time_ns"] > 0,
                   f"{name} stats")
            eq(sum(b["count"] for b in f["latency"]["histogram"]), f["timed_calls"], f"{name} latency")
        # heap blocks go to the innermost timed function: alloc while timed, then its caller
        eq(alloc["memory"]["allocations"], alloc["timed_calls"], "alloc's own blocks")
        eq(run["memory"]["allocations"], alloc["calls"] - alloc["timed_calls"], "then run's")
    else:
        for f in (leaf, alloc):
            eq((f["name"], f["timed_calls"], f["timing"]), (f["name"], f["calls"], "full"), "timed")
        eq(alloc["memory"]["allocations"], alloc["calls"], "every block alloc's")
    # outer's calls stay timed, and its time holds every leaf call, timed or not
    expect(outer["total_time_ns"] <= run["total_time_ns"] * 1, "outer inside run")
    expect(outer["self_time_ns"] + leaf["total_time_ns"] <= outer["total_time_ns"] + threads,
           "outer's self time plus the timed leaves within outer's time")
    eq(p["statistics"]["unwound_frames"], 0, "nothing unwound: exits match entries")


def check_region(p, args):
    main, work, thr_fn = fn(p, "main"), fn(p, "work"), fn(p, "thread_fn")
    regions = {f["name"]: f for f in p["functions"] if f.get("kind") == "region"}
    eq(sorted((n, f["calls"]) for n, f in regions.items()),
       [("a", 1), ("b", 1), ("inner", 1), ("iter", 100), ("manual", 1), ("outer", 1), ("thr", 100)],
       "regions and their exact counts")
    expect(all(f["file"].endswith("t-region.c") and f["line"] > 0
               for n, f in regions.items() if n not in ("manual", "a", "b")),
           "CPROF_REGION records its file and line")
    expect("kind" not in main, "functions have no kind")
    eq(work["calls"], 202, "work")
    r = regions
    for caller, callee, calls in [(main, r["outer"], 1), (r["outer"], r["inner"], 1),
                                  (r["inner"], work, 1), (r["outer"], r["iter"], 100),
                                  (r["iter"], work, 100), (thr_fn, r["thr"], 100),
                                  (r["thr"], work, 100), (main, r["manual"], 1),
                                  (r["manual"], work, 1), (r["a"], r["b"], 1)]:
        eq(edge(p, caller, callee)["calls"], calls, f"{caller['name']} -> {callee['name']}")
    eq((r["b"]["unwound_calls"], r["a"]["unwound_calls"]), (1, 0), "b closed by a's end")
    eq(r["iter"]["timed_calls"], 100, "every region entry timed")
    expect(r["outer"]["total_time_ns"] >= r["inner"]["total_time_ns"] + r["iter"]["total_time_ns"],
           "outer includes inner and iter")
    expect(main["total_time_ns"] >= r["outer"]["total_time_ns"], "main includes outer")


def check_latency(p, args):
    work = fn(p, "work")
    eq((work["calls"], work["timed_calls"]), (100, 100), "work: 100 timed calls")
    lat = work["latency"]
    hist = lat["histogram"]
    eq(sum(b["count"] for b in hist), 100, "histogram holds every timed call")
    expect(all(b["count"] > 0 and b["min_ns"] <= b["max_ns"] for b in hist), "non-empty buckets")
    expect(all(a["max_ns"] < b["min_ns"] for a, b in zip(hist, hist[1:])), "buckets in order")
    expect(all(b["max_ns"] - b["min_ns"] + 1 <= max(16, b["min_ns"] // 4 + 1) for b in hist[:-1]),
           "buckets at most a quarter of their power of two wide")
    lo, hi = work["min_time_ns"], work["max_time_ns"]
    expect(lo <= lat["p50_ns"] <= lat["p95_ns"] <= lat["p99_ns"] <= hi, "percentiles in order")
    slow = sum(b["count"] for b in hist if b["max_ns"] >= 800000)
    eq(slow, 10, "the ten 1 ms calls are in buckets at or above 0.8 ms")
    expect(lat["p50_ns"] < 100000, f"p50 is a fast call ({lat['p50_ns']} ns)")
    expect(800000 <= lat["p95_ns"] <= hi and 800000 <= lat["p99_ns"] <= hi,
           f"p95 and p99 are slow calls ({lat['p95_ns']}, {lat['p99_ns']} ns)")
    main = fn(p, "main")
    eq(sum(b["count"] for b in main["latency"]["histogram"]), 1, "main: one call")
    eq(main["latency"]["p50_ns"], main["max_time_ns"], "a single call is its own percentile")


def fnv(name):
    if not name or name == "<unknown>":
        return name
    h = 14695981039346656037
    for c in name.encode():
        h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"h{h:016x}"


def check_redact(p, args):
    with open(args[0]) as f:
        n = json.load(f)
    eq(p["binary"], fnv(n["binary"]), "binary")
    eq(p["argv"], [fnv(a) for a in n["argv"]], "argv")
    eq(p["command_line"], fnv(n["command_line"]), "command_line")
    eq([(m["source"], m["directory"]) for m in p["modules"]],
       [(fnv(m["source"]), fnv(m["directory"])) for m in n["modules"]], "modules")
    for a, b in zip(p["functions"], n["functions"]):
        eq((a["name"], a["linkage_name"], a["file"], a["line"], a["calls"], a["timed_calls"]),
           (fnv(b["name"]), fnv(b["linkage_name"]), fnv(b["file"]), b["line"], b["calls"],
            b["timed_calls"]), f"function {b['name']}")
    eq([(e["caller"], e["callee"], e["calls"], e["kind"]) for e in p["call_graph"]],
       [(fnv(e["caller"]), fnv(e["callee"]), e["calls"], e["kind"]) for e in n["call_graph"]],
       "call graph")
    for section in ("loops", "branches", "switches"):
        eq([(s["location"], s["file"], s["function"]) for s in p[section]],
           [(f"{fnv(s['file'])}:{s['line']}", fnv(s["file"]), fnv(s["function"]))
            for s in n[section]], section)
    eq([t["name"] for t in p["threads"]], [fnv(t["name"]) for t in n["threads"]], "thread names")


def io_of(obj, kind):
    return obj.get("io", {}).get(kind, {})


def io_cb(obj, kind):
    """(calls, bytes) of one I/O kind, with time_ns present."""
    e = io_of(obj, kind)
    expect(not e or is_uint(e.get("time_ns")), f"{kind}: time_ns")
    return (e.get("calls", 0), e.get("bytes", 0))


def check_io_signal(p, args):
    loop, handler = int(args[0]), int(args[1])
    w = p["io"]["write"]
    # handler writes that interrupted a hook are not counted; every other write is, once
    expect(loop <= w["calls"] <= loop + handler, f"write calls {w['calls']} in [{loop}, {loop + handler}]")
    expect(handler > 10, f"the handler ran ({handler} times)")
    eq(fn(p, "write_file")["io"]["write"]["calls"] >= loop, True, "write_file writes")


def check_io(p, args):
    want = {"write_file": {"write": (1000, 100000)},
            "read_file": {"read": (1001, 100000)},
            "stdio_io": {"fwrite": (10, 40960), "fread": (11, 40960)},
            "sock_io": {"send": (50, 10000), "recv": (50, 10000), "sendto": (5, 50),
                        "recvfrom": (5, 50)},
            "positional": {"pwrite": (7, 70), "pread": (7, 70), "writev": (3, 30),
                           "readv": (3, 30)}}
    total = {}
    for name, kinds in want.items():
        f = fn(p, name)
        eq(sorted(f.get("io", {})), sorted(kinds), f"{name} io kinds")
        for kind, cb in kinds.items():
            eq(io_cb(f, kind), cb, f"{name} {kind}")
            total[kind] = cb
    expect("io" not in fn(p, "main"), "main did no I/O of its own")
    # the process: exactly the program's calls; the profile's own write is not counted
    eq(sorted(p.get("io", {})), sorted(total), "process io kinds")
    for kind, cb in total.items():
        eq(io_cb(p, kind), cb, f"process {kind}")


def check_timeline(p, args):
    tl = p.get("timeline")
    expect(tl is not None, "timeline present")
    if tl is None:
        return
    eq(tl["interval_ns"], int(args[0]), "interval_ns")
    s = tl["samples"]
    expect(len(s) >= int(args[1]), f"at least {args[1]} samples, got {len(s)}")
    if len(s) < 2:
        return
    t = [x["t_ns"] for x in s]
    expect(all(a < b for a, b in zip(t, t[1:])), f"t_ns increasing: {t}")
    cpu = [x["cpu_user_ns"] + x["cpu_system_ns"] for x in s]
    expect(all(a <= b for a, b in zip(cpu, cpu[1:])), f"cpu never decreases: {cpu}")
    expect(cpu[-1] > cpu[0], f"cpu increases: {cpu}")
    if len(args) > 2 and args[2] == "grow":
        rss = [x["rss_bytes"] for x in s]
        expect(rss[-1] >= rss[0] + (16 << 20), f"rss rises by 16 MiB or more: {rss}")


def check_snapshot(p, args):
    check_timeline(p, args)
    expect(fn(p, "function_0")["calls"] > 0, "the daemon's calls are in the snapshot")
    eq(len(p["threads"]), 1, "the sampler is not a profiled thread")


def check_no_timeline(p, args):
    expect("timeline" not in p, "no timeline")


def check_big(p, args):
    eq(len(p["functions"]), 4000, "functions")
    expect(all(f["calls"] >= 1 for f in p["functions"]), "every function ran")


def check_merged(p, args):
    """p = merge of the profiles args[1:], kind args[0]: io, memory or timeline."""
    ins = [json.load(open(a)) for a in args[1:]]
    kind = args[0]
    if kind == "io":
        want = {}
        for q in ins:
            for k, v in q.get("io", {}).items():
                w = want.setdefault(k, {"calls": 0, "bytes": 0, "time_ns": 0})
                for f in w:
                    w[f] += v[f]
        eq(p.get("io"), want, "merged io")
        for f in ins[0]["functions"]:
            if "io" in f:
                got = fn(p, f["name"])["io"]
                eq({k: (v["calls"], v["bytes"]) for k, v in got.items()},
                   {k: (v["calls"] * len(ins), v["bytes"] * len(ins)) for k, v in f["io"].items()},
                   f"merged io of {f['name']}")
    elif kind == "memory":
        m, ms = p["memory"], [q["memory"] for q in ins]
        for f in ("allocations", "reallocations", "frees", "allocated_bytes", "freed_bytes",
                  "live_blocks", "live_bytes", "sites_dropped"):
            eq(m[f], sum(x[f] for x in ms), f"merged memory {f}")
        eq(m["peak_live_bytes"], max(x["peak_live_bytes"] for x in ms), "merged peak")
        eq(m["size_classes"], {c: sum(x["size_classes"][c] for x in ms) for c in m["size_classes"]},
           "merged size classes")
        hist = {}
        for x in ms:
            for h in x["histogram"]:
                hist[h["min_bytes"]] = hist.get(h["min_bytes"], 0) + h["count"]
        eq({h["min_bytes"]: h["count"] for h in m["histogram"]}, hist, "merged histogram")
        sites = {}
        for x in ms:
            for t in x["sites"]:
                key = (t["object"], t["object_offset"])
                sites[key] = sites.get(key, 0) + t["allocated_bytes"]
        eq({(t["object"], t["object_offset"]): t["allocated_bytes"] for t in m["sites"]}, sites,
           "merged sites")
        for f in ins[0]["functions"]:
            if "memory" in f:
                eq(fn(p, f["name"])["memory"]["allocated_bytes"],
                   sum(fn(q, f["name"]).get("memory", {}).get("allocated_bytes", 0)
                       for q in ins),
                   f"merged memory of {f['name']}")
    elif kind == "events":
        tot = {}
        for q in ins:
            for e in q.get("events", []):
                tot[e["name"]] = tot.get(e["name"], 0) + e["total"]
        eq({e["name"]: e["total"] for e in p.get("events", [])}, tot, "merged event totals")
        for f in ins[0]["functions"]:
            if "events" in f:
                eq(fn(p, f["name"])["events"],
                   {k: sum(fn(q, f["name"]).get("events", {}).get(k, 0) for q in ins)
                    for k in f["events"]}, f"merged events of {f['name']}")
    elif kind == "timeline":
        with_tl = [q["timeline"] for q in ins if "timeline" in q]
        if len(with_tl) == 1:
            eq(p.get("timeline"), with_tl[0], "single timeline kept")
        else:
            expect("timeline" not in p, "several timelines are dropped")
    eq(p["version"], "1.4", "merged version")


# t-names.c's strings, as bytes (the profile copies bytes that are not UTF-8 as they are).
N_MAIN = b'ma"in\\'
N_EVIL = b'ev"il \\ \x01\x02\x08\x0c\x0d\x1b\x1f\x7f end'
L_EVIL = b'_Z4evil\\"\x05'
N_BYTES = b'bytes \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 caf\xc3\xa9 \xf0\x9f\x98\x80'
F_MAIN = b'dir\\with "quotes"/t-\x03names.c'
F_BYTES = b'/\xff\xc0\xaf/x.c'
L_CASE = b'-7...9'


def raw(v):
    return v.encode("utf-8", "surrogateescape")


def check_names(p, args):
    text = RAW[0]
    # every control character is escaped: the only raw one is the newline after the document
    expect(all(c >= 0x20 for c in text[:-1]) and text.endswith(b"}\n"), "raw control characters")
    # cJSON's escapes: two-character forms for \b \f \r, \u00xx (lowercase) for the others
    for esc in (b'ma\\"in\\\\', b"\\u0001\\u0002\\b\\f\\r\\u001b\\u001f\x7f end"):
        expect(esc in text, f"escape {esc!r} in the text")
    m = p["modules"][0]
    eq(raw(m["source"]), b'src "\\\x01\xfe.c', "module source")
    eq(raw(m["directory"]), b'/src/"names"\\\x7f', "module directory")
    fns = {f["id"]: f for f in p["functions"]}
    for fid, name, linkage, file in ((0, N_MAIN, b"main", F_MAIN), (1, N_EVIL, L_EVIL, F_MAIN),
                                     (2, N_BYTES, N_BYTES, F_BYTES)):
        f = fns.get(fid, {})
        eq(raw(f.get("name", "")), name, f"functions[{fid}].name")
        eq(raw(f.get("linkage_name", "")), linkage, f"functions[{fid}].linkage_name")
        eq(raw(f.get("file", "")), file, f"functions[{fid}].file")
    eq(fns[1]["calls"], 1, "evil calls")
    eq(fns[2]["calls"], 2, "bytes calls")
    cg = sorted((raw(e["caller"]), raw(e["callee"]), e["calls"], e["kind"]) for e in p["call_graph"])
    eq(cg, sorted([(N_MAIN, N_EVIL, 1, "direct"), (N_MAIN, N_BYTES, 2, "direct")]), "call graph")
    eq(raw(p["loops"][0]["file"]), F_MAIN, "loop file")
    eq(raw(p["loops"][0]["location"]), F_MAIN + b":40", "loop location")
    eq(raw(p["loops"][0]["function"]), N_MAIN, "loop function")
    eq(raw(p["branches"][0]["location"]), F_BYTES + b":41", "branch location")
    eq((p["branches"][0]["taken"], p["branches"][0]["not_taken"]), (1, 2), "branch counts")
    cases = [(raw(c["label"]), c["count"]) for c in p["switches"][0]["cases"]]
    eq(cases, [(L_CASE, 1), (b"default", 2)], "switch cases")


def cjson_number(d):
    """cJSON 1.7's print_number for a finite double."""
    if d == int(d) and -2**31 <= d < 2**31:
        return "%d" % int(d)
    s = "%1.15g" % d
    t = float(s)
    if abs(t - d) > max(abs(t), abs(d)) * sys.float_info.epsilon:
        s = "%1.17g" % d
    return s


def check_rates(p, args):
    import re
    texts = re.findall(rb'"taken":(\d+),"not_taken":(\d+),"prediction_rate":([^,}]*)', RAW[0])
    eq(len(texts), len(p["branches"]), "rates found in the text")
    bad = []
    for t, n, text in texts:
        t, n = int(t), int(n)
        d = float(max(t, n)) / float(t + n) if t + n else 0.0
        if text.decode() != cjson_number(d):
            bad.append((t, n, text.decode(), cjson_number(d)))
    eq(bad[:5], [], "prediction_rate texts (taken, not_taken, written, cJSON's)")


def check_trampoline(p, args):
    if args[0] == "ok 0":
        return  # not x86-64: nothing was called
    sample = next(int(v[len("CPROF_SAMPLE_CALLS="):]) for v in args[1:] + ["CPROF_SAMPLE_CALLS=1"]
                  if v.startswith("CPROF_SAMPLE_CALLS="))
    for name in ("tramp_tramp", "tramp_call", "call_tramp"):
        f = fn(p, name)
        eq(f["calls"], 4, name + " calls")
        eq(f["timed_calls"], (4 + sample - 1) // sample, name + " timed calls")
        eq(f["unwound_calls"], 0, name + " unwound calls")


def check_chunks(p, args):
    # args[0]: "mid" for the cprof_dump() profile, "final" for the one written at exit
    final = args[0] == "final"
    f5, f300, f511, main = fn(p, "f5"), fn(p, "f300"), fn(p, "f511"), fn(p, "main")
    eq((f5["calls"], f5["timed_calls"]), (10, 10), "f5: 3 in a finished thread, 7 in main's")
    n300 = 15 if final else 10
    eq((f300["calls"], f300["timed_calls"], f300["unwound_calls"]), (n300, n300, 0), "f300")
    eq((f511["calls"], f511["timed_calls"]), (1, 1), "f511")
    eq((main["calls"], main["timed_calls"], main["unwound_calls"]), (1, 1, 1), "main, open")
    for f in (f5, f300, f511):
        expect(0 < f["total_time_ns"] <= main["total_time_ns"], f["name"] + " within main")
        eq(sum(b["count"] for b in f["latency"]["histogram"]), f["timed_calls"],
           f["name"] + " histogram")
    idle = [g for g in p["functions"] if g["name"] not in ("f5", "f300", "f511", "main")]
    eq(len(idle), 596, "the other functions")
    expect(all(g["calls"] == 0 and g["timed_calls"] == 0 for g in idle), "the others idle")


RAW = [b""]


def main():
    schema, name, path, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    # Bytes that are not UTF-8 (a name's, copied as cJSON does) decode to lone surrogates.
    with open(path, "rb") as f:
        RAW[0] = f.read()
    p = json.loads(RAW[0].decode("utf-8", "surrogateescape"))
    validate(p, schema)
    globals()["check_" + name](p, args)
    if FAILURES:
        for m in FAILURES:
            print(f"FAIL {path}: {m}")
        sys.exit(1)
    print(f"ok {name} {path}")


if __name__ == "__main__":
    main()
