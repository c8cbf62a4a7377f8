/* diff.h: `cprof-analyze diff`: two profiles, or two sets of runs, compared; exit 1 on a regression. */
#ifndef CPROF_ANALYZE_DIFF_H
#define CPROF_ANALYZE_DIFF_H

/* `cprof-analyze diff BASE.json NEW.json [--threshold PCT]` or
 * `cprof-analyze diff BASE1.json BASE2.json... --vs NEW1.json NEW2.json...`. Exit status 0 when
 * nothing regressed beyond the threshold, 1 when something did, 2 on bad input. */
int diff_main(int argc, char **argv);

#endif
