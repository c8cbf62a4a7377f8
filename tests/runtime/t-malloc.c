/* t-malloc.c: heap statistics: exact per-function counts and bytes, realloc chains, aligned
 * allocations, leaks, peak, cross-thread frees, call sites, fork. usage: t-malloc exact|threads|fork */
#include <malloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-malloc.c" T "/src/malloc\n"
    "F" T "0" T "0" T "t-malloc.c" T "100" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-malloc.c" T "30" T "6" T "alloc_some" T "alloc_some" T "-\n"
    "F" T "2" T "2" T "t-malloc.c" T "60" T "6" T "leaky" T "leaky" T "-\n"
    "F" T "3" T "3" T "t-malloc.c" T "70" T "6" T "worker_alloc" T "worker_alloc" T "-\n"
    "F" T "4" T "4" T "t-malloc.c" T "80" T "6" T "peak" T "peak" T "-\n";

FAKE_MODULE(5, 5, meta)

#define NTHREADS 4
#define NBLOCKS 1000

static void check(int ok, const char *what) {
  if (!ok) {
    write(2, "t-malloc: check failed: ", 24);
    write(2, what, strlen(what));
    write(2, "\n", 1);
    _exit(99);
  }
}

static int aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* 9 allocations, 3 reallocations, 9 frees; 86251 bytes requested and freed. */
NOINLINE void alloc_some(void) {
  FAKE_ENTER(1, 1);
  char *a = malloc(100);
  check(a && aligned(a, 16) && malloc_usable_size(a) >= 100, "malloc");
  memset(a, 'a', 100);
  int *c = calloc(10, 30);
  check(c && c[0] == 0 && c[74] == 0 && aligned(c, 16), "calloc zeroes");
  char *r = malloc(1000);
  memset(r, 'r', 1000);
  r = realloc(r, 2000);
  r = realloc(r, 4000);
  r = realloc(r, 8000);
  check(r && r[0] == 'r' && r[999] == 'r' && malloc_usable_size(r) >= 8000, "realloc chain");
  void *pm = NULL;
  check(posix_memalign(&pm, 64, 500) == 0 && aligned(pm, 64), "posix_memalign");
  void *aa = aligned_alloc(128, 256);
  check(aa && aligned(aa, 128) && malloc_usable_size(aa) >= 256, "aligned_alloc");
  void *ma = memalign(32, 70000);
  check(ma && aligned(ma, 32), "memalign");
  memset(ma, 1, 70000);
  void *va = valloc(10);
  check(va && aligned(va, (size_t)sysconf(_SC_PAGESIZE)), "valloc");
  long *ra = reallocarray(NULL, 10, 8);
  check(ra != NULL, "reallocarray");
  volatile size_t huge = SIZE_MAX / 2;
  check(reallocarray(ra, huge, 4) == NULL, "reallocarray overflow");
  void *z = malloc(5);
  check(realloc(z, 0) == NULL, "realloc(p, 0) frees");
  free(NULL);
  char *ar = realloc(aa, 300); /* an over-aligned block moves */
  check(ar && malloc_usable_size(ar) >= 300, "realloc of an aligned block");
  free(a);
  free(c);
  free(r);
  free(pm);
  free(ar);
  free(ma);
  free(va);
  free(ra);
  FAKE_EXIT(1);
}

/* Two blocks never freed: 12345 + 7 bytes. */
NOINLINE void *leaky(void) {
  FAKE_ENTER(2, 2);
  static void *keep[2];
  keep[0] = malloc(12345);
  keep[1] = malloc(7);
  FAKE_EXIT(2);
  return keep;
}

/* A 1 MiB block that lives briefly: the peak. */
NOINLINE void peak(void) {
  FAKE_ENTER(4, 4);
  char *volatile big = malloc(1 << 20);
  check(big != NULL, "big");
  big[0] = 1;
  free(big);
  FAKE_EXIT(4);
}

static void *blocks[NTHREADS][NBLOCKS];

/* NBLOCKS blocks of 48 bytes; the even ones are freed here, the odd ones by main. */
NOINLINE void worker_alloc(void **out) {
  FAKE_ENTER(3, 3);
  for (int i = 0; i < NBLOCKS; i++)
    out[i] = malloc(48);
  for (int i = 0; i < NBLOCKS; i += 2)
    free(out[i]);
  FAKE_EXIT(3);
}

static void *worker(void *arg) {
  worker_alloc(arg);
  return NULL;
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  const char *mode = argc > 1 ? argv[1] : "exact";
  if (strcmp(mode, "exact") == 0) {
    alloc_some();
    leaky();
    peak();
  } else if (strcmp(mode, "fork") == 0) {
    void **keep = leaky();
    pid_t pid = fork();
    if (pid == 0) { /* counts from zero: the inherited block's free is not counted */
      free(keep[0]);
      leaky();
      exit(0);
    }
    int status;
    check(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0, "fork child");
    alloc_some();
  } else {
    pthread_t th[NTHREADS];
    for (int i = 0; i < NTHREADS; i++)
      check(pthread_create(&th[i], NULL, worker, blocks[i]) == 0, "pthread_create");
    for (int i = 0; i < NTHREADS; i++)
      pthread_join(th[i], NULL);
    for (int i = 0; i < NTHREADS; i++)
      for (int k = 1; k < NBLOCKS; k += 2)
        free(blocks[i][k]);
  }
  FAKE_EXIT(0);
  return 0;
}
