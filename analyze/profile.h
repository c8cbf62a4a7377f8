/* profile.h: the cprof JSON profile (doc/PROFILE-FORMAT.md, v1.x) loaded and checked into C structs. */
#ifndef CPROF_ANALYZE_PROFILE_H
#define CPROF_ANALYZE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "arena.h"

/* Every string below points into the parsed cJSON tree owned by the profile; it is never NULL
 * ("" when the field was absent). Every count and time is a non-negative integer (nanoseconds for
 * times). Optional scalar fields that were absent read as 0 / "" / false; absent arrays are empty. */

typedef enum {
    PROFILE_TIMING_FULL,    /* every call was timed */
    PROFILE_TIMING_PARTIAL, /* some calls were inlined: counts exact, time only for timed calls */
    PROFILE_TIMING_NONE,    /* ran, but inlined everywhere: its time belongs to its callers */
    PROFILE_TIMING_NOT_RUN  /* calls == 0 */
} profile_timing;

typedef struct {
    uint64_t id;
    const char *name, *linkage_name, *file;
    uint64_t line, column, module;
    bool is_static;
    uint64_t calls, timed_calls, inlined_calls;
    profile_timing timing;
    bool untimed_leaf; /* "timing": "skipped": built without hooks (skip-leaves); timing is NONE */
    bool adaptive;     /* "timing": "adaptive": CPROF_MIN_TIME stopped timing it; timing is PARTIAL */
    uint64_t total_ns, self_ns, avg_ns, min_ns, max_ns, unwound_calls;
    /* "memory" (format 1.1, only for functions that allocated): blocks requested while the
     * function was the innermost timed frame. has_memory false: all zero. */
    bool has_memory;
    uint64_t allocations, reallocations, frees, allocated_bytes, freed_bytes, live_bytes;
} profile_function;

typedef struct {
    const char *caller, *callee; /* names as written in the edge (may be "" if only ids were given) */
    long caller_index, callee_index; /* index into profile.functions, -1 when unresolved */
    uint64_t calls, total_ns;
    bool indirect;
} profile_edge;

typedef struct {
    const char *location, *file, *function;
    uint64_t line, column, depth, iterations, entries;
    long function_index; /* into profile.functions: by "function_id", else by unique name; -1 if neither */
} profile_loop;

typedef struct {
    const char *location, *file, *function;
    uint64_t line, column, taken, not_taken;
    double prediction_rate; /* max(taken, not_taken) / (taken + not_taken), recomputed; 0 if never ran */
} profile_branch;

typedef struct {
    const char *label;
    uint64_t count;
} profile_case;

typedef struct {
    const char *location, *file, *function;
    uint64_t line, column, total; /* total is the sum of case counts, recomputed */
    profile_case *cases;
    size_t ncases;
} profile_switch;

typedef struct {
    uint64_t id, tid;
    const char *name;
    bool is_main;
    uint64_t timed_calls, max_depth, unwound_frames, runtime_ns;
} profile_thread;

typedef struct {
    uint64_t total_runtime_ns, timed_calls, hook_cost_ns, overhead_estimate_ns;
    double overhead_estimate_percent;
    uint64_t modules, threads, unwound_frames, dropped_frames;
    bool has_runtime, has_overhead; /* total_runtime_ns / overhead fields were present */
    /* statistics.bursts (CPROF_SAMPLE=N): burst_rate 0 when the profile records the whole run */
    uint64_t burst_rate, burst_count, burst_recorded_ns;
} profile_statistics;

typedef struct {
    cJSON *root; /* read-only: its nodes live in json_mem, never cJSON_Delete or detach them */
    arena json_mem;
    const char *version, *tool, *binary, *command_line, *clock;
    uint64_t timestamp, pid;
    bool has_timestamp, has_pid;
    profile_statistics stats;
    profile_function *functions; size_t nfunctions;
    profile_edge *edges;         size_t nedges;
    profile_loop *loops;         size_t nloops;
    profile_branch *branches;    size_t nbranches;
    profile_switch *switches;    size_t nswitches;
    profile_thread *threads;     size_t nthreads;
} profile;

/* Reads and checks the profile at path. Returns 0 and fills *p (release with profile_free), or -1
 * with a one-line description of the first problem in err (the path is not part of it). */
int profile_load(const char *path, profile *p, char *err, size_t errlen);

/* As profile_load, from the len bytes at text (need not be NUL-terminated). */
int profile_parse(const char *text, size_t len, profile *p, char *err, size_t errlen);

/* Releases everything profile_load/profile_parse allocated; *p becomes empty. NULL-safe. */
void profile_free(profile *p);

/* The JSON spelling of a timing value ("full", "partial", "none", "not_run"). */
const char *profile_timing_name(profile_timing t);

#endif
