/* rt-json.c: renders a snapshot as the JSON profile of doc/PROFILE-FORMAT.md (cJSON for the small
 * sections and for escaping; the large arrays are streamed as text, see "the streamed writer"). */
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt-internal.h"

struct jw {
  char *buf, *p, *end;
  int oom;
  int fd;  /* >= 0: the text goes to fd whenever the buffer is full (rt_json_write) */
  int err; /* the errno of a failed write to fd */
};

/* A name as the streamed sections write it, kept from one site to the next: consecutive sites
 * mostly share their file and function, and scanning them again for characters to escape was
 * most of what a site cost (jw_site). */
struct jw_name_cache {
  const char *key;   /* the name as recorded; NULL: nothing kept yet */
  const char *shown; /* what is written: key, or its hash under CPROF_REDACT=1 */
  size_t plain;      /* jw_plain_len (shown) */
  char hashed[18];
};

struct json_ctx {
  const struct rt_snapshot *s;
  struct rt_meta *meta; /* per module */
  int oom;
  uint32_t *fid_mod;    /* module index of each fid */
  struct jw w;          /* the document's text */
  struct jw_name_cache site_file, site_fn; /* jw_site's last file and function */
};

/* ---- cJSON helpers: any allocation failure marks the whole document as failed ------------ */

static cJSON *json_check(struct json_ctx *j, cJSON *item) {
  if (!item)
    j->oom = 1;
  return item;
}

/* Adds item under key, which is not copied: every key is a literal or outlives the document
 * (an event name). Fewer allocations per member is most of the writer's speed. */
static void json_add(struct json_ctx *j, cJSON *obj, const char *key, cJSON *item) {
  if (!json_check(j, item))
    return;
  if (!cJSON_AddItemToObjectCS(obj, key, item)) {
    cJSON_Delete(item);
    j->oom = 1;
  }
}

/* Numbers are raw digits: cJSON prints a number item through "%1.15g" and reads it back, which
 * costs more than the rest of the writer together. */
static void json_u64(struct json_ctx *j, cJSON *obj, const char *key, uint64_t v) {
  char buf[24], *p = buf + sizeof buf;
  *--p = 0;
  do
    *--p = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  json_add(j, obj, key, cJSON_CreateRaw(p));
}

static void json_str(struct json_ctx *j, cJSON *obj, const char *key, const char *v) {
  json_add(j, obj, key, cJSON_CreateString(v ? v : ""));
}

/* CPROF_REDACT=1: "h" and the 16 hex digits of the name's 64-bit FNV-1a hash. */
static const char *json_redact(const char *v, char out[18]) {
  if (!rt_config.redact || !v || !*v || strcmp(v, "<unknown>") == 0)
    return v;
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char *c = (const unsigned char *)v; *c; c++)
    h = (h ^ *c) * 1099511628211ull;
  snprintf(out, 18, "h%016" PRIx64, h);
  return out;
}

/* A function, file or object name: hashed under CPROF_REDACT=1. */
static void json_name(struct json_ctx *j, cJSON *obj, const char *key, const char *v) {
  char buf[18];
  json_str(j, obj, key, json_redact(v, buf));
}

/* Appends the decimal digits of v. */
static char *json_digits(char *p, uint64_t v) {
  char tmp[24], *q = tmp + sizeof tmp;
  do
    *--q = (char)('0' + v % 10);
  while ((v /= 10) != 0);
  size_t n = (size_t)(tmp + sizeof tmp - q);
  memcpy(p, q, n);
  return p + n;
}

/* ---- the streamed writer: the large arrays go straight into a text buffer --------------------
 * A cJSON tree costs an allocation (two for a string) and a free per member, then a print pass:
 * for 10,000 functions that was most of the dump. The large sections (functions, call graph,
 * loops, branches, switches) are written here as text; the small ones are still cJSON trees,
 * printed and spliced in document order (jw_flush). Strings that need escaping are printed by
 * cJSON itself (a stack item into the reserved space), so the escaping is cJSON's byte for byte.
 * rt_json_write streams the buffer to the file whenever it fills; rt_json_render keeps it all. */

/* Writes the buffer out to w->fd and empties it; on failure marks oom (nothing more is written). */
static int jw_drain(struct jw *w) {
  for (const char *q = w->buf; q < w->p;) {
    ssize_t k = write(w->fd, q, (size_t)(w->p - q));
    if (k < 0 && errno == EINTR)
      continue;
    if (k <= 0) {
      w->err = k < 0 ? errno : EIO;
      w->oom = 1;
      return -1;
    }
    q += k;
  }
  w->p = w->buf;
  return 0;
}

/* Makes room for n more bytes (and a NUL); on failure marks oom and returns 0. */
static __attribute__((noinline)) int jw_grow(struct jw *w, size_t n) {
  if (w->oom)
    return 0;
  /* streaming: the buffer (JW_CHUNK) is written out, and grows only for a longer item */
  if (w->fd >= 0 && w->p > w->buf && jw_drain(w) == 0 && (size_t)(w->end - w->p) > n)
    return 1;
  if (w->oom)
    return 0;
  size_t used = (size_t)(w->p - w->buf), cap = (size_t)(w->end - w->buf);
  size_t want = cap ? cap : 4096;
  while (want - used <= n)
    want *= 2;
  char *b = realloc(w->buf, want);
  if (!b) {
    w->oom = 1;
    return 0;
  }
  w->buf = b;
  w->p = b + used;
  w->end = b + want;
  return 1;
}

/* Room for n more bytes and a terminating NUL. */
static inline __attribute__((always_inline)) int jw_room(struct jw *w, size_t n) {
  return RT_LIKELY((size_t)(w->end - w->p) > n) ? 1 : jw_grow(w, n);
}

/* Inlined, so that a literal's copy is a few moves. */
static inline __attribute__((always_inline)) void jw_mem(struct jw *w, const char *s, size_t n) {
  if (jw_room(w, n)) {
    memcpy(w->p, s, n);
    w->p += n;
  }
}

/* A literal (a key with its punctuation): its length is known at compile time. */
#define JW_LIT(w, lit) jw_mem((w), (lit), sizeof(lit) - 1)

static const char jw_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233"
                                  "34353637383940414243444546474849505152535455565758596061626364656667"
                                  "6869707172737475767778798081828384858687888990919293949596979899";

/* 10^k for k in [0, 19] */
static const uint64_t jw_pow10[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull};

/* The decimal digits of v, written backwards two at a time; the count from the bit length
   (log10(2) ~ 1233 / 4096), not a division per digit. */
static void jw_u64(struct jw *w, uint64_t v) {
  if (!jw_room(w, 24))
    return;
  if (v < 10) {
    *w->p++ = (char)('0' + v);
    return;
  }
  unsigned t = (unsigned)((64 - __builtin_clzll(v)) * 1233) >> 12;
  unsigned n = t + (v >= jw_pow10[t]); /* v >= 10: t >= 1 */
  char *q = w->p + n;
  w->p = q;
  while (v >= 100) {
    q -= 2;
    memcpy(q, jw_pairs + 2 * (v % 100), 2);
    v /= 100;
  }
  if (v >= 10)
    memcpy(q - 2, jw_pairs + 2 * v, 2);
  else
    q[-1] = (char)('0' + v);
}

/* The bytes a JSON string escapes (cJSON's rule: '"', '\\', below 0x20), and NUL, which ends
   the scan. */
static const unsigned char jw_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1};

/* The length of s when it needs no escaping, else SIZE_MAX: one table-driven pass. */
static inline size_t jw_plain_len(const char *s) {
  const unsigned char *c = (const unsigned char *)s;
  while (!jw_special[*c])
    c++;
  return *c ? SIZE_MAX : (size_t)(c - (const unsigned char *)s);
}

/* jw_str of s (not NULL) whose jw_plain_len is n, known already (jw_site keeps it). */
static void jw_str_plain(struct jw *w, const char *s, size_t n) {
  if (n != SIZE_MAX) {
    if (n > INT_MAX / 6 - 3) { /* the limit of the escaped case below */
      w->oom = 1;
      return;
    }
    if (!jw_room(w, n + 3))
      return;
    *w->p++ = '"';
    memcpy(w->p, s, n);
    w->p += n;
    *w->p++ = '"';
    return;
  }
  n = strlen(s);
  if (n > INT_MAX / 6 - 3) { /* past what cJSON_PrintPreallocated can be given */
    w->oom = 1;
    return;
  }
  if (!jw_room(w, 6 * n + 3))
    return;
  cJSON item;
  memset(&item, 0, sizeof item);
  item.type = cJSON_String | cJSON_IsReference;
  item.valuestring = (char *)s;
  if (!cJSON_PrintPreallocated(&item, w->p, (int)(6 * n + 3), 0)) {
    w->oom = 1;
    return;
  }
  w->p += strlen(w->p);
}

/* A JSON string exactly as cJSON prints it: '"', '\\' and bytes below 0x20 escaped, every other
 * byte (invalid UTF-8 included) copied. */
static void jw_str(struct jw *w, const char *s) {
  if (!s)
    s = "";
  jw_str_plain(w, s, jw_plain_len(s));
}

static int jw_same_double(double a, double b) { /* cJSON's compare_double */
  double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
  return fabs(a - b) <= max * DBL_EPSILON;
}

/* "0." and the digits of q (width digits, the first nonzero), trailing zeros dropped: %g's
 * fixed form of a value in [0.1, 1). */
static char *jw_fraction(char *p, uint64_t q, int width) {
  char d[24];
  int i = width;
  for (; i >= 2; i -= 2, q /= 100)
    memcpy(d + i - 2, jw_pairs + 2 * (q % 100), 2);
  if (i)
    d[0] = (char)('0' + q % 10);
  while (width > 1 && d[width - 1] == '0')
    width--;
  *p++ = '0';
  *p++ = '.';
  memcpy(p, d, (size_t)width);
  return p + width;
}

/* round-half-even of m * 10^k / 2^53 (m < 2^53, k <= 17) */
static uint64_t jw_scale(uint64_t m, uint64_t pow10) {
  unsigned __int128 x = (unsigned __int128)m * pow10;
  uint64_t q = (uint64_t)(x >> 53), r = (uint64_t)x & ((1ull << 53) - 1);
  if (r > (1ull << 52) || (r == (1ull << 52) && (q & 1)))
    q++;
  return q;
}

/* A number as cJSON prints it ("%1.15g" when that reads back to the same double, else "%1.17g").
 * The shares in [0.5, 1) (prediction rates) are formatted here exactly, with integer arithmetic
 * (printf's and strtod's correct rounding); anything else goes through cJSON. */
static void jw_double(struct jw *w, double d) {
  if (!jw_room(w, 64))
    return;
  if (d == 0.0 && !signbit(d)) {
    *w->p++ = '0';
    return;
  }
  if (d == 1.0) {
    *w->p++ = '1';
    return;
  }
  if (d >= 0.5 && d < 1.0) {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t m = (bits & ((1ull << 52) - 1)) | (1ull << 52); /* d = m / 2^53 */
    const uint64_t p15 = 1000000000000000ull;
    uint64_t q = jw_scale(m, p15); /* d * 10^15, rounded: %1.15g's digits */
    double back;
    if (q >= p15) {
      back = 1.0;
    } else {
      /* strtod of 0.<q>: the nearest double k / 2^53, ties to even */
      unsigned __int128 x = (unsigned __int128)q << 53;
      uint64_t k = (uint64_t)(x / p15), r = (uint64_t)(x % p15);
      if (2 * r > p15 || (2 * r == p15 && (k & 1)))
        k++;
      back = (double)k * 0x1p-53; /* exact: k <= 2^53 */
    }
    if (jw_same_double(back, d)) {
      if (q >= p15)
        *w->p++ = '1';
      else
        w->p = jw_fraction(w->p, q, 15);
    } else {
      w->p = jw_fraction(w->p, jw_scale(m, 100000000000000000ull), 17);
    }
    return;
  }
  cJSON *item = cJSON_CreateNumber(d);
  if (!item || !cJSON_PrintPreallocated(item, w->p, 64, 0)) {
    w->oom = 1;
  } else {
    w->p += strlen(w->p);
  }
  cJSON_Delete(item);
}

/* A function, file or object name: hashed under CPROF_REDACT=1. */
static void jw_name(struct jw *w, const char *v) {
  char buf[18];
  jw_str(w, json_redact(v, buf));
}

/* The members of a cJSON object, printed by cJSON, spliced into the text after a comma unless
 * first; the object is emptied. Returns whether anything was written. */
static int jw_flush(struct json_ctx *j, cJSON *tree, int first) {
  if (!tree || !tree->child)
    return 0;
  char *text = cJSON_PrintUnformatted(tree);
  if (!text) {
    j->oom = 1;
    return 0;
  }
  size_t n = strlen(text); /* "{...}" */
  if (!first)
    JW_LIT(&j->w, ",");
  struct jw *w = &j->w;
  if (n > 2 && w->fd >= 0 && n - 2 > (size_t)(w->end - w->p) && !w->oom && jw_drain(w) == 0) {
    /* streaming, and longer than the room left (a CPROF_TRACE timeline): written from cJSON's
     * text as it is, not copied into a buffer grown to its size */
    struct jw whole = {text + 1, text + n - 1, text + n - 1, 0, w->fd, 0};
    if (jw_drain(&whole) != 0) {
      w->err = whole.err;
      w->oom = 1;
    }
  } else if (n > 2) {
    jw_mem(w, text + 1, n - 2);
  }
  cJSON_free(text);
  while (tree->child) {
    cJSON *c = cJSON_DetachItemViaPointer(tree, tree->child);
    cJSON_Delete(c);
  }
  return 1;
}

static void json_num(struct json_ctx *j, cJSON *obj, const char *key, double v) {
  json_add(j, obj, key, cJSON_CreateNumber(v));
}

static void json_bool(struct json_ctx *j, cJSON *obj, const char *key, int v) {
  json_add(j, obj, key, cJSON_CreateBool(v));
}

static cJSON *json_push(struct json_ctx *j, cJSON *arr) {
  cJSON *o = json_check(j, cJSON_CreateObject());
  if (o && !cJSON_AddItemToArray(arr, o)) {
    cJSON_Delete(o);
    j->oom = 1;
    return NULL;
  }
  return o;
}

static uint64_t json_counter(const struct json_ctx *j, uint32_t mod, uint32_t counter) {
  return counter == RT_NONE ? 0 : j->s->counters[mod][counter];
}

static const struct rt_meta_fn *json_fn(const struct json_ctx *j, uint32_t fid, uint32_t *mod) {
  static const struct rt_meta_fn unknown = {0, "<unknown>", "<unknown>", "", RT_NONE, 0, 0, 0, 0, 0};
  if (fid < j->s->nfids && j->fid_mod[fid] != RT_NONE) {
    uint32_t i = *mod = j->fid_mod[fid];
    const struct rt_meta_fn *f = &j->meta[i].fns[fid - j->s->mods[i]->fid_base];
    return f->present ? f : &unknown;
  }
  *mod = 0;
  return &unknown;
}

/* The entry counter; never below the timed calls (every timed call is a call): the two can
 * only disagree for a function without a valid entry counter, or for a live thread read while
 * it runs. */
static uint64_t json_calls(const struct json_ctx *j, uint32_t mod, uint32_t local) {
  const struct rt_meta_fn *f = &j->meta[mod].fns[local];
  uint64_t calls = f->present ? json_counter(j, mod, f->entry) : 0;
  const struct rt_fn_time *t = rt_snapshot_fn(j->s, j->s->mods[mod]->fid_base + local);
  uint64_t timed = t->timed_calls + t->skipped;
  return calls > timed ? calls : timed;
}

static const char *json_nonempty(const char *s) { return s && *s ? s : "<unknown>"; }

/* The command line, quoted for a POSIX shell where needed. */
static char *json_command_line(void) {
  size_t cap = 1;
  for (int i = 0; i < rt_config.argc; i++)
    cap += 4 * strlen(rt_config.argv[i]) + 3;
  char *out = malloc(cap), *p = out;
  if (!out)
    return NULL;
  for (int i = 0; i < rt_config.argc; i++) {
    const char *a = rt_config.argv[i];
    if (i)
      *p++ = ' ';
    int plain = *a != '\0';
    for (const char *c = a; *c && plain; c++)
      plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%",
                     *c) != NULL;
    if (plain) {
      p = stpcpy(p, a);
      continue;
    }
    *p++ = '\'';
    for (const char *c = a; *c; c++) {
      if (*c == '\'')
        p = stpcpy(p, "'\\''");
      else
        *p++ = *c;
    }
    *p++ = '\'';
  }
  *p = '\0';
  return out;
}

/* ---- linkage-name resolution for direct call records ------------------------------------ */

struct json_sym {
  const char *name;
  uint32_t module; /* RT_NONE for a public symbol */
  uint32_t fid;
  uint64_t calls;
};

/* The symbols in the order they came, e[0, n), and a table of mask + 1 slots (at most half full)
 * that holds each one's index + 1 (0: empty): 4 bytes a slot rather than a symbol's 24, whose
 * pages are page faults at exit. */
struct json_symtab {
  struct json_sym *e;
  uint32_t *slot;
  uint32_t mask, n;
};

static uint32_t json_sym_hash(const char *name, uint32_t module) {
  uint32_t h = 2166136261u ^ module;
  for (; *name; name++)
    h = (h ^ (unsigned char)*name) * 16777619u;
  return h;
}

/* The slot of name in module (RT_NONE: a public name): its index + 1, or 0 where it would go. */
static uint32_t *json_sym_slot(const struct json_symtab *t, const char *name, uint32_t module) {
  uint32_t h = json_sym_hash(name, module) & t->mask;
  /* the metadata's strings are interned per module: mostly the same pointer */
  for (; t->slot[h]; h = (h + 1) & t->mask) {
    const struct json_sym *e = &t->e[t->slot[h] - 1];
    if (e->module == module && (e->name == name || strcmp(e->name, name) == 0))
      break;
  }
  return &t->slot[h];
}

/* Static functions resolve per module; public ones across modules. When a public name has
 * several instrumented copies (C++ vague linkage), the copy that ran wins, then the first. */
static int json_symtab_build(struct json_ctx *j, struct json_symtab *t) {
  uint32_t cap = 16;
  while (cap < 2 * (uint64_t)j->s->nfids + 16)
    cap *= 2;
  t->e = malloc((j->s->nfids ? j->s->nfids : 1) * sizeof *t->e);
  t->slot = calloc(cap, sizeof *t->slot);
  t->mask = cap - 1;
  t->n = 0;
  if (!t->e || !t->slot) {
    free(t->e);
    free(t->slot);
    return -1;
  }
  for (uint32_t i = 0; i < j->s->nmods; i++) {
    const struct rt_module *m = j->s->mods[i];
    for (uint32_t k = 0; k < m->num_functions; k++) {
      const struct rt_meta_fn *f = &j->meta[i].fns[k];
      if (!f->present || !*f->linkage)
        continue;
      uint32_t module = f->is_static ? i : RT_NONE;
      struct json_sym v = {f->linkage, module, m->fid_base + k, json_calls(j, i, k)};
      uint32_t *slot = json_sym_slot(t, f->linkage, module);
      if (!*slot) {
        t->e[t->n] = v; /* at most one per fid */
        *slot = ++t->n;
      } else if (v.calls > t->e[*slot - 1].calls) {
        t->e[*slot - 1] = v;
      }
    }
  }
  return 0;
}

static int json_cmp_edge(const void *a, const void *b) {
  const struct rt_edge *x = *(const struct rt_edge *const *)a, *y = *(const struct rt_edge *const *)b;
  if (x->parent != y->parent)
    return x->parent < y->parent ? -1 : 1;
  return x->child < y->child ? -1 : x->child > y->child;
}

static void jw_edge(struct json_ctx *j, int *first, uint32_t caller, uint32_t callee,
                    uint64_t calls, uint64_t time_ns, int indirect) {
  struct jw *w = &j->w;
  uint32_t mod;
  if (*first)
    JW_LIT(w, "{\"caller\":");
  else
    JW_LIT(w, ",{\"caller\":");
  *first = 0;
  jw_name(w, json_nonempty(json_fn(j, caller, &mod)->name));
  JW_LIT(w, ",\"callee\":");
  jw_name(w, json_nonempty(json_fn(j, callee, &mod)->name));
  JW_LIT(w, ",\"caller_id\":");
  jw_u64(w, caller);
  JW_LIT(w, ",\"callee_id\":");
  jw_u64(w, callee);
  JW_LIT(w, ",\"calls\":");
  jw_u64(w, calls);
  JW_LIT(w, ",\"total_time_ns\":");
  jw_u64(w, time_ns);
  if (indirect)
    JW_LIT(w, ",\"kind\":\"indirect\"}");
  else
    JW_LIT(w, ",\"kind\":\"direct\"}");
}

/* A direct edge of the call graph, summed over its call sites. */
struct json_cg_edge {
  uint32_t caller, callee;
  uint64_t calls;
};

static uint32_t json_cg_hash(uint32_t caller, uint32_t callee) {
  uint32_t h = caller * 0x9e3779b1u ^ callee * 0x85ebca77u;
  return h ^ (h >> 15);
}

static void json_call_graph(struct json_ctx *j) {
  int first = 1;
  JW_LIT(&j->w, ",\"call_graph\":[");
  struct json_symtab syms;
  if (json_symtab_build(j, &syms) != 0) {
    j->oom = 1;
    return;
  }
  /* The direct edges in the order their first call site comes, merged through a table of
     indexes into that list: an rt_edge_map, built the same way, would hold 40-byte edges where
     these are 16 (SQLite has 12,000 call sites, every page of them faulted in at exit). */
  size_t ncalls = 0; /* at most one edge per call record */
  for (uint32_t i = 0; i < j->s->nmods; i++)
    ncalls += j->meta[i].ncalls;
  uint32_t cap = 16;
  while (cap <= 2 * (uint64_t)ncalls && cap < (1u << 31)) /* at most half full */
    cap *= 2;
  struct json_cg_edge *order = malloc((ncalls ? ncalls : 1) * sizeof *order);
  uint32_t *slot = cap > 2 * (uint64_t)ncalls ? malloc(cap * sizeof *slot) : NULL;
  size_t norder = 0;
  if (!order || !slot)
    j->oom = 1;
  else
    memset(slot, 0xff, cap * sizeof *slot); /* RT_NONE */
  for (uint32_t i = 0; i < j->s->nmods && !j->oom; i++) {
    const struct rt_meta *meta = &j->meta[i];
    for (size_t k = 0; k < meta->ncalls; k++) {
      const struct rt_meta_call *c = &meta->calls[k];
      uint32_t sym = *json_sym_slot(&syms, c->callee, c->callee_static ? i : RT_NONE);
      if (!sym)
        continue; /* the callee is not instrumented */
      uint32_t caller = j->s->mods[i]->fid_base + c->fn, callee = syms.e[sym - 1].fid, h;
      for (h = json_cg_hash(caller, callee) & (cap - 1); slot[h] != RT_NONE; h = (h + 1) & (cap - 1))
        if (order[slot[h]].caller == caller && order[slot[h]].callee == callee)
          break;
      if (slot[h] == RT_NONE) {
        slot[h] = (uint32_t)norder;
        order[norder++] = (struct json_cg_edge){caller, callee, 0};
      }
      order[slot[h]].calls += json_counter(j, i, c->counter);
    }
  }
  free(slot);
  for (size_t k = 0; k < norder && !j->oom; k++) {
    const struct json_cg_edge *e = &order[k];
    const struct rt_edge *seen = rt_edge_map_find(&j->s->edges, e->caller, e->callee);
    jw_edge(j, &first, e->caller, e->callee, e->calls, seen ? seen->time_ns : 0, 0);
  }
  /* Edges to and from named regions have no call-site counter: they are the observed ones. */
  uint32_t rlo = 0, rhi = 0;
  for (uint32_t i = 0; i < j->s->nmods; i++)
    if (j->s->mods[i]->abi == rt_region_module()) {
      rlo = j->s->mods[i]->fid_base;
      rhi = rlo + j->s->mods[i]->num_functions;
    }
  const struct rt_edge **reg = rhi ? calloc(j->s->edges.n + 1, sizeof *reg) : NULL;
  size_t nreg = 0;
  for (uint32_t k = 0; reg && k < j->s->edges.n; k++) {
    const struct rt_edge *e = &j->s->edges.e[k];
    if (e->calls &&
        ((e->parent >= rlo && e->parent < rhi) || (e->child >= rlo && e->child < rhi)))
      reg[nreg++] = e;
  }
  if (rhi && !reg)
    j->oom = 1;
  else if (reg)
    qsort(reg, nreg, sizeof *reg, json_cmp_edge);
  for (size_t k = 0; k < nreg && !j->oom; k++)
    jw_edge(j, &first, reg[k]->parent, reg[k]->child, reg[k]->calls, reg[k]->time_ns, 0);
  free(reg);
  const struct rt_edge **ind = calloc(j->s->edges.n + 1, sizeof *ind);
  size_t nind = 0;
  for (uint32_t k = 0; ind && k < j->s->edges.n; k++) {
    const struct rt_edge *e = &j->s->edges.e[k];
    if (e->icalls)
      ind[nind++] = e;
  }
  if (!ind)
    j->oom = 1;
  else
    qsort(ind, nind, sizeof *ind, json_cmp_edge);
  for (size_t k = 0; k < nind && !j->oom; k++)
    jw_edge(j, &first, ind[k]->parent, ind[k]->child, ind[k]->icalls, ind[k]->itime_ns, 1);
  free(ind);
  free(order);
  free(syms.e);
  free(syms.slot);
  JW_LIT(&j->w, "]");
}

/* ---- sections ---------------------------------------------------------------------------- */

/* {"name": count} for each supported event of CPROF_EVENTS. */
static void json_event_values(struct json_ctx *j, cJSON *parent, const uint64_t *v) {
  cJSON *o = json_check(j, cJSON_AddObjectToObject(parent, "events"));
  for (uint32_t i = 0; o && i < rt_events.n; i++)
    if (rt_events.supported[i])
      json_u64(j, o, rt_events.name[i], v[i]);
}

static void json_events(struct json_ctx *j, cJSON *root) {
  if (!rt_events.n)
    return;
  cJSON *arr = json_check(j, cJSON_AddArrayToObject(root, "events"));
  for (uint32_t i = 0; arr && i < rt_events.n; i++) {
    cJSON *o = json_push(j, arr);
    if (!o)
      return;
    uint64_t total = 0;
    for (size_t k = 0; k < j->s->nthreads; k++)
      total += j->s->threads[k].events[i];
    json_str(j, o, "name", rt_events.name[i]);
    json_bool(j, o, "supported", rt_events.supported[i]);
    json_u64(j, o, "total", total);
  }
}

static uint64_t json_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

#define JSON_MEM_SITES 64

static void json_memory(struct json_ctx *j, cJSON *root) {
  const struct rt_mem_snapshot *m = &j->s->mem;
  if (!m->enabled)
    return;
  const struct rt_mem_stats *st = &m->total;
  cJSON *o = json_check(j, cJSON_AddObjectToObject(root, "memory"));
  if (!o)
    return;
  json_u64(j, o, "allocations", st->allocs);
  json_u64(j, o, "reallocations", st->reallocs);
  json_u64(j, o, "frees", st->frees);
  json_u64(j, o, "allocated_bytes", st->alloc_bytes);
  json_u64(j, o, "freed_bytes", st->freed_bytes);
  json_u64(j, o, "live_blocks", json_sub(st->allocs, st->frees));
  json_u64(j, o, "live_bytes", json_sub(st->alloc_bytes, st->freed_bytes));
  json_u64(j, o, "peak_live_bytes", m->peak_bytes);
  cJSON *cls = json_check(j, cJSON_AddObjectToObject(o, "size_classes"));
  if (cls) {
    json_u64(j, cls, "small", st->cls[0]);
    json_u64(j, cls, "medium", st->cls[1]);
    json_u64(j, cls, "large", st->cls[2]);
  }
  cJSON *hist = json_check(j, cJSON_AddArrayToObject(o, "histogram"));
  for (unsigned b = 0; hist && b < RT_MEM_HIST; b++) {
    if (!st->hist[b])
      continue;
    cJSON *h = json_push(j, hist);
    if (!h)
      break;
    json_u64(j, h, "min_bytes", b ? (uint64_t)1 << (b - 1) : 0);
    json_u64(j, h, "max_bytes", b == 0 ? 0 : b == 64 ? UINT64_MAX : ((uint64_t)1 << b) - 1);
    json_u64(j, h, "count", st->hist[b]);
  }
  cJSON *sites = json_check(j, cJSON_AddArrayToObject(o, "sites"));
  for (size_t i = 0; sites && i < m->nsites && i < JSON_MEM_SITES; i++) {
    const struct rt_mem_site *s = &m->sites[i];
    cJSON *so = json_push(j, sites);
    if (!so)
      break;
    char addr[32];
    snprintf(addr, sizeof addr, "0x%" PRIxPTR, s->ra);
    Dl_info info;
    int ok = dladdr((void *)(s->ra - 1), &info) != 0; /* the call, not the next instruction */
    json_str(j, so, "return_address", addr);
    json_name(j, so, "object", ok && info.dli_fname ? info.dli_fname : "");
    json_u64(j, so, "object_offset", ok ? s->ra - (uintptr_t)info.dli_fbase : 0);
    json_name(j, so, "symbol", ok && info.dli_sname ? info.dli_sname : "");
    json_u64(j, so, "symbol_offset", ok && info.dli_saddr ? s->ra - (uintptr_t)info.dli_saddr : 0);
    json_u64(j, so, "allocations", s->allocs);
    json_u64(j, so, "allocated_bytes", s->bytes);
  }
  json_u64(j, o, "sites_total", m->nsites);
  json_u64(j, o, "sites_dropped", st->sites_dropped);
}

/* The time below which a share p[i] of the timed calls fell, for shares in increasing order:
 * interpolated inside its histogram bucket, within [min, max]; one pass over the non-empty
 * buckets, the set bits of nonzero (json_lat_mask). */
static void json_percentiles(const struct rt_fn_time *t, const uint64_t *nonzero, const double *p,
                             uint64_t *out, int n) {
  uint64_t seen = 0;
  int i = 0;
  for (uint32_t word = 0; word < RT_LAT_BUCKETS / 64 && i < n; word++)
  for (uint64_t bits = nonzero[word]; bits && i < n; bits &= bits - 1) {
    uint32_t b = word * 64 + (uint32_t)__builtin_ctzll(bits);
    for (; i < n; i++) {
      uint64_t rank = (uint64_t)(p[i] * (double)t->timed_calls + 0.999999);
      if (rank < 1)
        rank = 1;
      if (seen + t->lat[b] < rank)
        break;
      uint64_t lo = rt_lat_bucket_min(b);
      uint64_t hi = b + 1 < RT_LAT_BUCKETS ? rt_lat_bucket_min(b + 1) : t->max_ns + 1;
      if (lo < t->min_ns)
        lo = t->min_ns;
      if (hi > t->max_ns + 1)
        hi = t->max_ns + 1;
      uint64_t v = hi > lo ? lo + (uint64_t)((double)(hi - lo) * (double)(rank - seen) /
                                             (double)t->lat[b])
                           : lo;
      if (hi > lo && v >= hi)
        v = hi - 1; /* hi is the next bucket's first value */
      out[i] = v > t->max_ns ? t->max_ns : v < t->min_ns ? t->min_ns : v;
    }
    seen += t->lat[b];
  }
  for (; i < n; i++)
    out[i] = t->max_ns;
}

static int json_cmp_thread(const void *a, const void *b) {
  const struct rt_thread_summary *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

static void json_threads(struct json_ctx *j, cJSON *arr) {
  struct rt_thread_summary *th = (struct rt_thread_summary *)j->s->threads;
  qsort(th, j->s->nthreads, sizeof *th, json_cmp_thread);
  for (size_t i = 0; i < j->s->nthreads; i++) {
    cJSON *o = json_push(j, arr);
    if (!o)
      return;
    json_u64(j, o, "id", th[i].id);
    json_u64(j, o, "tid", (uint64_t)th[i].tid);
    json_name(j, o, "name", th[i].name);
    json_bool(j, o, "main", th[i].is_main);
    json_u64(j, o, "timed_calls", th[i].timed_calls);
    json_u64(j, o, "max_depth", th[i].max_depth);
    json_u64(j, o, "unwound_frames", th[i].unwound_frames);
    json_u64(j, o, "runtime_ns", th[i].runtime_ns);
    if (rt_events_on)
      json_event_values(j, o, th[i].events);
  }
}

static cJSON *json_array(struct json_ctx *j, cJSON *root, const char *key) {
  return json_check(j, cJSON_AddArrayToObject(root, key));
}

/* "trace" (CPROF_TRACE=1): each thread's events as one raw array, [[t_ns, fid, kind], ...]:
 * written here digit by digit, as a document of millions of cJSON items would be slow. */
static void json_trace(struct json_ctx *j, cJSON *root) {
  const struct rt_trace_snapshot *ts = &j->s->trace;
  cJSON *o = json_check(j, cJSON_AddObjectToObject(root, "trace"));
  if (!o)
    return;
  uint64_t recorded = 0, dropped = 0;
  for (size_t i = 0; i < ts->nthreads; i++) {
    recorded += ts->threads[i].n;
    dropped += ts->threads[i].dropped;
  }
  json_u64(j, o, "buffer_events", rt_trace_cap);
  json_u64(j, o, "recorded", recorded);
  json_u64(j, o, "dropped", dropped);
  cJSON *arr = json_check(j, cJSON_AddArrayToObject(o, "threads"));
  for (size_t i = 0; arr && i < ts->nthreads; i++) {
    const struct rt_trace_thread *t = &ts->threads[i];
    cJSON *to = json_push(j, arr);
    if (!to)
      return;
    json_u64(j, to, "thread", t->thread);
    json_u64(j, to, "tid", (uint64_t)t->tid);
    json_u64(j, to, "dropped", t->dropped);
    char *text = malloc((size_t)t->n * 48 + 3), *p = text;
    if (!text) {
      j->oom = 1;
      return;
    }
    *p++ = '[';
    for (uint32_t k = 0; k < t->n; k++) {
      const struct rt_trace_ev *e = &t->ev[k];
      if (k)
        *p++ = ',';
      *p++ = '[';
      p = json_digits(p, e->t_ns > rt_config.start_ns ? e->t_ns - rt_config.start_ns : 0);
      *p++ = ',';
      p = json_digits(p, e->fid);
      *p++ = ',';
      p = json_digits(p, e->kind);
      *p++ = ']';
    }
    *p++ = ']';
    *p = 0;
    json_add(j, to, "events", cJSON_CreateRaw(text));
    free(text);
  }
}

/* ---- streamed sections ------------------------------------------------------------------- */

/* Points c at name v (NULL reads as ""), as jw_name would write it. */
static void jw_cache_name(struct jw_name_cache *c, const char *v) {
  if (!v)
    v = "";
  if (c->key && (c->key == v || strcmp(c->key, v) == 0))
    return;
  const char *shown = json_redact(v, c->hashed);
  c->key = v;
  c->shown = shown ? shown : "";
  c->plain = jw_plain_len(c->shown);
}

/* location, file, line, column, function, function_id: the members every site starts with */
static void jw_site(struct json_ctx *j, uint32_t mod, uint32_t fn, const char *file, uint32_t line,
                    uint32_t column) {
  struct jw *w = &j->w;
  uint32_t m;
  uint32_t fid = j->s->mods[mod]->fid_base + fn;
  jw_cache_name(&j->site_file, file);
  const char *shown = j->site_file.shown;
  size_t n = j->site_file.plain;
  if (n < 4096 - 12) {
    /* a plain name: "<file>:<line>" and "<file>" written from one scan (what escaping the
       location built by snprintf("%s:%u") and the name would give) */
    if (!jw_room(w, 2 * n + 64))
      return;
    JW_LIT(w, "{\"location\":\"");
    memcpy(w->p, shown, n);
    w->p += n;
    *w->p++ = ':';
    jw_u64(w, line);
    JW_LIT(w, "\",\"file\":\"");
    memcpy(w->p, shown, n);
    w->p += n;
    *w->p++ = '"';
  } else {
    char loc[4096];
    n = strlen(shown);
    if (n < sizeof loc - 12) { /* what snprintf("%s:%u") into loc would give */
      memcpy(loc, shown, n);
      char *p = loc + n;
      *p++ = ':';
      p = json_digits(p, line);
      *p = 0;
    } else {
      snprintf(loc, sizeof loc, "%s:%u", shown, line);
    }
    JW_LIT(w, "{\"location\":");
    jw_str(w, loc);
    JW_LIT(w, ",\"file\":");
    jw_str(w, shown);
  }
  JW_LIT(w, ",\"line\":");
  jw_u64(w, line);
  JW_LIT(w, ",\"column\":");
  jw_u64(w, column);
  JW_LIT(w, ",\"function\":");
  jw_cache_name(&j->site_fn, json_nonempty(json_fn(j, fid, &m)->name));
  jw_str_plain(w, j->site_fn.shown, j->site_fn.plain);
  JW_LIT(w, ",\"function_id\":");
  jw_u64(w, fid);
}

/* ,"events":{"name": count, ...} for each supported event of CPROF_EVENTS */
static void jw_event_values(struct json_ctx *j, const uint64_t *v) {
  struct jw *w = &j->w;
  JW_LIT(w, ",\"events\":{");
  int first = 1;
  for (uint32_t i = 0; i < rt_events.n; i++) {
    if (!rt_events.supported[i])
      continue;
    if (!first)
      JW_LIT(w, ",");
    first = 0;
    jw_str(w, rt_events.name[i]);
    JW_LIT(w, ":");
    jw_u64(w, v[i]);
  }
  JW_LIT(w, "}");
}

/* ,"memory":{...}: only for functions that allocated */
static void jw_fn_memory(struct json_ctx *j, const struct rt_fn_mem *m) {
  struct jw *w = &j->w;
  if (!m->allocs && !m->reallocs && !m->frees)
    return;
  JW_LIT(w, ",\"memory\":{\"allocations\":");
  jw_u64(w, m->allocs);
  JW_LIT(w, ",\"reallocations\":");
  jw_u64(w, m->reallocs);
  JW_LIT(w, ",\"frees\":");
  jw_u64(w, m->frees);
  JW_LIT(w, ",\"allocated_bytes\":");
  jw_u64(w, m->alloc_bytes);
  JW_LIT(w, ",\"freed_bytes\":");
  jw_u64(w, m->freed_bytes);
  JW_LIT(w, ",\"live_bytes\":");
  jw_u64(w, json_sub(m->alloc_bytes, m->freed_bytes));
  JW_LIT(w, "}");
}

/* The non-empty buckets of t's histogram as bits (bucket b: bit b % 64 of word b / 64), eight
 * buckets at a time (a function fills a few of 128): the writers then visit only those. */
_Static_assert(RT_LAT_BUCKETS % 64 == 0, "the histogram is whole words of bits");

static void json_lat_mask(const struct rt_fn_time *t, uint64_t nonzero[RT_LAT_BUCKETS / 64]) {
  memset(nonzero, 0, RT_LAT_BUCKETS / 64 * sizeof *nonzero);
  for (uint32_t g = 0; g < RT_LAT_BUCKETS; g += 8) {
    const uint64_t *l = &t->lat[g];
    if (!(l[0] | l[1] | l[2] | l[3] | l[4] | l[5] | l[6] | l[7]))
      continue;
    for (uint32_t b = g; b < g + 8; b++)
      if (t->lat[b])
        nonzero[b / 64] |= 1ull << (b % 64);
  }
}

/* ,"latency":{...}: percentiles and the non-empty buckets of the inclusive times */
static void jw_latency(struct json_ctx *j, const struct rt_fn_time *t) {
  struct jw *w = &j->w;
  static const double shares[3] = {0.50, 0.95, 0.99};
  uint64_t pct[3], nonzero[RT_LAT_BUCKETS / 64];
  json_lat_mask(t, nonzero);
  json_percentiles(t, nonzero, shares, pct, 3);
  JW_LIT(w, ",\"latency\":{\"p50_ns\":");
  jw_u64(w, pct[0]);
  JW_LIT(w, ",\"p95_ns\":");
  jw_u64(w, pct[1]);
  JW_LIT(w, ",\"p99_ns\":");
  jw_u64(w, pct[2]);
  JW_LIT(w, ",\"histogram\":[");
  int first = 1;
  for (uint32_t word = 0; word < RT_LAT_BUCKETS / 64; word++)
  for (uint64_t bits = nonzero[word]; bits; bits &= bits - 1) {
    uint32_t b = word * 64 + (uint32_t)__builtin_ctzll(bits);
    if (first)
      JW_LIT(w, "{\"min_ns\":");
    else
      JW_LIT(w, ",{\"min_ns\":");
    first = 0;
    jw_u64(w, rt_lat_bucket_min(b));
    JW_LIT(w, ",\"max_ns\":");
    jw_u64(w, b + 1 < RT_LAT_BUCKETS ? rt_lat_bucket_min(b + 1) - 1 : t->max_ns);
    JW_LIT(w, ",\"count\":");
    jw_u64(w, t->lat[b]);
    JW_LIT(w, "}");
  }
  JW_LIT(w, "]}");
}

/* "functions":[...] */
static void jw_functions(struct json_ctx *j, cJSON *io) {
  struct jw *w = &j->w;
  int first = 1;
  JW_LIT(w, ",\"functions\":[");
  for (uint32_t i = 0; i < j->s->nmods && !w->oom && !j->oom; i++) {
    const struct rt_module *m = j->s->mods[i];
    /* stopped by CPROF_MIN_TIME (an unloaded module's copy of the decisions) */
    const uint8_t *untimed = __atomic_load_n(&m->untimed, __ATOMIC_ACQUIRE);
    for (uint32_t k = 0; k < m->num_functions && !w->oom; k++) {
      uint32_t fid = m->fid_base + k, mod;
      const struct rt_meta_fn *f = json_fn(j, fid, &mod);
      const struct rt_fn_time *t = rt_snapshot_fn(j->s, fid);
      uint64_t calls = json_calls(j, i, k);
      if (f->region == 0 && !f->present && m->abi == rt_region_module())
        continue; /* a region slot not used yet */
      if (first)
        JW_LIT(w, "{\"id\":");
      else
        JW_LIT(w, ",{\"id\":");
      first = 0;
      jw_u64(w, fid);
      if (f->region)
        JW_LIT(w, ",\"kind\":\"region\"");
      JW_LIT(w, ",\"name\":");
      jw_name(w, json_nonempty(f->name));
      JW_LIT(w, ",\"linkage_name\":");
      jw_name(w, json_nonempty(f->linkage));
      JW_LIT(w, ",\"file\":");
      jw_name(w, f->file);
      JW_LIT(w, ",\"line\":");
      jw_u64(w, f->line);
      JW_LIT(w, ",\"column\":");
      jw_u64(w, f->column);
      JW_LIT(w, ",\"module\":");
      jw_u64(w, i);
      if (f->is_static)
        JW_LIT(w, ",\"static\":true");
      else
        JW_LIT(w, ",\"static\":false");
      /* hooked: calls through the instrumented body, timed or left out by CPROF_SAMPLE_CALLS */
      uint64_t hooked = t->timed_calls + t->skipped;
      JW_LIT(w, ",\"calls\":");
      jw_u64(w, calls);
      JW_LIT(w, ",\"timed_calls\":");
      jw_u64(w, t->timed_calls);
      /* a tiny leaf compiled without hooks: no call was timed, whether inlined or not */
      JW_LIT(w, ",\"inlined_calls\":");
      jw_u64(w, f->untimed ? 0 : calls > hooked ? calls - hooked : 0);
      if (rt_sample > 1) {
        JW_LIT(w, ",\"sampled_out_calls\":");
        jw_u64(w, t->skipped);
      }
      int adaptive = untimed && untimed[k];
      JW_LIT(w, ",\"timing\":");
      if (calls == 0)
        JW_LIT(w, "\"not_run\"");
      else if (f->untimed)
        JW_LIT(w, "\"skipped\"");
      else if (adaptive && hooked)
        JW_LIT(w, "\"adaptive\"");
      else if (hooked == 0)
        JW_LIT(w, "\"none\"");
      else if (hooked >= calls)
        JW_LIT(w, "\"full\"");
      else
        JW_LIT(w, "\"partial\"");
      JW_LIT(w, ",\"total_time_ns\":"); /* sums over the timed calls */
      jw_u64(w, t->total_ns);
      JW_LIT(w, ",\"self_time_ns\":");
      jw_u64(w, t->self_ns);
      JW_LIT(w, ",\"avg_time_ns\":");
      jw_u64(w, t->timed_calls ? t->sum_ns / t->timed_calls : 0);
      JW_LIT(w, ",\"min_time_ns\":");
      jw_u64(w, t->timed_calls ? t->min_ns : 0);
      JW_LIT(w, ",\"max_time_ns\":");
      jw_u64(w, t->timed_calls ? t->max_ns : 0);
      JW_LIT(w, ",\"unwound_calls\":");
      jw_u64(w, t->unwound_calls);
      if (t->timed_calls)
        jw_latency(j, t);
      if (j->s->mem.enabled)
        jw_fn_memory(j, &j->s->mem.fn[fid]);
      if (j->s->events_fn && t->timed_calls)
        jw_event_values(j, &j->s->events_fn[(size_t)fid * rt_events.n]);
      if (rt_io_json_fn(io, fid) != 0)
        j->oom = 1;
      jw_flush(j, io, 0);
      JW_LIT(w, "}");
    }
  }
  JW_LIT(w, "]");
}

/* ,"loops":[...],"branches":[...],"switches":[...] */
static void jw_sites(struct json_ctx *j) {
  struct jw *w = &j->w;
  int first = 1;
  JW_LIT(w, ",\"loops\":[");
  for (uint32_t i = 0; i < j->s->nmods && !w->oom; i++) {
    const struct rt_meta *meta = &j->meta[i];
    for (size_t k = 0; k < meta->nloops && !w->oom; k++) {
      const struct rt_meta_loop *l = &meta->loops[k];
      if (!first)
        JW_LIT(w, ",");
      first = 0;
      jw_site(j, i, l->fn, l->file, l->line, l->column);
      JW_LIT(w, ",\"depth\":");
      jw_u64(w, l->depth);
      JW_LIT(w, ",\"iterations\":");
      jw_u64(w, json_counter(j, i, l->iterations));
      JW_LIT(w, ",\"entries\":");
      jw_u64(w, json_counter(j, i, l->entries));
      JW_LIT(w, "}");
    }
  }
  first = 1;
  JW_LIT(w, "],\"branches\":[");
  for (uint32_t i = 0; i < j->s->nmods && !w->oom; i++) {
    const struct rt_meta *meta = &j->meta[i];
    for (size_t k = 0; k < meta->nbranches && !w->oom; k++) {
      const struct rt_meta_branch *b = &meta->branches[k];
      uint64_t taken = json_counter(j, i, b->taken), not_taken = json_counter(j, i, b->not_taken);
      uint64_t total = taken + not_taken;
      if (!first)
        JW_LIT(w, ",");
      first = 0;
      jw_site(j, i, b->fn, b->file, b->line, b->column);
      JW_LIT(w, ",\"taken\":");
      jw_u64(w, taken);
      JW_LIT(w, ",\"not_taken\":");
      jw_u64(w, not_taken);
      JW_LIT(w, ",\"prediction_rate\":");
      jw_double(w, total ? (double)(taken > not_taken ? taken : not_taken) / (double)total : 0.0);
      JW_LIT(w, "}");
    }
  }
  first = 1;
  JW_LIT(w, "],\"switches\":[");
  for (uint32_t i = 0; i < j->s->nmods && !w->oom; i++) {
    const struct rt_meta *meta = &j->meta[i];
    for (size_t k = 0; k < meta->nswitches && !w->oom; k++) {
      const struct rt_meta_switch *sw = &meta->switches[k];
      if (!first)
        JW_LIT(w, ",");
      first = 0;
      jw_site(j, i, sw->fn, sw->file, sw->line, sw->column);
      uint64_t total = 0;
      for (uint32_t c = 0; c < sw->ncases; c++)
        total += json_counter(j, i, sw->cases[c].counter);
      JW_LIT(w, ",\"total\":");
      jw_u64(w, total);
      JW_LIT(w, ",\"cases\":[");
      for (uint32_t c = 0; c < sw->ncases; c++) {
        if (c)
          JW_LIT(w, ",");
        JW_LIT(w, "{\"label\":");
        jw_str(w, sw->cases[c].label);
        JW_LIT(w, ",\"count\":");
        jw_u64(w, json_counter(j, i, sw->cases[c].counter));
        JW_LIT(w, "}");
      }
      JW_LIT(w, "]}");
    }
  }
  JW_LIT(w, "]");
}

static void json_document(struct json_ctx *j, cJSON *root) {
  const struct rt_snapshot *s = j->s;
  json_str(j, root, "version", "1.4");
  json_str(j, root, "tool", "cprof");
  json_u64(j, root, "timestamp", (uint64_t)time(NULL));
  json_name(j, root, "binary", rt_config.binary);
  json_u64(j, root, "pid", (uint64_t)getpid());
  char *cmd = json_command_line();
  json_name(j, root, "command_line", cmd ? cmd : "");
  free(cmd);
  cJSON *argv = json_array(j, root, "argv");
  char hashed[18];
  for (int i = 0; argv && i < rt_config.argc; i++)
    if (!cJSON_AddItemToArray(
            argv, json_check(j, cJSON_CreateString(json_redact(rt_config.argv[i], hashed)))))
      j->oom = 1;
  json_str(j, root, "clock", rt_clock_name());

  uint64_t timed = 0;
  for (uint32_t f = 0; f < s->nfids; f++)
    timed += rt_snapshot_fn(s, f)->timed_calls;
  uint64_t runtime = s->now > rt_config.start_ns ? s->now - rt_config.start_ns : 0;
  uint64_t overhead = timed * rt_config.hook_cost_ns;
  cJSON *st = json_check(j, cJSON_AddObjectToObject(root, "statistics"));
  if (st) {
    json_u64(j, st, "total_runtime_ns", runtime);
    json_u64(j, st, "timed_calls", timed);
    json_u64(j, st, "hook_cost_ns", rt_config.hook_cost_ns);
    json_u64(j, st, "overhead_estimate_ns", overhead);
    json_num(j, st, "overhead_estimate_percent",
             runtime ? 100.0 * (double)overhead / (double)runtime : 0.0);
    json_u64(j, st, "modules", s->nmods);
    json_u64(j, st, "threads", s->nthreads);
    json_u64(j, st, "unwound_frames", s->unwound_frames);
    json_u64(j, st, "dropped_frames", s->dropped_frames);
    json_u64(j, st, "sample_rate", rt_sample);
    json_u64(j, st, "min_time_ns", rt_min_time_ns);
    if (rt_bursts_rate > 1) {
      uint64_t bursts, on_ns;
      rt_bursts_totals(&bursts, &on_ns);
      cJSON *b = json_check(j, cJSON_AddObjectToObject(st, "bursts"));
      if (b) {
        json_u64(j, b, "rate", rt_bursts_rate);
        json_u64(j, b, "count", bursts);
        json_u64(j, b, "recorded_ns", on_ns);
      }
    }
  }
  cJSON *mods = json_array(j, root, "modules");
  for (uint32_t i = 0; mods && i < s->nmods; i++) {
    cJSON *o = json_push(j, mods);
    if (!o)
      break;
    json_name(j, o, "source", json_nonempty(j->meta[i].source));
    json_name(j, o, "directory", j->meta[i].directory);
    json_u64(j, o, "functions", s->mods[i]->num_functions);
    json_u64(j, o, "counters", s->mods[i]->num_counters);
  }
  if (j->oom)
    return;
  /* {head members, then the streamed arrays, then the tail members} */
  JW_LIT(&j->w, "{");
  jw_flush(j, root, 1);
  cJSON *io = json_check(j, cJSON_CreateObject()); /* functions[].io, one function at a time */
  if (io)
    jw_functions(j, io);
  cJSON_Delete(io);
  json_call_graph(j);
  jw_sites(j);
  cJSON *threads = json_array(j, root, "threads");
  if (j->oom || j->w.oom)
    return;
  json_threads(j, threads);
  json_memory(j, root);
  json_events(j, root);
  if (rt_trace_on)
    json_trace(j, root);
  if (rt_io_json(root) != 0 || rt_interval_json(root) != 0)
    j->oom = 1;
  if (!j->oom)
    jw_flush(j, root, 0);
  JW_LIT(&j->w, "}");
}

/* The text's likely size, so that the buffer is seldom moved: measured averages per item. */
static size_t json_estimate(const struct json_ctx *j) {
  size_t n = 65536 + (size_t)j->s->nfids * 700 + (size_t)j->s->edges.n * 200;
  for (uint32_t i = 0; i < j->s->nmods; i++)
    n += j->meta[i].ncalls * 200 + (j->meta[i].nloops + j->meta[i].nbranches +
                                    j->meta[i].nswitches) * 260;
  return n;
}

#define JW_CHUNK ((size_t)256 << 10) /* written out whenever full: the pages stay cached */

/* Renders the profile into j->w (from its buffer of `reserve` bytes); 0, or -1 (out of memory,
 * or the write to j->w.fd failed). */
static int json_render(struct json_ctx *j, size_t reserve) {
  const struct rt_snapshot *s = j->s;
  memset(&j->site_file, 0, sizeof j->site_file); /* they point into the metadata parsed here */
  memset(&j->site_fn, 0, sizeof j->site_fn);
  j->meta = calloc(s->nmods ? s->nmods : 1, sizeof(struct rt_meta));
  j->fid_mod = malloc((s->nfids ? s->nfids : 1) * sizeof(uint32_t));
  if (!j->meta || !j->fid_mod) {
    free(j->meta);
    free(j->fid_mod);
    return -1;
  }
  for (uint32_t f = 0; f < s->nfids; f++)
    j->fid_mod[f] = RT_NONE;
  for (uint32_t i = 0; i < s->nmods; i++)
    for (uint32_t k = 0; k < s->mods[i]->num_functions; k++)
      j->fid_mod[s->mods[i]->fid_base + k] = i;
  uint32_t parsed = 0;
  for (; parsed < s->nmods; parsed++) {
    const struct rt_module *m = s->mods[parsed];
    if (rt_meta_parse(m->metadata, m->num_counters, m->num_functions, &j->meta[parsed]) != 0) {
      j->oom = 1;
      break;
    }
    /* The snapshot's own copy of the totals: the counts of functions counted on a spanning
       tree are computed into it once, before anything reads them. */
    int unsolved = rt_meta_solve(&j->meta[parsed], s->counters[parsed], m->num_counters);
    rt_meta_free_graphs(&j->meta[parsed]);
    if (unsolved < 0) {
      j->oom = 1;
      parsed++;
      break;
    }
    /* Only bad metadata does not solve: said once, as a test would want to know. */
    static int unsolved_said;
    if (unsolved > 0 && !__atomic_exchange_n(&unsolved_said, 1, __ATOMIC_RELAXED))
      rt_warn("%s: %d function(s) counted on a spanning tree could not be solved: their counts "
              "read 0", j->meta[parsed].source, unsolved);
  }
  cJSON *root = j->oom ? NULL : json_check(j, cJSON_CreateObject());
  if (root && jw_room(&j->w, reserve ? reserve : json_estimate(j)))
    json_document(j, root);
  else
    j->oom = 1;
  cJSON_Delete(root);
  for (uint32_t i = 0; i < parsed; i++)
    rt_meta_free(&j->meta[i]);
  free(j->meta);
  free(j->fid_mod);
  return j->oom || j->w.oom ? -1 : 0;
}

/* Returns the profile text (free() it), or NULL when memory ran out. */
char *rt_json_render(const struct rt_snapshot *s) {
  struct json_ctx j = {s, NULL, 0, NULL, {NULL, NULL, NULL, 0, -1, 0}, {0}, {0}};
  char *text = NULL;
  if (json_render(&j, 0) == 0 && jw_room(&j.w, 1)) {
    *j.w.p = '\0';
    text = j.w.buf;
    j.w.buf = NULL;
  }
  free(j.w.buf);
  return text;
}

/* Writes the profile and a newline to fd through a buffer of JW_CHUNK bytes, so that the text
 * of a large program never has to be held (and page-faulted in) whole. Returns 0, or -1 with
 * errno: ENOMEM, or the write's error. */
int rt_json_write(const struct rt_snapshot *s, int fd) {
  struct json_ctx j = {s, NULL, 0, NULL, {NULL, NULL, NULL, 0, fd, 0}, {0}, {0}};
  int rc = json_render(&j, JW_CHUNK);
  if (rc == 0) {
    JW_LIT(&j.w, "\n");
    rc = j.w.oom ? -1 : jw_drain(&j.w);
  }
  free(j.w.buf);
  if (rc != 0)
    errno = j.w.err ? j.w.err : ENOMEM;
  return rc;
}
