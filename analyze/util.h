/* util.h: text formatting for the report: human units, percentages, times, padded safe cells. */
#ifndef CPROF_ANALYZE_UTIL_H
#define CPROF_ANALYZE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where and how the report is written. The SGR strings are "" when colour is off. */
typedef struct {
    FILE *out;
    size_t top;                              /* every list shows at most this many rows */
    const char *bold, *dim, *head, *warn, *reset;
} util_out;

/* Initialises o for writing to out; colour selects ANSI escapes. */
void util_out_init(util_out *o, FILE *out, size_t top, bool colour);

enum { UTIL_CELL = 32 }; /* enough for every formatted number below */

/* ns in human units with three significant digits: "28 ns", "5.00 µs", "12.3 ms", "1.23 s". */
const char *util_duration(char buf[UTIL_CELL], uint64_t ns);

/* A count in plain digits. */
const char *util_count(char buf[UTIL_CELL], uint64_t n);

/* A JSON number as a count: negative, NaN and fractions below 1 give 0, values past the
 * range of uint64_t give UINT64_MAX (a cast would be undefined). */
uint64_t util_u64(double v);

/* Bytes in binary units with one decimal: "512 B", "1.5 MiB". */
const char *util_bytes(char buf[UTIL_CELL], uint64_t n);

/* part/whole as a percentage: "50.0%", "0.35%", "<0.01%"; "-" when whole is 0. */
const char *util_share(char buf[UTIL_CELL], double part, double whole);

/* A UNIX time as ISO-8601 UTC ("2025-11-22T04:40:00Z"), or the plain number if out of range. */
const char *util_iso8601(char buf[UTIL_CELL], uint64_t seconds);

/* "file:line" for a site: location when given, else built from file and line, else "?". */
const char *util_location(char *buf, size_t len, const char *location, const char *file, uint64_t line);

/* Columns on screen taken by the UTF-8 string s (continuation bytes take none). */
size_t util_width(const char *s);

/* Writes s with control characters replaced by '?', so profile text cannot drive the terminal. */
void util_put(FILE *out, const char *s);

/* Writes s padded to width columns: right-aligned for width > 0, left-aligned for width < 0. */
void util_cell(FILE *out, const char *s, int width);

/* "s" unless n == 1, for "1 call" / "2 calls". */
const char *util_plural(uint64_t n);

#endif
