/* rt-meta.c: parser for the plugin's metadata text (doc/ABI.md), tolerant of bad input. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rt-internal.h"

#define META_MAX_FIELDS 4096

/* Digits only, at most UINT32_MAX (what strtoull with a full-string check accepted), without
 * strtoull's locale and errno work: the metadata of a large program has millions of fields. */
static int meta_u32(const char *s, uint32_t *out) {
  if (!s || *s < '0' || *s > '9')
    return -1;
  uint64_t v = 0;
  for (; *s >= '0' && *s <= '9'; s++)
    if ((v = v * 10 + (uint64_t)(*s - '0')) > UINT32_MAX)
      return -1;
  if (*s)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

static uint32_t meta_counter(const char *s, uint32_t num_counters, int *ok) {
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

static int meta_record(struct rt_meta *m, char **f, size_t nf, uint32_t nc) {
  int ok = 1;
  uint32_t fn;
  if (nf < 2 || meta_u32(f[1], &fn) != 0 || fn >= m->num_functions)
    return 0;
  if (strcmp(f[0], "F") == 0 && nf >= 9) {
    struct rt_meta_fn *r = &m->fns[fn];
    if (r->present)
      return 0;
    struct rt_meta_fn v = {1, f[6], f[7], f[3], meta_counter(f[2], nc, &ok), 0, 0,
                           strchr(f[8], 's') != NULL, strchr(f[8], 'u') != NULL,
                           strchr(f[8], 'r') != NULL};
    if (meta_u32(f[4], &v.line) || meta_u32(f[5], &v.column) || !ok)
      return 0;
    *r = v;
  } else if (strcmp(f[0], "L") == 0 && nf >= 8) {
    struct rt_meta_loop v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0, 0,
                             f[4]};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || meta_u32(f[7], &v.depth) ||
        v.depth == 0 || !ok)
      return 0;
    struct rt_meta_loop *r = META_PUSH(m->loops, m->nloops);
    if (!r)
      return -1;
    *r = v;
  } else if (strcmp(f[0], "B") == 0 && nf >= 7) {
    struct rt_meta_branch v = {fn, meta_counter(f[2], nc, &ok), meta_counter(f[3], nc, &ok), 0, 0,
                               f[4]};
    if (meta_u32(f[5], &v.line) || meta_u32(f[6], &v.column) || !ok)
      return 0;
    struct rt_meta_branch *r = META_PUSH(m->branches, m->nbranches);
    if (!r)
      return -1;
    *r = v;
  } else if (strcmp(f[0], "S") == 0 && nf >= 6) {
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
  } else if (strcmp(f[0], "C") == 0 && nf >= 8) {
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
  char *save = NULL;
  for (char *line = strtok_r(out->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    size_t nf = 0;
    for (char *p = line; nf < META_MAX_FIELDS;) {
      f[nf++] = p;
      p = strchr(p, '\t');
      if (!p)
        break;
      *p++ = '\0';
    }
    if (!header) {
      /* The first line must identify the format; anything else is not ours. */
      if (nf < 2 || strcmp(f[0], "cprof-metadata") != 0 || strcmp(f[1], "1") != 0)
        break;
      header = 1;
    } else if (strcmp(f[0], "module") == 0 && nf >= 3) {
      out->source = f[1];
      out->directory = f[2];
    } else if (meta_record(out, f, nf, num_counters) != 0) {
      free(f);
      rt_meta_free(out);
      return -1;
    }
  }
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
  free(m->fns);
  free(m->buf);
  memset(m, 0, sizeof *m);
}
