/* stats.c: incomplete beta, Student's t CDF and quantile, confidence intervals, Welch's t-test. */
#include "stats.h"

#include <math.h>

/* Continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes 6.4, betacf). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-15;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps) break;
    }
    return h;
}

double stats_incbeta(double a, double b, double x)
{
    if (!(a > 0) || !(b > 0) || !(x >= 0) || !(x <= 1)) return NAN;
    if (x == 0) return 0;
    if (x == 1) return 1;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double bt = exp(lbt);
    /* The fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise. */
    if (x < (a + 1) / (a + b + 2)) return bt * betacf(a, b, x) / a;
    return 1 - bt * betacf(b, a, 1 - x) / b;
}

double stats_t_cdf(double t, double df)
{
    if (isnan(t) || !(df > 0)) return NAN;
    if (isinf(t)) return t > 0 ? 1 : 0;
    double tail = 0.5 * stats_incbeta(df / 2, 0.5, df / (df + t * t)); /* P(T > |t|) */
    return t >= 0 ? 1 - tail : tail;
}

double stats_t_quantile(double q, double df)
{
    if (!(q > 0) || !(q < 1) || !(df > 0)) return NAN;
    if (q == 0.5) return 0;
    if (q < 0.5) return -stats_t_quantile(1 - q, df);
    double lo = 0, hi = 1;
    while (stats_t_cdf(hi, df) < q && hi < 1e300) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-12 * (1 + hi); i++) {
        double mid = 0.5 * (lo + hi);
        if (stats_t_cdf(mid, df) < q) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

void stats_summarize(const double *x, size_t n, stats_summary *s)
{
    double sum = 0, ss = 0;
    s->n = n;
    for (size_t i = 0; i < n; i++) sum += x[i];
    s->mean = n > 0 ? sum / (double)n : 0;
    for (size_t i = 0; i < n; i++) ss += (x[i] - s->mean) * (x[i] - s->mean);
    s->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
    double half = n > 1 ? stats_t_quantile(0.975, (double)(n - 1)) * s->sd / sqrt((double)n) : 0;
    s->ci_low = s->mean - half;
    s->ci_high = s->mean + half;
}

/* Zero standard error: the samples are constant, so their means either agree or differ for sure. */
static void welch_exact(const stats_summary *a, const stats_summary *b, double alpha, stats_welch *w)
{
    w->df = (double)(a->n + b->n - 2);
    if (a->mean == b->mean) w->t = 0, w->p = 1;
    else w->t = a->mean > b->mean ? INFINITY : -INFINITY, w->p = 0;
    w->significant = w->p < alpha;
}

void stats_welch_test(const stats_summary *a, const stats_summary *b, double alpha, stats_welch *w)
{
    if (a->n < 2 || b->n < 2) {
        w->t = 0, w->df = 0, w->p = 1, w->significant = 0;
        return;
    }
    double va = a->sd * a->sd / (double)a->n, vb = b->sd * b->sd / (double)b->n, se2 = va + vb;
    if (!(se2 > 0)) {
        welch_exact(a, b, alpha, w);
        return;
    }
    w->t = (a->mean - b->mean) / sqrt(se2);
    if (!isfinite(w->t)) {
        welch_exact(a, b, alpha, w);
        return;
    }
    double den = va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1);
    w->df = den > 0 ? se2 * se2 / den : (double)(a->n + b->n - 2);
    w->p = stats_incbeta(w->df / 2, 0.5, w->df / (w->df + w->t * w->t));
    w->significant = w->p < alpha;
}
