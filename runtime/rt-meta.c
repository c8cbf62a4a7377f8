/* rt-meta.c: parser for the plugin's metadata text (doc/ABI.md), tolerant of bad input. */
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

#define META_MAX_FIELDS 4096
#define META_GRAPH_FIELDS 5 /* G fn nvertices nedges <the edges, split by meta_graph> */

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

/* A decimal number up to UINT32_MAX and nothing else. */
static inline __attribute__((always_inline)) int meta_u32(const char *s, uint32_t *out) {
  const char *end;
  uint32_t v;
  if (!s || meta_u32_at(s, &v, &end) != 0 || *end)
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

/* Arrays grow to 8, 16, 32, ... elements: grow when n is 0 or a power of two >= 8. */
static int meta_grow(void **arr, size_t n, size_t elem) {
  if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
    return 0;
  size_t cap = n ? n * 2 : 8;
  void *p = realloc(*arr, cap * elem);
  if (!p)
    return -1;
  *arr = p;
  return 0;
}

#define META_PUSH(arr, n) (meta_grow((void **)&(arr), (n), sizeof *(arr)) ? NULL : &(arr)[(n)++])

/* The counters of the list at *q ("-", or numbers separated by SEP) that ends at a tab or at
   the end of the text, appended to refs (which has room for them); *q is left at that end.
   0, or 1 for bad input. Parsed where they stand: a G record is most of the metadata. */
static inline int meta_list(const char **q, char sep, uint32_t nc, uint32_t *refs, size_t *n,
                            uint32_t *count) {
  const char *t = *q;
  *count = 0;
  if (t[0] == '-' && (t[1] == '\t' || t[1] == '\0')) {
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
      return *end == '\t' || *end == '\0' ? 0 : 1;
    }
    t = end + 1;
  }
}

/* G <fn> <nvertices> <nedges> then per edge <src> <dst> <counters or -> <targets or ->
   (counters separated by '+', targets by ','): a bad record is dropped as a whole (its
   targets then stay 0). */
/* Room for a G record's counter indexes while it is read, reused from record to record. */
struct meta_scratch {
  uint32_t *refs;
  size_t cap;
};

static int meta_graph(struct rt_meta *m, uint32_t fn, char **f, size_t nf, uint32_t nc,
                      struct meta_scratch *sc) {
  struct rt_meta_graph g = {fn, 0, 0, NULL, NULL};
  char *rest = nf > 4 ? f[4] : NULL;
  size_t room = rest ? strlen(rest) : 0;
  if (meta_u32(f[2], &g.nvertices) || meta_u32(f[3], &g.nedges) || g.nvertices < 2 ||
      g.nedges > room / 8 + 1 || g.nvertices > 2 * (uint64_t)g.nedges + 2)
    return 0; /* the sizes bound the allocations: an edge takes at least 8 characters */
  g.edges = calloc(g.nedges ? g.nedges : 1, sizeof *g.edges);
  /* every counter index takes at least two characters (a digit and a separator): room for all
     of them at once, so that nothing grows while the edges are read; the record keeps a copy of
     the size it needs (a bound per record would spread the arrays over more pages) */
  if (sc->cap < room / 2 + 1) {
    uint32_t *p = realloc(sc->refs, (room / 2 + 1) * sizeof *p);
    if (p) {
      sc->refs = p;
      sc->cap = room / 2 + 1;
    }
  }
  uint32_t *refs = sc->cap >= room / 2 + 1 ? sc->refs : NULL;
  size_t n = 0;
  if (!g.edges || !refs) {
    free(g.edges);
    return -1;
  }
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
    rest = *q ? (char *)q + 1 : NULL;
  }
  if (!bad && !rest) {
    g.refs = malloc((n ? n : 1) * sizeof *g.refs);
    if (!g.refs) {
      free(g.edges);
      return -1;
    }
    memcpy(g.refs, refs, n * sizeof *g.refs);
  }
  struct rt_meta_graph *r = bad || rest ? NULL : META_PUSH(m->graphs, m->ngraphs);
  if (!r) {
    free(g.refs);
    free(g.edges);
    return bad < 0 || (!bad && !rest) ? -1 : 0;
  }
  *r = g;
  return 0;
}

static int meta_record(struct rt_meta *m, char **f, size_t nf, uint32_t nc,
                       struct meta_scratch *sc) {
  int ok = 1;
  uint32_t fn;
  if (nf < 2 || meta_u32(f[1], &fn) != 0 || fn >= m->num_functions)
    return 0;
  char kind = f[0][0] && !f[0][1] ? f[0][0] : '\0'; /* the record types are one letter */
  if (kind == 'F' && nf >= 9) {
    struct rt_meta_fn *r = &m->fns[fn];
    if (r->present)
      return 0;
    struct rt_meta_fn v = {1, f[6], f[7], f[3], meta_counter(f[2], nc, &ok), 0, 0,
                           strchr(f[8], 's') != NULL, strchr(f[8], 'u') != NULL,
                           strchr(f[8], 'r') != NULL};
    if (meta_u32(f[4], &v.line) || meta_u32(f[5], &v.column) || !ok)
      return 0;
    *r = v;
  } else if (kind == 'L' && nf >= 8) {
    struct rt_meta_loop v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0, 0,
                             f[4]};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || meta_u32(f[7], &v.depth) ||
        v.depth == 0 || !ok)
      return 0;
    struct rt_meta_loop *r = META_PUSH(m->loops, m->nloops);
    if (!r)
      return -1;
    *r = v;
  } else if (kind == 'B' && nf >= 7) {
    struct rt_meta_branch v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0,
                               f[4]};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || !ok)
      return 0;
    struct rt_meta_branch *r = META_PUSH(m->branches, m->nbranches);
    if (!r)
      return -1;
    *r = v;
  } else if (kind == 'S' && nf >= 6) {
    struct rt_meta_switch v = {fn, 0, 0, 0, f[2], NULL};
    if (meta_u32(f[3], &v.line) || meta_u32(f[4], &v.column) || meta_u32(f[5], &v.ncases) ||
        v.ncases == 0 || v.ncases > (nf - 6) / 2)
      return 0;
    v.cases = calloc(v.ncases, sizeof *v.cases);
    if (!v.cases)
      return -1;
    for (uint32_t i = 0; i < v.ncases; i++) {
      v.cases[i].counter = meta_counter(f[6 + 2 * i], nc, &ok);
      v.cases[i].label = f[7 + 2 * i];
    }
    struct rt_meta_switch *r = ok ? META_PUSH(m->switches, m->nswitches) : NULL;
    if (!r) {
      free(v.cases);
      return ok ? -1 : 0;
    }
    *r = v;
  } else if (kind == 'G' && nf >= 4) {
    return meta_graph(m, fn, f, nf, nc, sc);
  } else if (kind == 'C' && nf >= 8) {
    struct rt_meta_call v = {fn, meta_counter(f[2], nc, &ok), 0, 0, f[3], strchr(f[4], 's') != NULL,
                             f[5]};
    if (meta_u32(f[6], &v.line) || meta_u32(f[7], &v.column) || !ok || !*v.callee)
      return 0;
    struct rt_meta_call *r = META_PUSH(m->calls, m->ncalls);
    if (!r)
      return -1;
    *r = v;
  }
  return 0; /* unknown or short records are skipped */
}

/* What ends a field: a tab, the end of the line or of the text. One pass over each line splits
   it (strtok_r and strchr per field cost more than the rest of the parser). */
static const unsigned char meta_stop[256] = {['\0'] = 1, ['\t'] = 1, ['\n'] = 1};

int rt_meta_parse(const char *text, uint32_t num_counters, uint32_t num_functions,
                  struct rt_meta *out) {
  memset(out, 0, sizeof *out);
  out->source = "";
  out->directory = "";
  out->num_functions = num_functions;
  out->buf = strdup(text ? text : "");
  out->fns = calloc(num_functions ? num_functions : 1, sizeof *out->fns);
  char **f = malloc(META_MAX_FIELDS * sizeof *f);
  if (!out->buf || !out->fns || !f) {
    free(f);
    rt_meta_free(out);
    return -1;
  }
  int header = 0;
  struct meta_scratch sc = {NULL, 0};
  for (char *p = out->buf;;) {
    while (*p == '\n') /* lines are the non-empty runs between newlines */
      p++;
    if (!*p)
      break;
    char *line = p;
    size_t nf = 0;
    /* A G record has 4 fields per edge, more than any other record: its edges are split
       by meta_graph, not here. */
    size_t max_fields = line[0] == 'G' && line[1] == '\t' ? META_GRAPH_FIELDS : META_MAX_FIELDS;
    for (;;) {
      f[nf++] = p;
      if (nf == max_fields && max_fields == META_GRAPH_FIELDS) {
        p = strchrnul(p, '\n'); /* the rest of the line */
        break;
      }
      while (!meta_stop[(unsigned char)*p])
        p++;
      if (*p != '\t')
        break;
      *p++ = '\0';
      if (nf == max_fields) { /* what follows the last field is dropped */
        p = strchrnul(p, '\n');
        break;
      }
    }
    if (*p) /* the newline */
      *p++ = '\0';
    if (!header) {
      /* The first line must identify the format; anything else is not ours. */
      if (nf < 2 || strcmp(f[0], "cprof-metadata") != 0 ||
          (strcmp(f[1], "1") != 0 && strcmp(f[1], "2") != 0))
        break;
      header = 1;
    } else if (f[0][0] == 'm' && strcmp(f[0], "module") == 0 && nf >= 3) {
      out->source = f[1];
      out->directory = f[2];
    } else if (meta_record(out, f, nf, num_counters, &sc) != 0) {
      free(sc.refs);
      free(f);
      rt_meta_free(out);
      return -1;
    }
  }
  free(sc.refs);
  free(f);
  return 0;
}

void rt_meta_free(struct rt_meta *m) {
  for (size_t i = 0; i < m->nswitches; i++)
    free(m->switches[i].cases);
  free(m->switches);
  free(m->loops);
  free(m->branches);
  free(m->calls);
  for (size_t i = 0; i < m->ngraphs; i++) {
    free(m->graphs[i].edges);
    free(m->graphs[i].refs);
  }
  free(m->graphs);
  free(m->fns);
  free(m->buf);
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
