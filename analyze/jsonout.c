/* jsonout.c: streams a cJSON tree in cJSON_Print's layout: no text buffer of the whole document. */
#define _GNU_SOURCE /* fputs_unlocked */
#include "jsonout.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* cJSON 1.7's print_number: integers that fit valueint with %d, else %1.15g when it reads back
 * within DBL_EPSILON (relative) of the double, else %1.17g; NaN and infinities as null. */
static void put_number(FILE *out, const cJSON *item)
{
    double d = item->valuedouble;
    char buf[32];
    if (isnan(d) || isinf(d)) {
        fputs_unlocked("null", out);
        return;
    }
    /* Integers below 1e15 print the same with %d and %1.15g as their digits: the common case,
     * written by hand (printf's number formatting was most of the time of --json). */
    if (d == (double)item->valueint || (d == floor(d) && fabs(d) < 1e15)) {
        long long v = d == (double)item->valueint ? item->valueint : (long long)d;
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        char *p = buf + sizeof buf;
        *--p = '\0';
        do *--p = (char)('0' + u % 10); while ((u /= 10) > 0);
        if (v < 0) *--p = '-';
        fputs_unlocked(p, out);
        return;
    }
    double back = 0;
    snprintf(buf, sizeof buf, "%1.15g", d);
    bool read = sscanf(buf, "%lg", &back) == 1;
    double most = fabs(back) > fabs(d) ? fabs(back) : fabs(d);
    if (!read || !(fabs(back - d) <= most * DBL_EPSILON)) snprintf(buf, sizeof buf, "%1.17g", d);
    fputs_unlocked(buf, out);
}

/* cJSON's print_string_ptr: ", \ and the C0 controls escaped, every other byte as is. */
static void put_string(FILE *out, const char *s)
{
    putc_unlocked('"', out);
    for (const unsigned char *c = (const unsigned char *)(s != NULL ? s : ""); *c != '\0'; c++) {
        switch (*c) {
        case '"': fputs_unlocked("\\\"", out); break;
        case '\\': fputs_unlocked("\\\\", out); break;
        case '\b': fputs_unlocked("\\b", out); break;
        case '\f': fputs_unlocked("\\f", out); break;
        case '\n': fputs_unlocked("\\n", out); break;
        case '\r': fputs_unlocked("\\r", out); break;
        case '\t': fputs_unlocked("\\t", out); break;
        default:
            if (*c < 32) fprintf(out, "\\u%04x", *c);
            else putc_unlocked(*c, out);
        }
    }
    putc_unlocked('"', out);
}

static void put_tabs(FILE *out, size_t n)
{
    while (n-- > 0) putc_unlocked('\t', out);
}

/* depth: the nesting depth of item's container (0 at the top), as cJSON counts it. */
static void put_value(FILE *out, const cJSON *item, size_t depth)
{
    const cJSON *c;
    switch (item->type & 0xff) {
    case cJSON_NULL: fputs_unlocked("null", out); break;
    case cJSON_False: fputs_unlocked("false", out); break;
    case cJSON_True: fputs_unlocked("true", out); break;
    case cJSON_Number: put_number(out, item); break;
    case cJSON_Raw: fputs_unlocked(item->valuestring != NULL ? item->valuestring : "", out); break;
    case cJSON_String: put_string(out, item->valuestring); break;
    case cJSON_Array:
        putc_unlocked('[', out);
        for (c = item->child; c != NULL; c = c->next) {
            put_value(out, c, depth + 1);
            if (c->next != NULL) fputs_unlocked(", ", out);
        }
        putc_unlocked(']', out);
        break;
    case cJSON_Object:
        fputs_unlocked("{\n", out);
        for (c = item->child; c != NULL; c = c->next) {
            put_tabs(out, depth + 1);
            put_string(out, c->string);
            fputs_unlocked(":\t", out);
            put_value(out, c, depth + 1);
            fputs_unlocked(c->next != NULL ? ",\n" : "\n", out);
        }
        put_tabs(out, depth);
        putc_unlocked('}', out);
        break;
    default: break;
    }
}

void jsonout_print(FILE *out, const cJSON *item)
{
    flockfile(out); /* then the unlocked stdio calls: one lock instead of one per byte */
    if (item != NULL) put_value(out, item, 0);
    funlockfile(out);
}
