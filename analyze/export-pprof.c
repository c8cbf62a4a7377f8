/* export-pprof.c: the stacks as a gzip-compressed pprof profile.proto, encoded by hand. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "export.h"
#include "stacks.h"

/* A growing byte buffer; oom is set (and further writes ignored) when memory ran out. */
typedef struct {
    unsigned char *d;
    size_t n, cap;
    bool oom;
} pbuf;

static void put_bytes(pbuf *b, const void *data, size_t len)
{
    if (b->oom) return;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + len) cap *= 2;
        unsigned char *d = realloc(b->d, cap);
        if (d == NULL) {
            b->oom = true;
            return;
        }
        b->d = d;
        b->cap = cap;
    }
    if (len > 0) memcpy(b->d + b->n, data, len);
    b->n += len;
}

static void put_varint(pbuf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
        v >>= 7;
    } while (v != 0);
    put_bytes(b, tmp, n);
}

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* A varint field (int64 values are written as their two's complement, as protobuf does). */
static void put_uint(pbuf *b, unsigned field, uint64_t v)
{
    put_varint(b, (uint64_t)field << 3 | WIRE_VARINT);
    put_varint(b, v);
}

/* A length-delimited field: a string, a packed array or an embedded message. */
static void put_len(pbuf *b, unsigned field, const void *data, size_t len)
{
    put_varint(b, (uint64_t)field << 3 | WIRE_LEN);
    put_varint(b, len);
    put_bytes(b, data, len);
}

static void put_sub(pbuf *b, unsigned field, pbuf *sub)
{
    if (sub->oom) b->oom = true;
    put_len(b, field, sub->d, sub->n);
    sub->n = 0;
}

/* profile.proto field numbers (github.com/google/pprof/proto/profile.proto). */
enum {
    P_SAMPLE_TYPE = 1, P_SAMPLE = 2, P_MAPPING = 3, P_LOCATION = 4, P_FUNCTION = 5, P_STRING = 6,
    P_TIME_NANOS = 9, P_DURATION_NANOS = 10, P_PERIOD_TYPE = 11, P_PERIOD = 12, P_COMMENT = 13,
    P_DEFAULT_SAMPLE_TYPE = 14,
    VT_TYPE = 1, VT_UNIT = 2,
    S_LOCATION_ID = 1, S_VALUE = 2,
    M_ID = 1, M_FILENAME = 5, M_HAS_FUNCTIONS = 7, M_HAS_FILENAMES = 8, M_HAS_LINE_NUMBERS = 9,
    L_ID = 1, L_MAPPING_ID = 2, L_LINE = 4,
    LN_FUNCTION_ID = 1, LN_LINE = 2,
    F_ID = 1, F_NAME = 2, F_SYSTEM_NAME = 3, F_FILENAME = 4, F_START_LINE = 5,
};

/* Fixed string-table entries; each function then adds its label, linkage name and file. */
enum { S_EMPTY, S_CALLS, S_COUNT, S_TIME, S_NANOSECONDS, S_BINARY, S_COMMENT, S_FIXED };

static uint64_t clamp63(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : v;
}

/* Encodes the uncompressed profile into b. Functions and locations have id fn + 1 (one location per
 * function, at its first line, in one mapping for the binary); one sample per call path with self
 * time or calls, locations leaf first, values [calls, time in ns]. Time is the default sample type. */
static void encode(const profile *p, const stacks *s, const bool *used, pbuf *b, pbuf *m, pbuf *m2)
{
    static const char *const fixed[S_FIXED] = {
        "", "calls", "count", "time", "nanoseconds", NULL,
        "cprof: stacks derived from the call graph (doc/PROFILE-FORMAT.md, cprof-analyze --pprof)"};
    size_t path[STACKS_MAX_DEPTH];

    /* sample_type, then samples. */
    put_uint(m, VT_TYPE, S_CALLS);
    put_uint(m, VT_UNIT, S_COUNT);
    put_sub(b, P_SAMPLE_TYPE, m);
    put_uint(m, VT_TYPE, S_TIME);
    put_uint(m, VT_UNIT, S_NANOSECONDS);
    put_sub(b, P_SAMPLE_TYPE, m);
    for (size_t i = 0; i < s->nnodes; i++) {
        const stacks_node *n = &s->nodes[i];
        path[n->depth] = n->fn;
        if (n->self_ns == 0 && n->calls == 0) continue;
        for (size_t d = n->depth + 1; d-- > 0;) put_varint(m2, path[d] + 1);
        put_sub(m, S_LOCATION_ID, m2);
        put_varint(m2, clamp63(n->calls));
        put_varint(m2, clamp63(n->self_ns));
        put_sub(m, S_VALUE, m2);
        put_sub(b, P_SAMPLE, m);
    }
    put_uint(m, M_ID, 1);
    put_uint(m, M_FILENAME, S_BINARY);
    put_uint(m, M_HAS_FUNCTIONS, 1);
    put_uint(m, M_HAS_FILENAMES, 1);
    put_uint(m, M_HAS_LINE_NUMBERS, 1);
    put_sub(b, P_MAPPING, m);
    for (size_t f = 0; f < p->nfunctions; f++) {
        if (!used[f]) continue;
        put_uint(m, L_ID, f + 1);
        put_uint(m, L_MAPPING_ID, 1);
        put_uint(m2, LN_FUNCTION_ID, f + 1);
        put_uint(m2, LN_LINE, clamp63(p->functions[f].line));
        put_sub(m, L_LINE, m2);
        put_sub(b, P_LOCATION, m);
    }
    /* Function f's strings are at S_FIXED + 3k .. S_FIXED + 3k + 2, k counting used functions. */
    size_t k = 0;
    for (size_t f = 0; f < p->nfunctions; f++) {
        if (!used[f]) continue;
        put_uint(m, F_ID, f + 1);
        put_uint(m, F_NAME, S_FIXED + 3 * k);
        put_uint(m, F_SYSTEM_NAME, S_FIXED + 3 * k + 1);
        put_uint(m, F_FILENAME, S_FIXED + 3 * k + 2);
        put_uint(m, F_START_LINE, clamp63(p->functions[f].line));
        put_sub(b, P_FUNCTION, m);
        k++;
    }
    for (size_t i = 0; i < S_FIXED; i++) {
        const char *str = i == S_BINARY ? p->binary : fixed[i];
        put_len(b, P_STRING, str, strlen(str));
    }
    for (size_t f = 0; f < p->nfunctions; f++) {
        const profile_function *fn = &p->functions[f];
        const char *sys = *fn->linkage_name ? fn->linkage_name : s->labels[f];
        if (!used[f]) continue;
        put_len(b, P_STRING, s->labels[f], strlen(s->labels[f]));
        put_len(b, P_STRING, sys, strlen(sys));
        put_len(b, P_STRING, fn->file, strlen(fn->file));
    }
    if (p->has_timestamp && p->timestamp <= (uint64_t)INT64_MAX / 1000000000u)
        put_uint(b, P_TIME_NANOS, p->timestamp * 1000000000u);
    if (p->stats.has_runtime) put_uint(b, P_DURATION_NANOS, clamp63(p->stats.total_runtime_ns));
    put_uint(m, VT_TYPE, S_TIME);
    put_uint(m, VT_UNIT, S_NANOSECONDS);
    put_sub(b, P_PERIOD_TYPE, m);
    put_uint(b, P_PERIOD, 1);
    put_uint(b, P_COMMENT, S_COMMENT);
    put_uint(b, P_DEFAULT_SAMPLE_TYPE, S_TIME);
}

/* gzip-compresses data onto out (no file name and no time stamp in the header: deterministic). */
static int gzip_to(FILE *out, const unsigned char *data, size_t len)
{
    z_stream z;
    unsigned char chunk[16384];
    int zr;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    z.next_in = (unsigned char *)data;
    do {
        size_t step = len > (size_t)UINT32_MAX ? UINT32_MAX : len;
        z.avail_in = (uInt)step;
        len -= step;
        do {
            z.next_out = chunk;
            z.avail_out = sizeof chunk;
            zr = deflate(&z, len == 0 ? Z_FINISH : Z_NO_FLUSH);
            fwrite(chunk, 1, sizeof chunk - z.avail_out, out);
        } while (z.avail_out == 0);
    } while (len > 0);
    deflateEnd(&z);
    return zr == Z_STREAM_END ? 0 : -1;
}

int export_pprof(const profile *p, FILE *out)
{
    stacks s;
    pbuf b = {0}, m = {0}, m2 = {0};
    bool *used;
    int rc = -1;
    if (stacks_build(p, &s) != 0) return -1;
    if ((used = calloc(p->nfunctions + 1, sizeof *used)) != NULL) {
        for (size_t i = 0; i < s.nnodes; i++) used[s.nodes[i].fn] = true;
        encode(p, &s, used, &b, &m, &m2);
        if (!b.oom && !m.oom && !m2.oom) rc = gzip_to(out, b.d, b.n);
    }
    free(used);
    free(b.d);
    free(m.d);
    free(m2.d);
    stacks_free(&s);
    return rc;
}
