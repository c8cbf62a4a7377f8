/* util.c: text formatting for the report: human units, percentages, times, padded safe cells. */
#include "util.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void util_out_init(util_out *o, FILE *out, size_t top, bool colour)
{
    o->out = out;
    o->top = top;
    o->bold = colour ? "\033[1m" : "";
    o->dim = colour ? "\033[2m" : "";
    o->head = colour ? "\033[1;36m" : "";
    o->warn = colour ? "\033[33m" : "";
    o->reset = colour ? "\033[0m" : "";
}

const char *util_duration(char buf[UTIL_CELL], uint64_t ns)
{
    static const char *const units[] = {"µs", "ms", "s"};
    if (ns < 1000) {
        snprintf(buf, UTIL_CELL, "%" PRIu64 " ns", ns);
        return buf;
    }
    double v = (double)ns / 1000;
    size_t u = 0;
    /* Promote before rounding could print "1000 µs". */
    while (u + 1 < sizeof units / sizeof *units && v >= 999.5) v /= 1000, u++;
    int decimals = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;
    snprintf(buf, UTIL_CELL, "%.*f %s", decimals, v, units[u]);
    return buf;
}

const char *util_count(char buf[UTIL_CELL], uint64_t n)
{
    snprintf(buf, UTIL_CELL, "%" PRIu64, n);
    return buf;
}

uint64_t util_u64(double v)
{
    if (!(v > 0)) return 0;
    if (v >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)v;
}

const char *util_bytes(char buf[UTIL_CELL], uint64_t n)
{
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) snprintf(buf, UTIL_CELL, "%" PRIu64 " B", n);
    else snprintf(buf, UTIL_CELL, "%.1f %s", v, unit[u]);
    return buf;
}

const char *util_share(char buf[UTIL_CELL], double part, double whole)
{
    if (!(whole > 0)) {
        snprintf(buf, UTIL_CELL, "-");
        return buf;
    }
    double pct = 100.0 * part / whole;
    if (pct > 0 && pct < 0.005) snprintf(buf, UTIL_CELL, "<0.01%%");
    else if (pct < 9.995) snprintf(buf, UTIL_CELL, "%.2f%%", pct);
    else snprintf(buf, UTIL_CELL, "%.1f%%", pct);
    return buf;
}

const char *util_iso8601(char buf[UTIL_CELL], uint64_t seconds)
{
    struct tm tm;
    time_t t = (time_t)seconds;
    /* Years past 9999 would not be ISO-8601 basic form; 253402300799 is 9999-12-31T23:59:59Z. */
    if (seconds > 253402300799u || (uint64_t)t != seconds || gmtime_r(&t, &tm) == NULL ||
        strftime(buf, UTIL_CELL, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, UTIL_CELL, "%" PRIu64, seconds);
    return buf;
}

const char *util_location(char *buf, size_t len, const char *location, const char *file, uint64_t line)
{
    if (*location != '\0') snprintf(buf, len, "%s", location);
    else if (*file != '\0') snprintf(buf, len, "%s:%" PRIu64, file, line);
    else snprintf(buf, len, "?");
    return buf;
}

size_t util_width(const char *s)
{
    size_t w = 0;
    for (; *s != '\0'; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

void util_put(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        putc(c < 0x20 || c == 0x7f ? '?' : c, out);
    }
}

void util_cell(FILE *out, const char *s, int width)
{
    size_t want = (size_t)(width < 0 ? -(long)width : width), have = util_width(s);
    size_t pad = want > have ? want - have : 0;
    if (width > 0) fprintf(out, "%*s", (int)pad, "");
    util_put(out, s);
    if (width < 0) fprintf(out, "%*s", (int)pad, "");
}

const char *util_plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}
