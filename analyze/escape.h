/* escape.h: writing profile strings safely into JSON, XML and line-based export formats. */
#ifndef CPROF_ANALYZE_ESCAPE_H
#define CPROF_ANALYZE_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Bytes taken by the valid UTF-8 sequence at s (1 for ASCII), or 0 when s starts an invalid one. */
size_t escape_utf8_len(const char *s);

/* s as a quoted JSON string; invalid UTF-8 bytes become '?'. */
void escape_json(FILE *out, const char *s);

/* s as XML character data (also safe inside a quoted attribute); control characters and invalid
 * UTF-8 bytes become '?'. At most max_chars characters, with ".." at the end when cut (0: no limit). */
void escape_xml(FILE *out, const char *s, size_t max_chars);

/* s on one line: control characters and invalid UTF-8 bytes become '?'. */
void escape_line(FILE *out, const char *s);

#endif
