/* stats.h: sample statistics for comparing runs: mean, 95% confidence interval, Welch's t-test. */
#ifndef CPROF_ANALYZE_STATS_H
#define CPROF_ANALYZE_STATS_H

#include <stddef.h>

/* The regularized incomplete beta function I_x(a, b) for a, b > 0 and x in [0, 1] (continued
 * fraction, as in Numerical Recipes' betai/betacf and Cephes' incbet). NaN for arguments outside. */
double stats_incbeta(double a, double b, double x);

/* P(T <= t) for Student's t distribution with df > 0 degrees of freedom (df need not be whole). */
double stats_t_cdf(double t, double df);

/* The quantile q in (0, 1) of Student's t with df degrees of freedom (bisection on stats_t_cdf). */
double stats_t_quantile(double q, double df);

typedef struct {
    size_t n;
    double mean, sd;     /* sd: sample standard deviation (n - 1), 0 when n < 2 */
    double ci_low, ci_high; /* 95% confidence interval of the mean (t-based); the mean when n < 2 */
} stats_summary;

/* Mean, standard deviation and 95% confidence interval of the n values at x. */
void stats_summarize(const double *x, size_t n, stats_summary *s);

typedef struct {
    double t, df, p; /* Welch's t statistic, Welch–Satterthwaite degrees of freedom, two-sided p */
    int significant; /* p < alpha */
} stats_welch;

/* Welch's unequal-variance t-test of a against b (each needs n >= 2). When both samples have zero
 * variance the means are compared exactly: equal means give p = 1, different ones p = 0. */
void stats_welch_test(const stats_summary *a, const stats_summary *b, double alpha, stats_welch *w);

#endif
