/* cprof.h: control the cprof profiler from instrumented programs (link with -lcprofrt). */
#ifndef CPROF_H
#define CPROF_H

#ifdef __cplusplus
extern "C" {
#endif

/* Profiling is armed at start-up by the environment: CPROF=1 turns it on, the profile goes
 * to CPROF_OUTPUT (default "profile.json", "%p" expands to the pid) at exit. Without
 * CPROF=1 the calls below do nothing and return -1 where they can fail. */

/* Resumes recording after cprof_disable(). Returns 0, or -1 when CPROF=1 was not set.
 * Like cprof_disable, it takes effect where plain code enters instrumented code by a function's
 * own test: a call through a pointer or from uninstrumented code, a new thread, or a direct
 * call of a non-static function; calls the running code makes directly keep its mode. */
int cprof_enable(void);

/* Pauses recording: functions entered from now on through a pointer, from uninstrumented code
 * or in a new thread are neither counted nor timed; instrumented code already running keeps
 * recording what it calls directly until it returns (the clones call each other). Regions stop
 * at once; memory statistics are not affected (with CPROF_SAMPLE=N the heap is sampled with the
 * calls: a block is counted only when its thread records). With CPROF_SAMPLE=N it holds recording
 * off through the bursts until cprof_enable(). Returns 0. */
int cprof_disable(void);

/* Returns 1 while recording, 0 otherwise; with CPROF_SAMPLE=N, 1 unless cprof_disable() holds
 * (recording itself is then on only in bursts). */
int cprof_is_enabled(void);

/* Writes the profile gathered so far to path ("%p" expands to the pid; NULL: the configured
 * output) without stopping the program or the exit-time profile. Returns 0, or -1 (a one-line
 * "cprof: " diagnostic is printed when writing fails; -1 silently when CPROF=1 was not set). */
int cprof_dump(const char *path);

/* Discards everything recorded so far in every thread: counts, timings, call-graph edges. */
void cprof_reset(void);

/* Named regions: a part of a function measured like a function of its own. In the profile a
 * region is in functions[] with "kind": "region", its exact count of entries (while recording),
 * its timing, and call-graph edges from the enclosing function or region and to what it calls.
 *
 *     void parse_all (void) {
 *       CPROF_REGION ("parse");       // from here to the end of the scope
 *       ...
 *     }
 *
 * cprof_region_begin returns a handle for cprof_region_end, or -1 when nothing is recorded
 * (CPROF=1 not set, profiling disabled, more than 1024 distinct regions); cprof_region_end(-1)
 * does nothing. Ending a region closes what was entered inside it and is still open (as if
 * unwound); ending a region that is not open does nothing. A region still open when its
 * function returns is closed then. CPROF_REGION, at most one per line, is looked up once per
 * use site; cprof_region_begin looks the name up at every call. */
int cprof_region_begin(const char *name);
void cprof_region_end(int handle);

/* For CPROF_REGION: *slot caches the region of (name, file, line); returns the handle. */
int cprof_region_enter(int *slot, const char *name, const char *file, int line);

static inline void cprof__region_cleanup(int *handle) { cprof_region_end(*handle); }

#define CPROF__CAT2(a, b) a##b
#define CPROF__CAT(a, b) CPROF__CAT2(a, b)
#define CPROF_REGION(name)                                                                    \
  static int CPROF__CAT(cprof__slot_, __LINE__) = -1;                                        \
  __attribute__((cleanup(cprof__region_cleanup), unused)) int CPROF__CAT(cprof__region_,     \
                                                                         __LINE__) =         \
      cprof_region_enter(&CPROF__CAT(cprof__slot_, __LINE__), (name), __FILE__, __LINE__)

#ifdef __cplusplus
}
#endif

#endif /* CPROF_H */
