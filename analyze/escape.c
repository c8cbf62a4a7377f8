/* escape.c: writing profile strings safely into JSON, XML and line-based export formats. */
#include "escape.h"

size_t escape_utf8_len(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    unsigned long cp;
    if (u[0] < 0x80) return 1;
    if (u[0] >= 0xc2 && u[0] <= 0xdf) n = 2, cp = u[0] & 0x1f;
    else if (u[0] >= 0xe0 && u[0] <= 0xef) n = 3, cp = u[0] & 0x0f;
    else if (u[0] >= 0xf0 && u[0] <= 0xf4) n = 4, cp = u[0] & 0x07;
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (u[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

void escape_json(FILE *out, const char *s)
{
    fputc('"', out);
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t n = escape_utf8_len(s);
        if (n == 0) {
            fputc('?', out);
            s++;
            continue;
        }
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7f) fprintf(out, "\\u%04x", c);
        else fwrite(s, 1, n, out);
        s += n;
    }
    fputc('"', out);
}

void escape_xml(FILE *out, const char *s, size_t max_chars)
{
    size_t chars = 0;
    for (const char *t = s; *t; chars++) {
        size_t n = escape_utf8_len(t);
        t += n ? n : 1;
    }
    size_t keep = max_chars == 0 || chars <= max_chars ? chars : max_chars > 2 ? max_chars - 2 : 0;
    for (size_t i = 0; i < keep && *s; i++) {
        unsigned char c = (unsigned char)*s;
        size_t n = escape_utf8_len(s);
        if (n == 0 || c < 0x20 || c == 0x7f) {
            fputc('?', out);
            s++;
            continue;
        }
        switch (c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&apos;", out); break;
        default: fwrite(s, 1, n, out);
        }
        s += n;
    }
    if (keep < chars) fputs("..", out);
}

void escape_line(FILE *out, const char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t n = escape_utf8_len(s);
        if (n == 0 || c < 0x20 || c == 0x7f) {
            fputc('?', out);
            s++;
        } else {
            fwrite(s, 1, n, out);
            s += n;
        }
    }
}
