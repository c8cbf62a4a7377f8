/* test-stats.c: the incomplete beta, Student's t CDF and quantile, and Welch's t-test against known values. */
#include <math.h>
#include <stdio.h>

#include "stats.h"

static int failed, checked;

static void near(double got, double want, double tol, const char *what)
{
    checked++;
    if (!(fabs(got - want) <= tol)) {
        printf("FAIL: %s: got %.15g, expected %.15g (tolerance %g)\n", what, got, want, tol);
        failed++;
    }
}

int main(void)
{
    /* I_x(a, b): closed forms and a binomial sum. */
    near(stats_incbeta(3, 3, 0.5), 0.5, 1e-12, "I_0.5(3,3)");
    near(stats_incbeta(1, 4, 0.2), 1 - pow(0.8, 4), 1e-12, "I_x(1,b) = 1-(1-x)^b");
    near(stats_incbeta(2.5, 1, 0.7), pow(0.7, 2.5), 1e-12, "I_x(a,1) = x^a");
    near(stats_incbeta(2, 3, 0.3), 0.3483, 1e-12, "I_0.3(2,3)"); /* sum_{j=2..4} C(4,j) .3^j .7^(4-j) */
    near(stats_incbeta(50, 60, 0.45), 1 - stats_incbeta(60, 50, 0.55), 1e-12, "symmetry");
    near(stats_incbeta(2, 3, 0), 0, 0, "I_0");
    near(stats_incbeta(2, 3, 1), 1, 0, "I_1");
    checked++;
    if (!isnan(stats_incbeta(-1, 2, 0.5)) || !isnan(stats_incbeta(1, 2, 1.5))) failed++, printf("FAIL: domain\n");

    /* Student's t: closed forms for 1 and 2 degrees of freedom, table values for others. */
    for (double t = -4; t <= 4; t += 0.5) {
        near(stats_t_cdf(t, 1), 0.5 + atan(t) / M_PI, 1e-12, "t CDF df=1 (Cauchy)");
        near(stats_t_cdf(t, 2), 0.5 + t / (2 * sqrt(2 + t * t)), 1e-12, "t CDF df=2");
    }
    near(stats_t_cdf(2.228138851986, 10), 0.975, 1e-9, "t CDF df=10 at the 97.5% point");
    near(stats_t_cdf(2.570581835636, 5), 0.975, 1e-9, "t CDF df=5 at the 97.5% point");
    near(stats_t_cdf(2.749995653567, 30), 0.995, 1e-9, "t CDF df=30 at the 99.5% point");
    near(stats_t_cdf(-1.812461122811, 10), 0.05, 1e-9, "t CDF df=10 at the 5% point");
    near(stats_t_cdf(1.959963984540, 1e7), 0.975, 1e-6, "t CDF large df is normal");
    near(stats_t_cdf(0, 7), 0.5, 1e-15, "t CDF at 0");

    near(stats_t_quantile(0.975, 10), 2.228138851986, 1e-9, "t quantile 0.975 df=10");
    near(stats_t_quantile(0.975, 2), 4.302652729911, 1e-9, "t quantile 0.975 df=2");
    near(stats_t_quantile(0.975, 1), 12.706204736175, 1e-8, "t quantile 0.975 df=1");
    near(stats_t_quantile(0.025, 4), -2.776445105198, 1e-9, "t quantile 0.025 df=4");

    /* Mean and confidence interval: 2, 4, 6 has mean 4, sd 2, half-width t(0.975, 2) * 2 / sqrt(3). */
    double x[] = {2, 4, 6};
    stats_summary s;
    stats_summarize(x, 3, &s);
    near(s.mean, 4, 1e-12, "mean");
    near(s.sd, 2, 1e-12, "sd");
    near(s.ci_high - s.mean, 4.302652729911 * 2 / sqrt(3), 1e-8, "95% CI half-width");

    /* Welch: a = 1..5 (mean 3, var 2.5), b = 3..9 (mean 6, var 4.6667). t = -3 / sqrt(0.5 + 0.6667),
     * df = (0.5 + 0.6667)^2 / (0.5^2/4 + 0.6667^2/6). */
    double a[] = {1, 2, 3, 4, 5}, b[] = {3, 4, 5, 6, 7, 8, 9};
    stats_summary sa, sb;
    stats_welch w;
    stats_summarize(a, 5, &sa);
    stats_summarize(b, 7, &sb);
    stats_welch_test(&sa, &sb, 0.05, &w);
    double va = 2.5 / 5, vb = (28.0 / 6) / 7;
    near(w.t, -3 / sqrt(va + vb), 1e-12, "Welch t");
    near(w.df, (va + vb) * (va + vb) / (va * va / 4 + vb * vb / 6), 1e-9, "Welch df");
    near(w.p, 2 * stats_t_cdf(w.t, w.df), 1e-12, "Welch p is two-sided");
    checked++;
    if (!w.significant || !(w.p > 0.005 && w.p < 0.02)) failed++, printf("FAIL: Welch p = %g\n", w.p);

    /* Identical constant samples: not significant; different constant samples: significant. */
    double c1[] = {5, 5, 5}, c2[] = {7, 7, 7};
    stats_summary s1, s2;
    stats_summarize(c1, 3, &s1);
    stats_summarize(c2, 3, &s2);
    stats_welch_test(&s1, &s1, 0.05, &w);
    checked++;
    if (w.significant || w.p != 1) failed++, printf("FAIL: equal constants\n");
    stats_welch_test(&s1, &s2, 0.05, &w);
    checked++;
    if (!w.significant || w.p != 0) failed++, printf("FAIL: different constants\n");

    printf("stats: %d passed, %d failed\n", checked - failed, failed);
    return failed ? 1 : 0;
}
