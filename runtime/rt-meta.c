/* rt-meta.c: the plugin's metadata, text or binary (doc/ABI.md), parsed; bad input is skipped. */
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

#define META_MAX_FIELDS 4096
#define META_GRAPH_FIELDS 5 /* G fn nvertices nedges <the edges, split by meta_graph> */

/* What ends a field: a tab, the end of the line or of the text. The text is never written to
   (it is the module's own, read-only), so a field is the run from its start to the next of
   these. */
static const unsigned char meta_stop[256] = {['\0'] = 1, ['\t'] = 1, ['\n'] = 1};

/* The decimal number at s, up to UINT32_MAX (leading zeros allowed), into *out, and where its
   digits end into *end; -1 when s does not start with a digit or the number is too large.
   Written out rather than strtoull, and inlined: a profile of SQLite parses about a million of
   them at exit. */
static inline __attribute__((always_inline)) int meta_u32_at(const char *s, uint32_t *out,
                                                             const char **end) {
  unsigned d = (unsigned char)*s - '0';
  if (d > 9)
    return -1;
  uint64_t v = d;
  while ((d = (unsigned char)*++s - '0') <= 9) {
    v = v * 10 + d;
    if (v > UINT32_MAX)
      return -1;
  }
  *out = (uint32_t)v;
  *end = s;
  return 0;
}

/* A field that is a decimal number up to UINT32_MAX and nothing else. */
static inline __attribute__((always_inline)) int meta_u32(const char *s, uint32_t *out) {
  const char *end;
  uint32_t v;
  if (!s || meta_u32_at(s, &v, &end) != 0 || !meta_stop[(unsigned char)*end])
    return -1;
  *out = v;
  return 0;
}

static inline uint32_t meta_counter(const char *s, uint32_t num_counters, int *ok) {
  uint32_t v;
  if (meta_u32(s, &v) != 0) {
    *ok = 0;
    return RT_NONE;
  }
  return v < num_counters ? v : RT_NONE;
}

/* ---- strings: copied out of the text into an arena, each distinct one once ---------------
   Consumers get NUL-terminated strings that live until rt_meta_free, and equal strings are the
   same pointer (a file's name is in nearly every record: the JSON writer then compares
   pointers). Only the string fields are copied: copying the whole text to cut it into fields
   was a fifth of the time to write SQLite's profile (3.7 MB, page-faulted in at exit). */
struct meta_block {
  struct meta_block *next;
  size_t used, cap;
  _Alignas(16) char data[];
};

/* The last field interned through it, and its copy: a record's file is usually the previous
   record's, and a callee the previous call's. */
struct meta_last {
  const char *src, *copy;
  size_t len;
};

struct meta_strings {
  struct rt_meta *m;  /* its arena holds the copies */
  const char **slots; /* open addressing, mask + 1 slots */
  uint32_t mask, n;
  struct meta_last file, name; /* for files, and for everything else */
};

/* n bytes aligned to align (a power of two <= 16) from the arena *arena (m->arena, or
   m->graph_arena), freed with it; NULL when memory ran out. */
static void *meta_arena_alloc(void **arena, size_t n, size_t align) {
  struct meta_block *b = *arena;
  if (b)
    b->used = (b->used + align - 1) & ~(align - 1);
  if (!b || b->used > b->cap || b->cap - b->used < n) {
    size_t cap = n > 65536 - sizeof *b ? n : 65536 - sizeof *b;
    if (!(b = malloc(sizeof *b + cap)))
      return NULL;
    b->next = *arena;
    b->used = 0;
    b->cap = cap;
    *arena = b;
  }
  char *p = b->data + b->used;
  b->used += n;
  return p;
}

/* Gives back the end of the arena's last allocation, from end on (end lies in it). */
static void meta_arena_trim(void **arena, const void *end) {
  struct meta_block *b = *arena;
  b->used = (size_t)((const char *)end - b->data);
}

static void meta_arena_free(void **arena) {
  for (struct meta_block *b = *arena, *next; b; b = next) {
    next = b->next;
    free(b);
  }
  *arena = NULL;
}

static uint32_t meta_hash(const char *s, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

/* The copy of the field [s, e); NULL when memory ran out. */
static const char *meta_str(struct meta_strings *st, struct meta_last *last, const char *s,
                            const char *e) {
  size_t n = (size_t)(e - s);
  if (n == last->len && last->copy && memcmp(s, last->src, n) == 0)
    return last->copy;
  if (2 * (st->n + 1) > st->mask + 1) {
    uint32_t cap = st->slots ? 2 * (st->mask + 1) : 256; /* grows: Lua has 31 small modules */
    const char **slots = calloc(cap, sizeof *slots);
    if (!slots)
      return NULL;
    for (uint32_t i = 0; st->slots && i <= st->mask; i++)
      if (st->slots[i]) {
        uint32_t h = meta_hash(st->slots[i], strlen(st->slots[i])) & (cap - 1);
        while (slots[h])
          h = (h + 1) & (cap - 1);
        slots[h] = st->slots[i];
      }
    free(st->slots);
    st->slots = slots;
    st->mask = cap - 1;
  }
  uint32_t h = meta_hash(s, n) & st->mask;
  for (const char *c; (c = st->slots[h]) != NULL; h = (h + 1) & st->mask)
    if (strncmp(c, s, n) == 0 && c[n] == '\0') { /* strncmp: c may be shorter */
      *last = (struct meta_last){s, c, n};
      return c;
    }
  char *c = meta_arena_alloc(&st->m->arena, n + 1, 1);
  if (!c)
    return NULL;
  memcpy(c, s, n);
  c[n] = '\0';
  st->slots[h] = c;
  st->n++;
  *last = (struct meta_last){s, c, n};
  return c;
}

/* Whether the field [s, e) holds the letter c (the flags fields). */
static int meta_has(const char *s, const char *e, char c) {
  return memchr(s, c, (size_t)(e - s)) != NULL;
}

/* Whether the field [s, e) is word. */
static int meta_is(const char *s, const char *e, const char *word) {
  size_t n = strlen(word);
  return (size_t)(e - s) == n && memcmp(s, word, n) == 0;
}

/* The arrays of records are allocated once, for as many lines as begin with their letter (a
   first pass counts them): growing them by doubling copied and page-faulted SQLite's several
   times. They still grow if a count was short. */
struct meta_caps {
  size_t loops, branches, switches, calls, graphs;
};

static int meta_grow(void **arr, size_t *cap, size_t elem) {
  size_t want = *cap ? 2 * *cap : 8;
  void *p = want < SIZE_MAX / elem ? realloc(*arr, want * elem) : NULL;
  if (!p)
    return -1;
  *arr = p;
  *cap = want;
  return 0;
}

#define META_PUSH(arr, n, cap)                                                                  \
  ((n) < (cap) || meta_grow((void **)&(arr), &(cap), sizeof *(arr)) == 0 ? &(arr)[(n)++] : NULL)

/* Allocates m's record arrays for caps' counts (at least one each). -1 when memory ran out. */
static int meta_alloc_records(struct rt_meta *m, const struct meta_caps *caps) {
  m->loops = malloc((caps->loops ? caps->loops : 1) * sizeof *m->loops);
  m->branches = malloc((caps->branches ? caps->branches : 1) * sizeof *m->branches);
  m->switches = malloc((caps->switches ? caps->switches : 1) * sizeof *m->switches);
  m->calls = malloc((caps->calls ? caps->calls : 1) * sizeof *m->calls);
  m->graphs = malloc((caps->graphs ? caps->graphs : 1) * sizeof *m->graphs);
  return m->loops && m->branches && m->switches && m->calls && m->graphs ? 0 : -1;
}

/* Sizes m's record arrays by the lines that begin with their letter and a tab. -1 when memory
   ran out. */
static int meta_reserve(struct rt_meta *m, const char *text, struct meta_caps *caps) {
  size_t n[128] = {0};
  for (const char *p = text; p; p = strchr(p, '\n')) {
    p += *p == '\n';
    if (p[0] && p[1] == '\t')
      n[(unsigned char)p[0] & 127]++;
  }
  *caps = (struct meta_caps){n['L'], n['B'], n['S'], n['C'], n['G']};
  return meta_alloc_records(m, caps);
}

/* The counters of the list at *q ("-", or numbers separated by SEP) that ends at a tab or at
   the end of the text, appended to refs (which has room for them); *q is left at that end.
   0, or 1 for bad input. Parsed where they stand: a G record is most of the metadata. */
static inline int meta_list(const char **q, char sep, uint32_t nc, uint32_t *refs, size_t *n,
                            uint32_t *count) {
  const char *t = *q;
  *count = 0;
  if (t[0] == '-' && meta_stop[(unsigned char)t[1]]) {
    *q = t + 1;
    return 0;
  }
  for (;;) {
    const char *end;
    uint32_t k;
    if (meta_u32_at(t, &k, &end) || k >= nc || *n >= UINT32_MAX)
      return 1;
    refs[(*n)++] = k;
    (*count)++;
    if (*end != sep) {
      *q = end;
      return meta_stop[(unsigned char)*end] ? 0 : 1;
    }
    t = end + 1;
  }
}

/* Ends graph G, whose counter indexes were read into refs[0, n), the arena's last allocation: a
   bad one gives them back (its edges stay in the arena, unused), a good one joins m's graphs.
   0, or -1 when memory ran out. */
static int meta_graph_done(struct rt_meta *m, struct rt_meta_graph g, uint32_t *refs, size_t n,
                           int bad, struct meta_caps *caps) {
  if (bad) {
    meta_arena_trim(&m->graph_arena, refs);
    return 0;
  }
  meta_arena_trim(&m->graph_arena, refs + n);
  g.refs = refs;
  struct rt_meta_graph *r = META_PUSH(m->graphs, m->ngraphs, caps->graphs);
  if (!r)
    return -1;
  *r = g;
  return 0;
}

/* ---- the records, as both formats add them --------------------------------------------
   Each parser reads a record's fields into v, then hands it here, where the rules of what is
   kept live: 0 (added, or skipped as bad), or -1 when memory ran out. */

/* A function's first F record wins. */
static void meta_add_fn(struct rt_meta *m, uint32_t fn, const struct rt_meta_fn *v) {
  if (!m->fns[fn].present)
    m->fns[fn] = *v;
}

/* A loop's depth is at least 1. */
static int meta_add_loop(struct rt_meta *m, const struct rt_meta_loop *v, struct meta_caps *caps) {
  if (v->depth == 0)
    return 0;
  struct rt_meta_loop *r = META_PUSH(m->loops, m->nloops, caps->loops);
  if (!r)
    return -1;
  *r = *v;
  return 0;
}

static int meta_add_branch(struct rt_meta *m, const struct rt_meta_branch *v,
                           struct meta_caps *caps) {
  struct rt_meta_branch *r = META_PUSH(m->branches, m->nbranches, caps->branches);
  if (!r)
    return -1;
  *r = *v;
  return 0;
}

/* v's cases (calloc'd, ncases >= 1) are m's from here on, or freed. */
static int meta_add_switch(struct rt_meta *m, const struct rt_meta_switch *v,
                           struct meta_caps *caps) {
  struct rt_meta_switch *r = META_PUSH(m->switches, m->nswitches, caps->switches);
  if (!r) {
    free(v->cases);
    return -1;
  }
  *r = *v;
  return 0;
}

/* A call names its callee. */
static int meta_add_call(struct rt_meta *m, const struct rt_meta_call *v, struct meta_caps *caps) {
  if (!*v->callee)
    return 0;
  struct rt_meta_call *r = META_PUSH(m->calls, m->ncalls, caps->calls);
  if (!r)
    return -1;
  *r = *v;
  return 0;
}

/* G <fn> <nvertices> <nedges> then per edge <src> <dst> <counters or -> <targets or ->
   (counters separated by '+', targets by ','): a bad record is dropped as a whole (its
   targets then stay 0). */
static int meta_graph(struct rt_meta *m, uint32_t fn, const char **f, const char **fe, size_t nf,
                      uint32_t nc, struct meta_caps *caps) {
  struct rt_meta_graph g = {fn, 0, 0, NULL, NULL};
  const char *rest = nf > 4 ? f[4] : NULL;
  size_t room = rest ? (size_t)(fe[4] - rest) : 0;
  if (meta_u32(f[2], &g.nvertices) || meta_u32(f[3], &g.nedges) || g.nvertices < 2 ||
      g.nedges > room / 8 + 1 || g.nvertices > 2 * (uint64_t)g.nedges + 2)
    return 0; /* the sizes bound the allocations: an edge takes at least 8 characters */
  g.edges = meta_arena_alloc(&m->graph_arena, (g.nedges ? g.nedges : 1) * sizeof *g.edges, 8);
  /* every counter index takes at least two characters (a digit and a separator): room for all
     of them at once, read in place, and what is not used is given back to the arena */
  uint32_t *refs =
      g.edges ? meta_arena_alloc(&m->graph_arena, (room / 2 + 1) * sizeof *refs, 4) : NULL;
  size_t n = 0;
  if (!refs)
    return -1;
  int bad = 0;
  for (uint32_t i = 0; i < g.nedges && !bad; i++) {
    struct rt_meta_flow_edge *e = &g.edges[i];
    /* <src> TAB <dst> TAB <counters> TAB <targets>, then TAB or the end */
    const char *q = rest;
    if (!q || meta_u32_at(q, &e->src, &q) || *q != '\t' || meta_u32_at(q + 1, &e->dst, &q) ||
        *q != '\t' || e->src >= g.nvertices || e->dst >= g.nvertices) {
      bad = 1;
      break;
    }
    q++;
    e->first_counter = (uint32_t)n;
    bad = meta_list(&q, '+', nc, refs, &n, &e->ncounters);
    if (!bad && *q != '\t')
      bad = 1; /* no targets */
    e->first_target = (uint32_t)n;
    if (!bad) {
      q++;
      bad = meta_list(&q, ',', nc, refs, &n, &e->ntargets);
    }
    rest = *q == '\t' ? q + 1 : NULL;
  }
  return meta_graph_done(m, g, refs, n, bad || rest, caps);
}

/* The copy of field i into *out; 0, or -1 when memory ran out. */
#define META_STR(out, i) ((*(out) = meta_str(st, &st->name, f[i], fe[i])) ? 0 : -1)
#define META_FILE(out, i) ((*(out) = meta_str(st, &st->file, f[i], fe[i])) ? 0 : -1)

/* One record, its fields at f[i] .. fe[i]. 0 (a bad record is skipped), or -1 (out of memory). */
static int meta_record(struct rt_meta *m, const char **f, const char **fe, size_t nf, uint32_t nc,
                       struct meta_caps *caps, struct meta_strings *st) {
  int ok = 1;
  uint32_t fn;
  if (nf < 2 || meta_u32(f[1], &fn) != 0 || fn >= m->num_functions)
    return 0;
  char kind = fe[0] - f[0] == 1 ? f[0][0] : '\0'; /* the record types are one letter */
  if (kind == 'F' && nf >= 9) {
    if (m->fns[fn].present)
      return 0; /* before its strings are copied */
    struct rt_meta_fn v = {1, NULL, NULL, NULL, meta_counter(f[2], nc, &ok), 0, 0,
                           meta_has(f[8], fe[8], 's'), meta_has(f[8], fe[8], 'u'),
                           meta_has(f[8], fe[8], 'r')};
    if (meta_u32(f[4], &v.line) || meta_u32(f[5], &v.column) || !ok)
      return 0;
    if (META_STR(&v.name, 6) || META_STR(&v.linkage, 7) || META_FILE(&v.file, 3))
      return -1;
    meta_add_fn(m, fn, &v);
  } else if (kind == 'L' && nf >= 8) {
    struct rt_meta_loop v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0, 0,
                             NULL};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || meta_u32(f[7], &v.depth) || !ok)
      return 0;
    if (META_FILE(&v.file, 4))
      return -1;
    return meta_add_loop(m, &v, caps);
  } else if (kind == 'B' && nf >= 7) {
    struct rt_meta_branch v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0,
                               NULL};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || !ok)
      return 0;
    if (META_FILE(&v.file, 4))
      return -1;
    return meta_add_branch(m, &v, caps);
  } else if (kind == 'S' && nf >= 6) {
    struct rt_meta_switch v = {fn, 0, 0, 0, NULL, NULL};
    if (meta_u32(f[3], &v.line) || meta_u32(f[4], &v.column) || meta_u32(f[5], &v.ncases) ||
        v.ncases == 0 || v.ncases > (nf - 6) / 2)
      return 0; /* a case takes two fields: ncases bounds the allocation */
    v.cases = calloc(v.ncases, sizeof *v.cases);
    if (!v.cases || META_FILE(&v.file, 2)) {
      free(v.cases);
      return -1;
    }
    for (uint32_t i = 0; i < v.ncases; i++) {
      v.cases[i].counter = meta_counter(f[6 + 2 * i], nc, &ok);
      if (META_STR(&v.cases[i].label, 7 + 2 * i)) {
        free(v.cases);
        return -1;
      }
    }
    if (!ok) {
      free(v.cases);
      return 0;
    }
    return meta_add_switch(m, &v, caps);
  } else if (kind == 'G' && nf >= 4) {
    return meta_graph(m, fn, f, fe, nf, nc, caps);
  } else if (kind == 'C' && nf >= 8) {
    struct rt_meta_call v = {fn, meta_counter(f[2], nc, &ok), 0, 0, NULL, meta_has(f[4], fe[4], 's'),
                             NULL};
    if (meta_u32(f[6], &v.line) || meta_u32(f[7], &v.column) || !ok || f[3] == fe[3])
      return 0; /* no callee: checked before its strings are copied */
    if (META_STR(&v.callee, 3) || META_FILE(&v.file, 5))
      return -1;
    return meta_add_call(m, &v, caps);
  }
  return 0; /* unknown or short records are skipped */
}

/* The field that holds a file's name, by record letter (0: none). Most records name the file
   the previous one did, and the splitter steps over such a name without a look at each byte:
   paths were half of SQLite's metadata. */
static const unsigned char meta_file_field[128] = {['F'] = 3, ['L'] = 4, ['B'] = 4, ['S'] = 2,
                                                   ['C'] = 5};

/* ---- format 3: the same records, binary -------------------------------------------------
   After the text line "cprof-metadata\t3[\tflags]\n" (doc/ABI.md): a varint P, then P bytes:
   the string table (a count, then each string as its length and bytes), the numbers of L, B, S,
   C and G records (to size the arrays), then the records, each a kind byte, the length of its
   fields and the fields. Numbers are unsigned LEB128 varints of at most 32 bits; a string field
   is an index into the table. Nothing is read as decimal and a file's name is a byte or two:
   parsing the text was two fifths of the time to write a 10,000-function profile. P is trusted
   as the text's NUL is; everything inside it is checked. */

struct meta_bin {
  const unsigned char *p, *end;
  int bad; /* a read ran past end, or a number past 32 bits */
};

static inline __attribute__((always_inline)) uint32_t bin_u32(struct meta_bin *b) {
  const unsigned char *p = b->p;
  if (RT_LIKELY(p < b->end)) { /* up to three bytes, 21 bits: nearly every number */
    uint32_t v = p[0];
    if (v < 128) {
      b->p = p + 1;
      return v;
    }
    if (b->end - p >= 3) {
      if (p[1] < 128) {
        b->p = p + 2;
        return (v & 127) | (uint32_t)p[1] << 7;
      }
      if (p[2] < 128) {
        b->p = p + 3;
        return (v & 127) | (uint32_t)(p[1] & 127) << 7 | (uint32_t)p[2] << 14;
      }
    }
  }
  uint32_t v = 0;
  for (unsigned shift = 0; b->p < b->end; shift += 7) {
    unsigned c = *b->p++;
    if (shift == 28 && c > 15)
      break;
    v |= (uint32_t)(c & 127) << shift;
    if (!(c & 128))
      return v;
  }
  b->bad = 1;
  return 0;
}

/* A counter field: indexes >= nc read as RT_NONE, as in the text. */
static inline uint32_t bin_counter(struct meta_bin *b, uint32_t nc) {
  uint32_t v = bin_u32(b);
  return v < nc ? v : RT_NONE;
}

struct bin_strings {
  const char **s;
  uint32_t n;
};

static inline const char *bin_str(struct meta_bin *b, const struct bin_strings *st) {
  uint32_t i = bin_u32(b);
  if (i < st->n)
    return st->s[i];
  b->bad = 1;
  return "";
}

/* G: fn, nvertices, nedges, then per edge src, dst, the counters (a count, then each) and the
   targets (likewise). A bad record is dropped whole. */
static int bin_graph(struct rt_meta *m, struct meta_bin *b, uint32_t nc, struct meta_caps *caps) {
  struct rt_meta_graph g = {0, 0, 0, NULL, NULL};
  g.fn = bin_u32(b); /* one at a time: an initializer list's order is unspecified */
  g.nvertices = bin_u32(b);
  g.nedges = bin_u32(b);
  size_t room = (size_t)(b->end - b->p); /* an edge takes at least 4 bytes, a counter 1 */
  if (b->bad || g.fn >= m->num_functions || g.nvertices < 2 || g.nedges > room / 4 ||
      g.nvertices > 2 * (uint64_t)g.nedges + 2)
    return 0;
  g.edges = meta_arena_alloc(&m->graph_arena, (g.nedges ? g.nedges : 1) * sizeof *g.edges, 8);
  uint32_t *refs = g.edges ? meta_arena_alloc(&m->graph_arena, (room + 1) * sizeof *refs, 4) : NULL;
  if (!refs)
    return -1;
  size_t n = 0;
  for (uint32_t i = 0; i < g.nedges && !b->bad; i++) {
    struct rt_meta_flow_edge *e = &g.edges[i];
    e->src = bin_u32(b);
    e->dst = bin_u32(b);
    if (e->src >= g.nvertices || e->dst >= g.nvertices)
      b->bad = 1;
    e->first_counter = (uint32_t)n;
    e->ncounters = bin_u32(b);
    for (uint32_t k = 0; k < e->ncounters && !b->bad; k++)
      if ((refs[n++] = bin_u32(b)) >= nc)
        b->bad = 1;
    e->first_target = (uint32_t)n;
    e->ntargets = b->bad ? 0 : bin_u32(b);
    for (uint32_t k = 0; k < e->ntargets && !b->bad; k++)
      if ((refs[n++] = bin_u32(b)) >= nc)
        b->bad = 1;
  }
  return meta_graph_done(m, g, refs, n, b->bad || b->p != b->end, caps);
}

/* One record of KIND, its fields in b. 0 (a bad or unknown record is skipped), or -1 (out of
   memory). */
static int bin_record(struct rt_meta *m, unsigned kind, struct meta_bin *b,
                      const struct bin_strings *st, uint32_t nc, struct meta_caps *caps) {
  if (kind == 'M') {
    const char *source = bin_str(b, st), *directory = bin_str(b, st);
    if (!b->bad) {
      m->source = source;
      m->directory = directory;
    }
    return 0;
  }
  if (kind == 'G')
    return bin_graph(m, b, nc, caps);
  uint32_t fn = bin_u32(b);
  if (b->bad || fn >= m->num_functions)
    return 0;
  if (kind == 'F') {
    struct rt_meta_fn v = {1, NULL, NULL, NULL, 0, 0, 0, 0, 0, 0};
    v.entry = bin_counter(b, nc);
    v.file = bin_str(b, st);
    v.line = bin_u32(b);
    v.column = bin_u32(b);
    v.name = bin_str(b, st);
    v.linkage = bin_str(b, st);
    const char *flags = bin_str(b, st);
    v.is_static = strchr(flags, 's') != NULL;
    v.untimed = strchr(flags, 'u') != NULL;
    v.region = strchr(flags, 'r') != NULL;
    if (!b->bad)
      meta_add_fn(m, fn, &v);
  } else if (kind == 'L') {
    struct rt_meta_loop v = {fn, 0, 0, 0, 0, 0, NULL};
    v.iterations = bin_counter(b, nc);
    v.entries = bin_counter(b, nc);
    v.file = bin_str(b, st);
    v.line = bin_u32(b);
    v.column = bin_u32(b);
    v.depth = bin_u32(b);
    return b->bad ? 0 : meta_add_loop(m, &v, caps);
  } else if (kind == 'B') {
    struct rt_meta_branch v = {fn, 0, 0, 0, 0, NULL};
    v.taken = bin_counter(b, nc);
    v.not_taken = bin_counter(b, nc);
    v.file = bin_str(b, st);
    v.line = bin_u32(b);
    v.column = bin_u32(b);
    return b->bad ? 0 : meta_add_branch(m, &v, caps);
  } else if (kind == 'S') {
    struct rt_meta_switch v = {fn, 0, 0, 0, NULL, NULL};
    v.file = bin_str(b, st);
    v.line = bin_u32(b);
    v.column = bin_u32(b);
    v.ncases = bin_u32(b);
    if (b->bad || v.ncases == 0 || v.ncases > (size_t)(b->end - b->p) / 2)
      return 0; /* a case takes at least two bytes: ncases bounds the allocation */
    if (!(v.cases = calloc(v.ncases, sizeof *v.cases)))
      return -1;
    for (uint32_t i = 0; i < v.ncases; i++) {
      v.cases[i].counter = bin_counter(b, nc);
      v.cases[i].label = bin_str(b, st);
    }
    if (b->bad) {
      free(v.cases);
      return 0;
    }
    return meta_add_switch(m, &v, caps);
  } else if (kind == 'C') {
    struct rt_meta_call v = {fn, 0, 0, 0, NULL, 0, NULL};
    v.counter = bin_counter(b, nc);
    v.callee = bin_str(b, st);
    v.callee_static = strchr(bin_str(b, st), 's') != NULL;
    v.file = bin_str(b, st);
    v.line = bin_u32(b);
    v.column = bin_u32(b);
    return b->bad ? 0 : meta_add_call(m, &v, caps);
  }
  return 0;
}

/* The records of a format-3 text, whose first line ends at payload. 0, or -1 when memory ran
   out. Not inlined: in rt_meta_parse it kept GCC from inlining the text's meta_record. */
static __attribute__((noinline)) int meta_parse_binary(const char *payload, uint32_t nc,
                                                       struct rt_meta *m) {
  const unsigned char *p = (const unsigned char *)payload;
  struct meta_bin b = {p, p + 5, 0};
  uint32_t size = bin_u32(&b);
  struct bin_strings st = {NULL, 0};
  struct meta_caps caps = {0};
  int rc = -1;
  if (b.bad)
    return 0;
  b.end = b.p + size;
  st.n = bin_u32(&b);
  if (b.bad || st.n > (size_t)(b.end - b.p)) /* a string takes at least its length's byte */
    return 0;
  if (!(st.s = malloc((st.n ? st.n : 1) * sizeof *st.s)))
    return -1;
  for (uint32_t i = 0; i < st.n; i++) {
    uint32_t len = bin_u32(&b);
    if (b.bad || len > (size_t)(b.end - b.p)) {
      st.n = i;
      b.bad = 1;
      break;
    }
    char *c = meta_arena_alloc(&m->arena, len + 1, 1);
    if (!c)
      goto done;
    memcpy(c, b.p, len);
    c[len] = '\0';
    st.s[i] = c;
    b.p += len;
  }
  /* record counts, clamped by what the rest could hold (a record takes at least 2 bytes) */
  size_t *cap[5] = {&caps.loops, &caps.branches, &caps.switches, &caps.calls, &caps.graphs};
  for (int i = 0; i < 5; i++) {
    uint32_t v = bin_u32(&b);
    *cap[i] = v < (size_t)(b.end - b.p) / 2 ? v : (size_t)(b.end - b.p) / 2;
  }
  if (meta_alloc_records(m, &caps) != 0)
    goto done;
  while (!b.bad && b.p < b.end) {
    unsigned kind = *b.p++;
    uint32_t len = bin_u32(&b);
    if (b.bad || len > (size_t)(b.end - b.p))
      break; /* the rest cannot be framed */
    struct meta_bin rec = {b.p, b.p + len, 0};
    if (bin_record(m, kind, &rec, &st, nc, &caps) != 0)
      goto done;
    b.p += len;
  }
  rc = 0;
done:
  free(st.s);
  return rc;
}

/* The format a metadata text's first line names (1, 2, 3; 0: not cprof's), and where its
   next line starts. */
static int meta_format(const char *text, const char **next) {
  static const char head[] = "cprof-metadata\t";
  const char *p = text ? text : "";
  while (*p == '\n')
    p++;
  const char *eol = strchrnul(p, '\n');
  *next = *eol ? eol + 1 : eol;
  if (strncmp(p, head, sizeof head - 1) != 0)
    return 0;
  p += sizeof head - 1;
  if (*p < '1' || *p > '3' || !meta_stop[(unsigned char)p[1]])
    return 0;
  return *p - '0';
}

size_t rt_meta_size(const char *text) {
  const char *payload;
  if (meta_format(text, &payload) == 3) {
    const unsigned char *p = (const unsigned char *)payload;
    struct meta_bin b = {p, p + 5, 0};
    uint32_t size = bin_u32(&b);
    if (!b.bad)
      return (size_t)((const char *)b.p - text) + size + 1; /* and its NUL */
  }
  return strlen(text) + 1;
}

/* Format 3 goes to meta_parse_binary. A text is split into fields by one pass over each line
   (strtok_r and strchr per field cost more than the rest of the parser). */
int rt_meta_parse(const char *text, uint32_t num_counters, uint32_t num_functions,
                  struct rt_meta *out) {
  memset(out, 0, sizeof *out);
  out->source = "";
  out->directory = "";
  out->num_functions = num_functions;
  out->fns = calloc(num_functions ? num_functions : 1, sizeof *out->fns);
  const char *p;
  int format = meta_format(text, &p);
  if (format == 3 && out->fns) {
    if (meta_parse_binary(p, num_counters, out) == 0)
      return 0;
    rt_meta_free(out);
    return -1;
  }
  const char **f = malloc(2 * META_MAX_FIELDS * sizeof *f), **fe = f ? f + META_MAX_FIELDS : NULL;
  struct meta_caps caps = {0};
  struct meta_strings st = {out, NULL, 0, 0, {NULL, NULL, 0}, {NULL, NULL, 0}};
  int rc = -1;
  if (!out->fns || !f || meta_reserve(out, format ? p : "", &caps) != 0)
    goto done;
  /* The first line must identify the format; anything else is not ours. */
  for (p = format ? p : "";;) {
    while (*p == '\n') /* lines are the non-empty runs between newlines */
      p++;
    if (!*p)
      break;
    size_t nf = 0;
    /* A G record has 4 fields per edge, more than any other record: its edges are split
       by meta_graph, not here. */
    size_t max_fields = p[0] == 'G' && p[1] == '\t' ? META_GRAPH_FIELDS : META_MAX_FIELDS;
    size_t file_field = meta_file_field[(unsigned char)p[0] & 127];
    for (;;) {
      f[nf] = p;
      if (nf == file_field && st.file.copy && strncmp(p, st.file.src, st.file.len) == 0 &&
          meta_stop[(unsigned char)p[st.file.len]])
        p += st.file.len; /* strncmp: it stops at the end of the text */
      if (nf + 1 == max_fields && max_fields == META_GRAPH_FIELDS) {
        fe[nf++] = p = strchrnul(p, '\n'); /* the rest of the line */
        break;
      }
      while (!meta_stop[(unsigned char)*p])
        p++;
      fe[nf++] = p;
      if (*p != '\t')
        break;
      p++;
      if (nf == max_fields) { /* what follows the last field is dropped */
        p = strchrnul(p, '\n');
        break;
      }
    }
    if (*p) /* the newline */
      p++;
    if (nf >= 3 && meta_is(f[0], fe[0], "module")) {
      if (!(out->source = meta_str(&st, &st.file, f[1], fe[1])) ||
          !(out->directory = meta_str(&st, &st.name, f[2], fe[2])))
        goto done;
    } else if (meta_record(out, f, fe, nf, num_counters, &caps, &st) != 0) {
      goto done;
    }
  }
  rc = 0;
done:
  free(st.slots);
  free(f);
  if (rc != 0)
    rt_meta_free(out);
  return rc;
}

int rt_meta_no_timing(const char *text) {
  static const char head[] = "cprof-metadata\t";
  if (!text || strncmp(text, head, sizeof head - 1) != 0)
    return 0;
  const char *p = text + sizeof head - 1, *end = strchrnul(p, '\n');
  while (p < end) {
    const char *tab = memchr(p, '\t', (size_t)(end - p)), *e = tab ? tab : end;
    if (meta_is(p, e, "no-timing"))
      return 1;
    p = tab ? tab + 1 : end;
  }
  return 0;
}

void rt_meta_free_graphs(struct rt_meta *m) {
  free(m->graphs);
  m->graphs = NULL;
  m->ngraphs = 0;
  meta_arena_free(&m->graph_arena);
}

void rt_meta_free(struct rt_meta *m) {
  for (size_t i = 0; i < m->nswitches; i++)
    free(m->switches[i].cases);
  free(m->switches);
  free(m->loops);
  free(m->branches);
  free(m->calls);
  rt_meta_free_graphs(m);
  free(m->fns);
  meta_arena_free(&m->arena);
  memset(m, 0, sizeof *m);
}

/* ---- counts from a spanning tree (record G) ----------------------------------------------

   Edges with neither a counter nor a target are not needed: their endpoints are merged into
   groups (union-find).  Between groups the uncounted edges with targets form a forest, and
   a group with a single unknown edge gives that edge by conservation (inflow = outflow of
   the group, counted edges inside it cancel).  Peeling such groups solves the forest in
   linear time, leaves first.  The arithmetic is modulo 2^64 (signed, never clamped on the
   way): a frame that never reached EXIT (longjmp, exit) or that was alive when the counters
   were reset sits at a call whose fake edge to EXIT merges it into EXIT's group, where the
   imbalance cancels, so that every wanted edge is exact. */

static uint32_t flow_group(uint32_t *parent, uint32_t v) {
  while (parent[v] != v)
    v = parent[v] = parent[parent[v]];
  return v;
}

/* The count of every edge of G with targets into VALUE; 0, or -1 when G does not solve. */
static int flow_solve(const struct rt_meta_graph *g, const uint64_t *counters, uint64_t *value,
                      uint32_t *unknown, uint64_t *balance, uint32_t *adj_start, uint32_t *adj,
                      uint32_t *queue, uint32_t *parent) {
  uint32_t nv = g->nvertices, ne = g->nedges;
  for (uint32_t v = 0; v < nv; v++)
    parent[v] = v;
  for (uint32_t i = 0; i < ne; i++) {
    const struct rt_meta_flow_edge *e = &g->edges[i];
    if (!e->ncounters && !e->ntargets)
      parent[flow_group(parent, e->src)] = flow_group(parent, e->dst);
  }
  memset(unknown, 0, nv * sizeof *unknown);
  memset(balance, 0, nv * sizeof *balance); /* inflow - outflow of the known edges, by group */
  memset(adj_start, 0, (nv + 1) * sizeof *adj_start);
  uint32_t left = 0;
  for (uint32_t i = 0; i < ne; i++) {
    const struct rt_meta_flow_edge *e = &g->edges[i];
    uint32_t src = flow_group(parent, e->src), dst = flow_group(parent, e->dst);
    if (e->ncounters) {
      value[i] = 0;
      for (uint32_t k = 0; k < e->ncounters; k++)
        value[i] += counters[g->refs[e->first_counter + k]];
      balance[dst] += value[i];
      balance[src] -= value[i];
    } else if (e->ntargets) {
      if (src == dst)
        return -1; /* on a cycle of unknown edges: bad input */
      unknown[src]++;
      unknown[dst]++;
      adj_start[src + 1]++;
      adj_start[dst + 1]++;
      left++;
    }
  }
  for (uint32_t v = 0; v < nv; v++)
    adj_start[v + 1] += adj_start[v];
  uint32_t *fill = queue; /* borrowed: filled before the queue is used */
  memcpy(fill, adj_start, nv * sizeof *fill);
  for (uint32_t i = 0; i < ne; i++)
    if (!g->edges[i].ncounters && g->edges[i].ntargets) {
      adj[fill[flow_group(parent, g->edges[i].src)]++] = i;
      adj[fill[flow_group(parent, g->edges[i].dst)]++] = i;
    }
  uint32_t head = 0, tail = 0;
  for (uint32_t v = 0; v < nv; v++)
    if (unknown[v] == 1)
      queue[tail++] = v;
  uint8_t *solved = (uint8_t *)(adj + 2 * (size_t)ne); /* room left by the caller */
  memset(solved, 0, ne);
  while (head < tail) {
    uint32_t v = queue[head++];
    if (unknown[v] != 1)
      continue;
    uint32_t id = RT_NONE;
    for (uint32_t k = adj_start[v]; k < adj_start[v + 1]; k++)
      if (!solved[adj[k]]) {
        id = adj[k];
        break;
      }
    if (id == RT_NONE)
      return -1;
    const struct rt_meta_flow_edge *e = &g->edges[id];
    uint32_t src = flow_group(parent, e->src), dst = flow_group(parent, e->dst);
    uint64_t x = dst == v ? (uint64_t)0 - balance[v] : balance[v];
    value[id] = x;
    solved[id] = 1;
    left--;
    balance[dst] += x;
    balance[src] -= x;
    unknown[src]--;
    unknown[dst]--;
    uint32_t other = dst == v ? src : dst;
    if (unknown[other] == 1)
      queue[tail++] = other;
  }
  return left == 0 ? 0 : -1;
}

/* The order the graphs are solved in: each after the graphs whose targets it reads as counts of
   its edges (a static function's entry edge is counted by its call sites, targets of its callers'
   graphs: doc/ABI.md), Kahn's algorithm over those dependencies; the graphs a cycle leaves (bad
   input) follow in record order. NULL when out of memory. */
static uint32_t *meta_solve_order(const struct rt_meta *m, uint32_t num_counters) {
  size_t ng = m->ngraphs;
  uint32_t *producer = malloc(((size_t)num_counters + 1) * sizeof *producer);
  uint32_t *waiting = calloc(ng, sizeof *waiting);
  uint32_t *start = calloc(ng + 1, sizeof *start);
  uint32_t *order = malloc(ng * sizeof *order);
  uint32_t *next = NULL, *cursor = NULL;
  size_t ndeps = 0;
  if (!producer || !waiting || !start || !order)
    goto fail;
  for (uint32_t c = 0; c < num_counters; c++)
    producer[c] = RT_NONE;
  for (size_t i = 0; i < ng; i++) {
    const struct rt_meta_graph *g = &m->graphs[i];
    for (uint32_t k = 0; k < g->nedges; k++)
      for (uint32_t t = 0; t < g->edges[k].ntargets; t++) {
        uint32_t c = g->refs[g->edges[k].first_target + t];
        if (producer[c] == RT_NONE)
          producer[c] = (uint32_t)i;
      }
  }
  /* start[p + 1]: how many counted edges' counters graph p produces for other graphs */
  for (size_t i = 0; i < ng; i++) {
    const struct rt_meta_graph *g = &m->graphs[i];
    for (uint32_t k = 0; k < g->nedges; k++)
      for (uint32_t n = 0; n < g->edges[k].ncounters; n++) {
        uint32_t p = producer[g->refs[g->edges[k].first_counter + n]];
        if (p != RT_NONE && p != i) {
          start[p + 1]++;
          waiting[i]++;
          ndeps++;
        }
      }
  }
  next = malloc((ndeps ? ndeps : 1) * sizeof *next);
  cursor = malloc((ng ? ng : 1) * sizeof *cursor);
  if (!next || !cursor)
    goto fail;
  for (size_t p = 0; p < ng; p++) {
    start[p + 1] += start[p];
    cursor[p] = start[p];
  }
  for (size_t i = 0; i < ng; i++) {
    const struct rt_meta_graph *g = &m->graphs[i];
    for (uint32_t k = 0; k < g->nedges; k++)
      for (uint32_t n = 0; n < g->edges[k].ncounters; n++) {
        uint32_t p = producer[g->refs[g->edges[k].first_counter + n]];
        if (p != RT_NONE && p != i)
          next[cursor[p]++] = (uint32_t)i;
      }
  }
  /* A graph is queued when its last dependency is solved, so once: those still waiting after
     the queue ran dry are on a cycle, or wait for one. */
  size_t head = 0, tail = 0;
  for (size_t i = 0; i < ng; i++)
    if (waiting[i] == 0)
      order[tail++] = (uint32_t)i;
  while (head < tail) {
    uint32_t p = order[head++];
    for (uint32_t k = start[p]; k < start[p + 1]; k++)
      if (--waiting[next[k]] == 0)
        order[tail++] = next[k];
  }
  for (size_t i = 0; i < ng; i++)
    if (waiting[i] != 0)
      order[tail++] = (uint32_t)i;
  free(producer);
  free(waiting);
  free(start);
  free(next);
  free(cursor);
  return order;
fail:
  free(producer);
  free(waiting);
  free(start);
  free(order);
  free(next);
  free(cursor);
  return NULL;
}

/* Whether G has counted edges and none of them ran: then every edge of G counts 0 (the counts
   solve linearly from the counted ones), and its targets keep what they hold. Half the functions
   of a run are never entered. (A graph without a counted edge is solved: if it cannot be, that
   is reported.) */
static int flow_idle(const struct rt_meta_graph *g, const uint64_t *counters) {
  int counted = 0;
  for (uint32_t i = 0; i < g->nedges; i++) {
    const struct rt_meta_flow_edge *e = &g->edges[i];
    for (uint32_t k = 0; k < e->ncounters; k++)
      if (counters[g->refs[e->first_counter + k]])
        return 0;
    counted |= e->ncounters != 0;
  }
  return counted;
}

int rt_meta_solve(const struct rt_meta *m, uint64_t *counters, uint32_t num_counters) {
  uint32_t maxv = 0, maxe = 0;
  for (size_t i = 0; i < m->ngraphs; i++) {
    const struct rt_meta_graph *g = &m->graphs[i];
    maxv = g->nvertices > maxv ? g->nvertices : maxv;
    maxe = g->nedges > maxe ? g->nedges : maxe;
  }
  if (m->ngraphs == 0)
    return 0;
  /* Graphs are solved one at a time, each after those whose targets it reads, and its targets
     are written before the next is solved. */
  uint32_t *order = meta_solve_order(m, num_counters);
  uint64_t *values = malloc(((size_t)maxe + 1) * sizeof *values);
  uint32_t *unknown = malloc(((size_t)maxv + 1) * sizeof *unknown);
  uint64_t *balance = malloc(((size_t)maxv + 1) * sizeof *balance);
  uint32_t *adj_start = malloc(((size_t)maxv + 2) * sizeof *adj_start);
  uint32_t *queue = malloc(((size_t)maxv + 1) * sizeof *queue);
  uint32_t *parent = malloc(((size_t)maxv + 1) * sizeof *parent);
  uint32_t *adj = malloc(2 * ((size_t)maxe + 1) * sizeof *adj + (size_t)maxe + 1);
  int failed = 0;
  if (!order || !values || !unknown || !balance || !adj_start || !queue || !parent || !adj) {
    failed = -1;
  } else {
    for (size_t n = 0; n < m->ngraphs; n++) {
      const struct rt_meta_graph *g = &m->graphs[order[n]];
      if (flow_idle(g, counters))
        continue;
      if (flow_solve(g, counters, values, unknown, balance, adj_start, adj, queue, parent) != 0) {
        failed++;
        continue;
      }
      for (uint32_t k = 0; k < g->nedges; k++) {
        const struct rt_meta_flow_edge *e = &g->edges[k];
        for (uint32_t t = 0; t < e->ntargets; t++)
          counters[g->refs[e->first_target + t]] += values[k];
      }
      /* A count below zero (a reset in the middle of a frame) reads as 0. */
      for (uint32_t k = 0; k < g->nedges; k++) {
        const struct rt_meta_flow_edge *e = &g->edges[k];
        for (uint32_t t = 0; t < e->ntargets; t++) {
          uint32_t c = g->refs[e->first_target + t];
          if ((int64_t)counters[c] < 0)
            counters[c] = 0;
        }
      }
    }
  }
  free(order);
  free(values);
  free(unknown);
  free(balance);
  free(adj_start);
  free(queue);
  free(parent);
  free(adj);
  return failed;
}
