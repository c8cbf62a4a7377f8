/* rt-io.c: I/O interposition (read/write family, stdio fread/fwrite, sockets): calls, bytes, time. */
/* pread and pread64 are both defined here: without this, glibc's headers rename pread to
 * pread64 (the build sets _FILE_OFFSET_BITS=64). off_t is 64 bits on LP64 either way. */
#undef _FILE_OFFSET_BITS
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rt-internal.h"

/* Contract: every counter here is a relaxed atomic, every table is mmap'ed (async-signal-safe)
 * and installed with a CAS, so the wrappers take no lock and call no malloc: they are safe in
 * signal handlers, before start-up and re-entrantly. The runtime's own I/O (rt_internal > 0,
 * e.g. writing the profile) is forwarded without being counted. */

enum io_kind {
  IO_READ, IO_WRITE, IO_PREAD, IO_PWRITE, IO_READV, IO_WRITEV, IO_FREAD, IO_FWRITE,
  IO_SEND, IO_RECV, IO_SENDTO, IO_RECVFROM, IO_NKINDS
};

static const char *const io_names[IO_NKINDS] = {
  "read", "write", "pread", "pwrite", "readv", "writev", "fread", "fwrite",
  "send", "recv", "sendto", "recvfrom"};

struct io_stat {
  uint64_t calls, bytes, time_ns;
};

static int io_on; /* CPROF=1 at start-up: the single flag the wrappers test */
static struct io_stat io_total[IO_NKINDS];
/* Per fid, chunked like the timing tables: io_fn[fid >> bits][fid & mask][kind]. */
static struct io_stat (*io_fn[RT_FN_TOP])[IO_NKINDS];

/* ---- forwarding ---------------------------------------------------------------------------- */

static struct {
  ssize_t (*read)(int, void *, size_t);
  ssize_t (*write)(int, const void *, size_t);
  ssize_t (*pread)(int, void *, size_t, off_t);
  ssize_t (*pwrite)(int, const void *, size_t, off_t);
  ssize_t (*pread64)(int, void *, size_t, off_t);
  ssize_t (*pwrite64)(int, const void *, size_t, off_t);
  ssize_t (*readv)(int, const struct iovec *, int);
  ssize_t (*writev)(int, const struct iovec *, int);
  size_t (*fread)(void *, size_t, size_t, FILE *);
  size_t (*fwrite)(const void *, size_t, size_t, FILE *);
  ssize_t (*send)(int, const void *, size_t, int);
  ssize_t (*recv)(int, void *, size_t, int);
  ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
  ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
} io_real;

/* dlsym before start-up (another library's constructor writing) is fine: rt-malloc.c serves
 * dlsym's allocations from its bootstrap buffer. rt_io_init resolves everything eagerly so a
 * signal handler never reaches dlsym. */
#define IO_REAL(name)                                                                          \
  (__atomic_load_n(&io_real.name, __ATOMIC_RELAXED)                                          \
     ? io_real.name                                                                          \
     : (__atomic_store_n(&io_real.name, (__typeof__(io_real.name))dlsym(RTLD_NEXT, #name),   \
                         __ATOMIC_RELAXED),                                                  \
        io_real.name))

static void io_resolve(void) {
  (void)IO_REAL(read), (void)IO_REAL(write), (void)IO_REAL(pread), (void)IO_REAL(pwrite);
  (void)IO_REAL(pread64), (void)IO_REAL(pwrite64), (void)IO_REAL(readv), (void)IO_REAL(writev);
  (void)IO_REAL(fread), (void)IO_REAL(fwrite), (void)IO_REAL(send), (void)IO_REAL(recv);
  (void)IO_REAL(sendto), (void)IO_REAL(recvfrom);
}

/* Eagerly, whether or not CPROF is set: a program whose first write is in a signal handler must
 * not reach dlsym there. */
__attribute__((constructor(101))) static void io_ctor(void) {
  RT_INTERNAL_BEGIN();
  io_resolve();
  RT_INTERNAL_END();
}

void rt_io_init(void) {
  io_resolve();
  __atomic_store_n(&io_on, 1, __ATOMIC_RELEASE);
}

/* ---- accounting ---------------------------------------------------------------------------- */

static RT_NOINST struct io_stat *io_fn_slot(uint32_t fid, enum io_kind k) {
  uint32_t top = fid >> RT_FN_CHUNK_BITS;
  if (top >= RT_FN_TOP)
    return NULL;
  struct io_stat(*chunk)[IO_NKINDS] = __atomic_load_n(&io_fn[top], __ATOMIC_ACQUIRE);
  if (!chunk) {
    void *p = mmap(NULL, RT_FN_CHUNK * sizeof *chunk, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
      return NULL;
    chunk = NULL;
    if (!__atomic_compare_exchange_n(&io_fn[top], &chunk, p, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
      munmap(p, RT_FN_CHUNK * sizeof *chunk); /* another thread won: chunk holds its table */
    else
      chunk = p;
  }
  return &chunk[fid & (RT_FN_CHUNK - 1)][k];
}

static RT_NOINST void io_add(struct io_stat *s, uint64_t bytes, uint64_t ns) {
  __atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->bytes, bytes, __ATOMIC_RELAXED);
  __atomic_add_fetch(&s->time_ns, ns, __ATOMIC_RELAXED);
}

/* Whether this call is the program's: profiling on and not the runtime's own I/O (rt_internal:
 * dumps, start-up; in_hook: the hooks' CPROF_EVENTS counter reads). */
static inline RT_NOINST int io_counted(void) {
  if (RT_LIKELY(!__atomic_load_n(&io_on, __ATOMIC_RELAXED)) || rt_internal)
    return 0;
  const struct rt_thread *t = rt_self_tls;
  return !(t && t->in_hook);
}

static RT_NOINST void io_record(enum io_kind k, int64_t ret, uint64_t start) {
  uint64_t ns = rt_clock_now() - start;
  uint64_t bytes = ret > 0 ? (uint64_t)ret : 0; /* bytes actually transferred, not requested */
  io_add(&io_total[k], bytes, ns);
  struct rt_thread *t = rt_self_tls;
  if (!t)
    return;
  uint32_t fid = rt_thread_top_fid(t);
  if (fid == RT_NONE)
    return;
  struct io_stat *s = io_fn_slot(fid, k);
  if (s)
    io_add(s, bytes, ns);
}

/* Forwards CALL to the next definition; times and counts it when the program made the call. */
#define IO_WRAP(kind, type, call)                                                              \
  do {                                                                                       \
    if (!io_counted())                                                                       \
      return call;                                                                           \
    int saved = errno;                                                                       \
    uint64_t start = rt_clock_now();                                                         \
    errno = saved;                                                                           \
    type ret = call;                                                                         \
    saved = errno;                                                                           \
    io_record(kind, (int64_t)(ret), start);                                                  \
    errno = saved;                                                                           \
    return ret;                                                                              \
  } while (0)

CPROF_EXPORT RT_NOINST ssize_t read(int fd, void *buf, size_t n) {
  IO_WRAP(IO_READ, ssize_t, IO_REAL(read)(fd, buf, n));
}

CPROF_EXPORT RT_NOINST ssize_t write(int fd, const void *buf, size_t n) {
  IO_WRAP(IO_WRITE, ssize_t, IO_REAL(write)(fd, buf, n));
}

CPROF_EXPORT RT_NOINST ssize_t pread(int fd, void *buf, size_t n, off_t off) {
  IO_WRAP(IO_PREAD, ssize_t, IO_REAL(pread)(fd, buf, n, off));
}

CPROF_EXPORT RT_NOINST ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  IO_WRAP(IO_PWRITE, ssize_t, IO_REAL(pwrite)(fd, buf, n, off));
}

/* _FILE_OFFSET_BITS=64 programs call these; on LP64 glibc they are aliases with the same off_t. */
CPROF_EXPORT RT_NOINST ssize_t pread64(int fd, void *buf, size_t n, off_t off) {
  IO_WRAP(IO_PREAD, ssize_t, IO_REAL(pread64)(fd, buf, n, off));
}

CPROF_EXPORT RT_NOINST ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
  IO_WRAP(IO_PWRITE, ssize_t, IO_REAL(pwrite64)(fd, buf, n, off));
}

CPROF_EXPORT RT_NOINST ssize_t readv(int fd, const struct iovec *iov, int n) {
  IO_WRAP(IO_READV, ssize_t, IO_REAL(readv)(fd, iov, n));
}

CPROF_EXPORT RT_NOINST ssize_t writev(int fd, const struct iovec *iov, int n) {
  IO_WRAP(IO_WRITEV, ssize_t, IO_REAL(writev)(fd, iov, n));
}

/* stdio: bytes are items transferred × size; glibc's stdio calls its internal __read/__write,
 * not these wrappers, so the underlying system calls are never counted a second time. */
CPROF_EXPORT RT_NOINST size_t fread(void *buf, size_t size, size_t n, FILE *f) {
  if (!io_counted())
    return IO_REAL(fread)(buf, size, n, f);
  uint64_t start = rt_clock_now();
  size_t ret = IO_REAL(fread)(buf, size, n, f);
  int saved = errno;
  io_record(IO_FREAD, (int64_t)(ret * size), start);
  errno = saved;
  return ret;
}

CPROF_EXPORT RT_NOINST size_t fwrite(const void *buf, size_t size, size_t n, FILE *f) {
  if (!io_counted())
    return IO_REAL(fwrite)(buf, size, n, f);
  uint64_t start = rt_clock_now();
  size_t ret = IO_REAL(fwrite)(buf, size, n, f);
  int saved = errno;
  io_record(IO_FWRITE, (int64_t)(ret * size), start);
  errno = saved;
  return ret;
}

CPROF_EXPORT RT_NOINST ssize_t send(int fd, const void *buf, size_t n, int flags) {
  IO_WRAP(IO_SEND, ssize_t, IO_REAL(send)(fd, buf, n, flags));
}

CPROF_EXPORT RT_NOINST ssize_t recv(int fd, void *buf, size_t n, int flags) {
  IO_WRAP(IO_RECV, ssize_t, IO_REAL(recv)(fd, buf, n, flags));
}

CPROF_EXPORT RT_NOINST ssize_t sendto(int fd, const void *buf, size_t n, int flags,
                                      const struct sockaddr *to, socklen_t tolen) {
  IO_WRAP(IO_SENDTO, ssize_t, IO_REAL(sendto)(fd, buf, n, flags, to, tolen));
}

CPROF_EXPORT RT_NOINST ssize_t recvfrom(int fd, void *buf, size_t n, int flags,
                                        struct sockaddr *from, socklen_t *fromlen) {
  IO_WRAP(IO_RECVFROM, ssize_t, IO_REAL(recvfrom)(fd, buf, n, flags, from, fromlen));
}

/* ---- fork and JSON ------------------------------------------------------------------------- */

/* The child counts from zero, like the heap statistics (only the forking thread runs). */
void rt_io_fork_child(void) {
  memset(io_total, 0, sizeof io_total);
  for (uint32_t top = 0; top < RT_FN_TOP; top++)
    if (io_fn[top])
      memset(io_fn[top], 0, RT_FN_CHUNK * sizeof *io_fn[top]);
}

/* Exact 64-bit integers: a double would round above 2^53. */
static int io_json_u64(cJSON *o, const char *key, uint64_t v) {
  char buf[24];
  snprintf(buf, sizeof buf, "%" PRIu64, v);
  return cJSON_AddRawToObject(o, key, buf) ? 0 : -1;
}

/* Adds {"read": {"calls", "bytes", "time_ns"}, ...} for the kinds with calls; -1 on OOM. */
static int io_json_kinds(cJSON *parent, const char *key, const struct io_stat *st) {
  int any = 0;
  for (int k = 0; k < IO_NKINDS; k++)
    any |= __atomic_load_n(&st[k].calls, __ATOMIC_RELAXED) != 0;
  if (!any)
    return 0;
  cJSON *o = cJSON_AddObjectToObject(parent, key);
  if (!o)
    return -1;
  for (int k = 0; k < IO_NKINDS; k++) {
    uint64_t calls = __atomic_load_n(&st[k].calls, __ATOMIC_RELAXED);
    if (!calls)
      continue;
    cJSON *ko = cJSON_AddObjectToObject(o, io_names[k]);
    if (!ko || io_json_u64(ko, "calls", calls) != 0 ||
        io_json_u64(ko, "bytes", __atomic_load_n(&st[k].bytes, __ATOMIC_RELAXED)) != 0 ||
        io_json_u64(ko, "time_ns", __atomic_load_n(&st[k].time_ns, __ATOMIC_RELAXED)) != 0)
      return -1;
  }
  return 0;
}

int rt_io_json(cJSON *root) { return io_json_kinds(root, "io", io_total); }

int rt_io_json_fn(cJSON *fn_obj, uint32_t fid) {
  uint32_t top = fid >> RT_FN_CHUNK_BITS;
  struct io_stat(*chunk)[IO_NKINDS] =
    top < RT_FN_TOP ? __atomic_load_n(&io_fn[top], __ATOMIC_ACQUIRE) : NULL;
  return chunk ? io_json_kinds(fn_obj, "io", chunk[fid & (RT_FN_CHUNK - 1)]) : 0;
}
