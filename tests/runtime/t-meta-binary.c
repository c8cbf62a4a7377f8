/* t-meta-binary.c: metadata format 3 (binary) decodes to the records it encodes, solves its
 * graphs, and no truncated or corrupted copy of it crashes the parser or the solver.
 *
 * Built with runtime/rt-meta.c itself (and AddressSanitizer when the compiler has it): the
 * parser is called directly, on blobs encoded here the way plugin/metadata.cc encodes them.
 * Prints "meta-binary ok" and exits 0, or names the first failed check and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

static int failures;

#define CHECK(cond)                                                                             \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      fprintf(stderr, "t-meta-binary:%d: check failed: %s\n", __LINE__, #cond);                 \
      failures++;                                                                               \
    }                                                                                           \
  } while (0)

struct buf {
  unsigned char d[4096];
  size_t n;
};

static void put(struct buf *b, const void *p, size_t n) {
  if (b->n + n > sizeof b->d)
    abort();
  memcpy(b->d + b->n, p, n);
  b->n += n;
}

static void varint(struct buf *b, unsigned long v) {
  do {
    unsigned char c = (unsigned char)(v & 127);
    v >>= 7;
    if (v)
      c |= 128;
    put(b, &c, 1);
  } while (v);
}

/* A record: its letter, the length of its fields, the fields. */
static void record(struct buf *b, char kind, const struct buf *fields) {
  put(b, &kind, 1);
  varint(b, fields->n);
  put(b, fields->d, fields->n);
}

/* Fields from a list of numbers (strings are indexes too); -1 ends it. */
static struct buf fields(const long *v) {
  struct buf f = {{0}, 0};
  for (; *v >= 0; v++)
    varint(&f, (unsigned long)*v);
  return f;
}

enum { S_FILE, S_SRC, S_DIR, S_MAIN, S_WORK, S_FLAGS_NONE, S_FLAGS_STATIC, S_DEFAULT, S_ONE, NSTR };
static const char *const strings[NSTR] = {"a.c", "a.c", "/src", "main", "work", "-", "su",
                                          "default", "1"};

#define NCOUNTERS 12
#define NFUNCTIONS 2

/* The payload of the module of a.c: main (fn 0) calls work (fn 1, static, untimed) in a loop
   with a branch and a switch; work is counted on a spanning tree. */
static void payload(struct buf *p) {
  varint(p, NSTR);
  for (int i = 0; i < NSTR; i++) {
    varint(p, strlen(strings[i]));
    put(p, strings[i], strlen(strings[i]));
  }
  long counts[] = {1, 1, 1, 1, 1, -1}; /* L B S C G */
  struct buf f = fields(counts);
  put(p, f.d, f.n);
  long m[] = {S_SRC, S_DIR, -1};
  f = fields(m);
  record(p, 'M', &f);
  long fn0[] = {0, 0, S_FILE, 10, 5, S_MAIN, S_MAIN, S_FLAGS_NONE, -1};
  f = fields(fn0);
  record(p, 'F', &f);
  long fn0_again[] = {0, 1, S_FILE, 99, 1, S_WORK, S_WORK, S_FLAGS_NONE, -1}; /* duplicate id */
  f = fields(fn0_again);
  record(p, 'F', &f);
  long fn1[] = {1, 1, S_FILE, 3, 12, S_WORK, S_WORK, S_FLAGS_STATIC, -1};
  f = fields(fn1);
  record(p, 'F', &f);
  long fn9[] = {9, 1, S_FILE, 3, 12, S_WORK, S_WORK, S_FLAGS_NONE, -1}; /* fn >= F */
  f = fields(fn9);
  record(p, 'F', &f);
  long loop[] = {0, 2, 3, S_FILE, 11, 3, 1, -1};
  f = fields(loop);
  record(p, 'L', &f);
  long branch[] = {0, 4, 5, S_FILE, 12, 7, -1};
  f = fields(branch);
  record(p, 'B', &f);
  long sw[] = {0, S_FILE, 13, 5, 2, 6, S_ONE, 7, S_DEFAULT, -1};
  f = fields(sw);
  record(p, 'S', &f);
  long call[] = {0, 8, S_WORK, S_FLAGS_STATIC, S_FILE, 14, 9, -1};
  f = fields(call);
  record(p, 'C', &f);
  long unknown[] = {1, 2, 3, -1}; /* a later record type: skipped */
  f = fields(unknown);
  record(p, 'Z', &f);
  /* work's graph: ENTRY(0) -> 2 counted by counter 9 (targets: the entry counter 1);
     2 -> EXIT(1) uncounted, target 10; EXIT -> ENTRY neither (merged) */
  long graph[] = {1, 3, 3, 0, 2, 1, 9, 1, 1, 2, 1, 0, 1, 10, 1, 0, 0, 0, -1};
  f = fields(graph);
  record(p, 'G', &f);
}

/* "cprof-metadata\t3\n", the payload's size, the payload, a NUL. */
static size_t blob(unsigned char *out, const struct buf *p, size_t len) {
  struct buf b = {{0}, 0};
  put(&b, "cprof-metadata\t3\n", 17);
  varint(&b, len);
  put(&b, p->d, len);
  put(&b, "", 1);
  memcpy(out, b.d, b.n);
  return b.n;
}

/* ngraphs: 1 as parsed, 0 once rt_meta_free_graphs freed them */
static void check_decoded(const struct rt_meta *m, size_t ngraphs) {
  CHECK(strcmp(m->source, "a.c") == 0 && strcmp(m->directory, "/src") == 0);
  CHECK(m->fns[0].present && strcmp(m->fns[0].name, "main") == 0 && m->fns[0].line == 10 &&
        m->fns[0].column == 5 && m->fns[0].entry == 0 && !m->fns[0].is_static);
  CHECK(m->fns[1].present && strcmp(m->fns[1].linkage, "work") == 0 && m->fns[1].is_static &&
        m->fns[1].untimed && strcmp(m->fns[1].file, "a.c") == 0);
  CHECK(m->nloops == 1 && m->loops[0].iterations == 2 && m->loops[0].entries == 3 &&
        m->loops[0].line == 11 && m->loops[0].depth == 1);
  CHECK(m->nbranches == 1 && m->branches[0].taken == 4 && m->branches[0].not_taken == 5 &&
        m->branches[0].column == 7);
  CHECK(m->nswitches == 1 && m->switches[0].ncases == 2 && m->switches[0].cases[0].counter == 6 &&
        strcmp(m->switches[0].cases[0].label, "1") == 0 &&
        strcmp(m->switches[0].cases[1].label, "default") == 0);
  CHECK(m->ncalls == 1 && m->calls[0].counter == 8 && strcmp(m->calls[0].callee, "work") == 0 &&
        m->calls[0].callee_static && m->calls[0].line == 14);
  CHECK(m->ngraphs == ngraphs);
  CHECK(!ngraphs || (m->graphs[0].fn == 1 && m->graphs[0].nvertices == 3 &&
                     m->graphs[0].nedges == 3));
}

int main(void) {
  struct buf p = {{0}, 0};
  payload(&p);
  static unsigned char b[8192];
  size_t n = blob(b, &p, p.n);

  /* the whole blob */
  struct rt_meta m;
  CHECK(rt_meta_size((const char *)b) == n);
  CHECK(rt_meta_parse((const char *)b, NCOUNTERS, NFUNCTIONS, &m) == 0);
  check_decoded(&m, 1);
  uint64_t counters[NCOUNTERS] = {0};
  counters[9] = 7; /* work's counted edge ran 7 times */
  CHECK(rt_meta_solve(&m, counters, NCOUNTERS) == 0);
  CHECK(counters[1] == 7 && counters[10] == 7);
  /* the writer frees a module's graphs once solved: the rest, strings too, stays readable */
  rt_meta_free_graphs(&m);
  CHECK(m.ngraphs == 0 && m.graphs == NULL && m.graph_arena == NULL);
  check_decoded(&m, 0);
  rt_meta_free(&m);

  /* a counter index out of range: the graph is dropped, the rest stays */
  struct buf q = p;
  for (size_t i = q.n; i-- > 0;)
    if (q.d[i] == 'G') { /* the last record: G <len> 1 3 3 0 2 1 9 ... */
      CHECK(q.d[i + 8] == 9);
      q.d[i + 8] = NCOUNTERS;
      break;
    }
  blob(b, &q, q.n);
  CHECK(rt_meta_parse((const char *)b, NCOUNTERS, NFUNCTIONS, &m) == 0);
  CHECK(m.ngraphs == 0 && m.nloops == 1 && m.fns[1].present);
  rt_meta_free(&m);

  /* an older runtime's view: format 3 is not 1 or 2, so a text parser reads nothing; this one
     reads a format-3 header without payload as empty */
  CHECK(rt_meta_parse("cprof-metadata\t3\n", NCOUNTERS, NFUNCTIONS, &m) == 0);
  CHECK(!m.fns[0].present && m.nloops == 0);
  rt_meta_free(&m);
  CHECK(rt_meta_no_timing("cprof-metadata\t3\tno-timing\n\x01\x00"));

  /* every truncation: whatever decodes is consistent, nothing crashes */
  for (size_t len = 0; len < p.n; len++) {
    blob(b, &p, len);
    if (rt_meta_parse((const char *)b, NCOUNTERS, NFUNCTIONS, &m) == 0) {
      uint64_t c[NCOUNTERS] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
      rt_meta_solve(&m, c, NCOUNTERS);
      rt_meta_free(&m);
    } else {
      CHECK(!"parse failed on a truncated blob");
    }
  }
  /* every byte of the payload replaced by values that break varints, lengths and indexes */
  static const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
  for (size_t i = 0; i < p.n; i++)
    for (size_t v = 0; v <= sizeof values; v++) {
      struct buf c = p;
      c.d[i] = v < sizeof values ? values[v] : (unsigned char)(p.d[i] ^ 1);
      blob(b, &c, c.n);
      if (rt_meta_parse((const char *)b, NCOUNTERS, NFUNCTIONS, &m) == 0) {
        uint64_t k[NCOUNTERS] = {0};
        k[9] = 3;
        rt_meta_solve(&m, k, NCOUNTERS);
        for (size_t f = 0; f < NFUNCTIONS; f++)
          CHECK(!m.fns[f].present || (m.fns[f].name && m.fns[f].file && m.fns[f].linkage));
        rt_meta_free(&m);
      } else {
        CHECK(!"parse failed on a corrupted blob");
      }
    }
  if (failures)
    return 1;
  printf("meta-binary ok\n");
  return 0;
}
