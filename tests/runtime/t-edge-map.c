/* t-edge-map.c: the call-graph edge map (runtime/rt-merge.c) finds every edge it was given, keeps
 * them in the order they came, grows without losing any, and reserve and copy keep it whole.
 *
 * Built with runtime/rt-merge.c itself (and AddressSanitizer when the compiler has it). Prints
 * "edge-map ok" and exits 0, or names the first failed check and exits 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

static int failures;

#define CHECK(cond)                                                                             \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      fprintf(stderr, "t-edge-map:%d: check failed: %s\n", __LINE__, #cond);                    \
      failures++;                                                                               \
    }                                                                                           \
  } while (0)

#define N 5000u

/* Edge i: caller i % 613, callee (i * 7919) % 1009; distinct for i < N (613 * 1009 > N, and the
 * pair determines i mod 613 and i mod 1009, coprime). */
static uint32_t parent_of(uint32_t i) { return i % 613; }
static uint32_t child_of(uint32_t i) { return (i * 7919u) % 1009; }

/* Every edge of [0, n) is found with calls i + 1, and e[] holds them in the order they came. */
static void check_all(const struct rt_edge_map *m, uint32_t n) {
  CHECK(m->n == n);
  CHECK(m->cap >= 2 * (n + 1) && (m->cap & (m->cap - 1)) == 0); /* a power of two, half full */
  uint32_t found = 0, ordered = 0;
  for (uint32_t i = 0; i < n; i++) {
    const struct rt_edge *e = rt_edge_map_find(m, parent_of(i), child_of(i));
    found += e && e->calls == i + 1;
    ordered += m->e[i].parent == parent_of(i) && m->e[i].child == child_of(i);
  }
  CHECK(found == n);
  CHECK(ordered == n);
  CHECK(rt_edge_map_find(m, 700, 0) == NULL); /* no caller is 613 or above */
}

int main(void) {
  struct rt_edge_map m;
  memset(&m, 0, sizeof m);
  CHECK(rt_edge_map_find(&m, 1, 2) == NULL);

  /* grown one edge at a time, from empty */
  for (uint32_t i = 0; i < N; i++) {
    struct rt_edge *e = rt_edge_map_get(&m, parent_of(i), child_of(i));
    CHECK(e && e->calls == 0 && e->time_ns == 0 && e->icalls == 0 && e->itime_ns == 0);
    if (e)
      e->calls = i + 1;
  }
  check_all(&m, N);
  /* an edge it has is not added again */
  struct rt_edge *again = rt_edge_map_get(&m, parent_of(17), child_of(17));
  CHECK(again && again->calls == 18 && m.n == N);

  /* a copy is whole and separate */
  struct rt_edge_map c;
  CHECK(rt_edge_map_copy(&c, &m) == 0);
  check_all(&c, N);
  rt_edge_map_get(&c, 700, 1)->calls = 1;
  CHECK(c.n == N + 1 && m.n == N && rt_edge_map_find(&m, 700, 1) == NULL);
  rt_edge_map_free(&c);
  CHECK(c.e == NULL && c.slot == NULL && c.n == 0 && c.cap == 0);
  rt_edge_map_free(&m);

  /* reserved: the edges then fit without moving */
  CHECK(rt_edge_map_reserve(&m, N) == 0);
  const struct rt_edge *base = m.e;
  uint32_t cap = m.cap;
  for (uint32_t i = 0; i < N; i++)
    rt_edge_map_get(&m, parent_of(i), child_of(i))->calls = i + 1;
  CHECK(m.e == base && m.cap == cap);
  check_all(&m, N);
  /* reserving what it has or less changes nothing; more keeps every edge */
  CHECK(rt_edge_map_reserve(&m, N / 2) == 0 && m.e == base && m.cap == cap);
  CHECK(rt_edge_map_reserve(&m, 4 * N) == 0 && m.cap >= 8 * N);
  check_all(&m, N);
  rt_edge_map_free(&m);

  /* an empty copy */
  CHECK(rt_edge_map_copy(&c, &m) == 0 && c.n == 0 && rt_edge_map_find(&c, 1, 2) == NULL);
  rt_edge_map_free(&c);

  if (failures)
    return 1;
  puts("edge-map ok");
  return 0;
}
