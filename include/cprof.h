/* cprof.h: control the cprof profiler from instrumented programs (link with -lcprofrt). */
#ifndef CPROF_H
#define CPROF_H

#ifdef __cplusplus
extern "C" {
#endif

/* Profiling is armed at start-up by the environment: CPROF=1 turns it on, the profile goes
 * to CPROF_OUTPUT (default "profile.json", "%p" expands to the pid) at exit. Without
 * CPROF=1 the calls below do nothing and return -1 where they can fail. */

/* Resumes recording after cprof_disable(). Returns 0, or -1 when CPROF=1 was not set. */
int cprof_enable(void);

/* Pauses recording: functions entered from now on are neither counted nor timed.
 * Returns 0. */
int cprof_disable(void);

/* Returns 1 while recording, 0 otherwise. */
int cprof_is_enabled(void);

/* Writes the profile gathered so far to path ("%p" expands to the pid; NULL: the configured
 * output) without stopping the program or the exit-time profile. Returns 0, or -1 (a one-line
 * "cprof: " diagnostic is printed when writing fails; -1 silently when CPROF=1 was not set). */
int cprof_dump(const char *path);

/* Discards everything recorded so far in every thread: counts, timings, call-graph edges. */
void cprof_reset(void);

#ifdef __cplusplus
}
#endif

#endif /* CPROF_H */
