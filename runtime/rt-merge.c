/* rt-merge.c: accumulation of per-thread timing records into totals and snapshots. */
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

static uint32_t merge_hash(uint32_t parent, uint32_t child, uint32_t mask) {
  uint64_t k = ((uint64_t)parent << 32 | child) * 0x9E3779B97F4A7C15ull;
  return (uint32_t)(k >> 32) & mask;
}

/* An edge map is its edges in the order they came, e[0, n), and a table of cap slots (at most
 * half full) that holds each edge's index + 1 (0: empty). A slot is 4 bytes where an edge is 40:
 * at exit the snapshot's map of a 10,000-function program (20,000 edges) is 1.1 MB instead of
 * 2.6 MB, and every page of it is a page fault (microseconds each on these VMs). */
static int merge_map_slots(struct rt_edge_map *map, uint32_t cap) {
  uint32_t *slot = calloc(cap, sizeof *slot);
  if (!slot)
    return -1;
  for (uint32_t i = 0; i < map->n; i++) {
    uint32_t h = merge_hash(map->e[i].parent, map->e[i].child, cap - 1);
    while (slot[h])
      h = (h + 1) & (cap - 1);
    slot[h] = i + 1;
  }
  free(map->slot);
  map->slot = slot;
  map->cap = cap;
  return 0;
}

static int merge_map_room(struct rt_edge_map *map, uint32_t room) {
  struct rt_edge *e = realloc(map->e, (size_t)room * sizeof *e);
  if (!e)
    return -1;
  map->e = e;
  map->room = room;
  return 0;
}

/* Room for n edges without growing: tables of the final size instead of a doubling series, each
 * new one written (and page-faulted) in full. */
int rt_edge_map_reserve(struct rt_edge_map *map, uint32_t n) {
  uint64_t cap = map->cap ? map->cap : 64;
  while ((uint64_t)(n + 1) * 2 > cap)
    cap *= 2;
  if (cap > UINT32_MAX / 2)
    return 0; /* left to grow as it goes */
  if (cap != map->cap && merge_map_slots(map, (uint32_t)cap) != 0)
    return -1;
  return n > map->room ? merge_map_room(map, n) : 0;
}

struct rt_edge *rt_edge_map_get(struct rt_edge_map *map, uint32_t parent, uint32_t child) {
  if ((uint64_t)(map->n + 1) * 2 > map->cap &&
      merge_map_slots(map, map->cap ? map->cap * 2 : 64) != 0)
    return NULL;
  uint32_t h = merge_hash(parent, child, map->cap - 1);
  for (; map->slot[h]; h = (h + 1) & (map->cap - 1)) {
    struct rt_edge *e = &map->e[map->slot[h] - 1];
    if (e->parent == parent && e->child == child)
      return e;
  }
  if (map->n == map->room && merge_map_room(map, map->room ? map->room * 2 : 32) != 0)
    return NULL;
  struct rt_edge *e = &map->e[map->n];
  memset(e, 0, sizeof *e);
  e->parent = parent;
  e->child = child;
  map->slot[h] = ++map->n;
  return e;
}

void rt_edge_map_free(struct rt_edge_map *map) {
  free(map->e);
  free(map->slot);
  memset(map, 0, sizeof *map);
}

int rt_edge_map_copy(struct rt_edge_map *dst, const struct rt_edge_map *src) {
  memset(dst, 0, sizeof *dst);
  if (!src->cap)
    return 0;
  dst->e = malloc((src->n ? src->n : 1) * sizeof *dst->e);
  dst->slot = malloc((size_t)src->cap * sizeof *dst->slot);
  if (!dst->e || !dst->slot) {
    rt_edge_map_free(dst);
    return -1;
  }
  memcpy(dst->e, src->e, (size_t)src->n * sizeof *dst->e);
  memcpy(dst->slot, src->slot, (size_t)src->cap * sizeof *dst->slot);
  dst->cap = src->cap;
  dst->n = dst->room = src->n;
  return 0;
}

void rt_fn_time_add(struct rt_fn_time *dst, const struct rt_fn_time *src) {
  dst->skipped += src->skipped;
  if (!src->timed_calls)
    return;
  if (!dst->timed_calls || src->min_ns < dst->min_ns)
    dst->min_ns = src->min_ns;
  if (src->max_ns > dst->max_ns)
    dst->max_ns = src->max_ns;
  dst->timed_calls += src->timed_calls;
  dst->total_ns += src->total_ns;
  dst->self_ns += src->self_ns;
  dst->sum_ns += src->sum_ns;
  dst->unwound_calls += src->unwound_calls;
  for (uint32_t b = 0; b < RT_LAT_BUCKETS; b++)
    dst->lat[b] += src->lat[b];
}

static int merge_edge(struct rt_edge_map *edges, const struct rt_edge *src) {
  struct rt_edge *e = rt_edge_map_get(edges, src->parent, src->child);
  if (!e)
    return -1;
  e->calls += src->calls;
  e->time_ns += src->time_ns;
  e->icalls += src->icalls;
  e->itime_ns += src->itime_ns;
  return 0;
}

/* Reads another thread's tables while it may be writing: values are a best-effort snapshot. */
int rt_merge_thread(const struct rt_thread *t, struct rt_fn_time *fn, uint32_t nfn,
                    struct rt_edge_map *edges, const uint8_t *skip) {
  for (uint32_t top = 0; top < RT_FN_TOP && top * RT_FN_CHUNK < nfn; top++) {
    const struct rt_fn_time *c = __atomic_load_n(&t->fn[top], __ATOMIC_ACQUIRE);
    if (!c || (skip && skip[top]))
      continue;
    for (uint32_t j = 0; j < RT_FN_CHUNK && top * RT_FN_CHUNK + j < nfn; j++) {
      struct rt_fn_time v = c[j];
      rt_fn_time_add(&fn[top * RT_FN_CHUNK + j], &v);
    }
  }
  uint32_t n = __atomic_load_n(&t->nedges, __ATOMIC_ACQUIRE);
  for (uint32_t i = 0; i < n; i++) {
    const struct rt_edge *c = __atomic_load_n(&t->edge[i >> RT_EDGE_CHUNK_BITS], __ATOMIC_ACQUIRE);
    struct rt_edge v = c[i & (RT_EDGE_CHUNK - 1)];
    if (v.parent < nfn && v.child < nfn && merge_edge(edges, &v) != 0)
      return -1;
  }
  return 0;
}

int rt_merge_open_frames(const struct rt_thread *t, uint64_t now, struct rt_fn_time *fn,
                         uint32_t nfn, struct rt_edge_map *edges, uint64_t *closed) {
  *closed = 0;
  if (!t->depth)
    return 0;
  /* remaining[fid] = open activations of fid not yet visited, + 1 once initialised */
  uint32_t *remaining = calloc(nfn ? nfn : 1, sizeof *remaining);
  if (!remaining)
    return -1;
  uint64_t carry = 0;
  const struct rt_stack_chunk *c = t->stk;
  uint32_t n = t->stk_n;
  for (; c; c = c->prev, n = c ? c->cap : 0) {
    for (uint32_t i = n; i-- > 0;) {
      const struct rt_frame *f = &c->f[i];
      if (f->start == RT_UNTIMED) {
        carry = 0;
        continue;
      }
      uint64_t incl = now > f->start ? now - f->start : 0;
      uint64_t child = f->child + carry;
      carry = incl;
      if (f->fid >= nfn)
        continue;
      const struct rt_fn_time *live = &t->fn[f->fid >> RT_FN_CHUNK_BITS][f->fid & (RT_FN_CHUNK - 1)];
      if (!remaining[f->fid])
        remaining[f->fid] = live->depth + 1;
      struct rt_fn_time one = {.timed_calls = 1, .self_ns = incl > child ? incl - child : 0,
                               .sum_ns = incl, .min_ns = incl, .max_ns = incl, .unwound_calls = 1};
      one.lat[rt_lat_bucket(incl)] = 1;
      if (--remaining[f->fid] <= 1)
        one.total_ns = incl; /* the outermost open activation of fid */
      rt_fn_time_add(&fn[f->fid], &one);
      (*closed)++;
      if (f->edge != RT_NONE) {
        uint32_t ei = f->edge & ~RT_EDGE_INDIRECT;
        const struct rt_edge *le = &t->edge[ei >> RT_EDGE_CHUNK_BITS][ei & (RT_EDGE_CHUNK - 1)];
        struct rt_edge *e = le->parent < nfn ? rt_edge_map_get(edges, le->parent, le->child) : NULL;
        if (e && (f->edge & RT_EDGE_INDIRECT))
          e->itime_ns += incl;
        else if (e)
          e->time_ns += incl;
      }
    }
  }
  free(remaining);
  return 0;
}

const struct rt_edge *rt_edge_map_find(const struct rt_edge_map *map, uint32_t parent,
                                       uint32_t child) {
  if (!map->cap)
    return NULL;
  for (uint32_t h = merge_hash(parent, child, map->cap - 1); map->slot[h];
       h = (h + 1) & (map->cap - 1)) {
    const struct rt_edge *e = &map->e[map->slot[h] - 1];
    if (e->parent == parent && e->child == child)
      return e;
  }
  return NULL;
}
