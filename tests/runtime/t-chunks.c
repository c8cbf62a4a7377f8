/* t-chunks.c: the snapshot of a program whose functions fill several 256-function chunks of the
 * timing table: chunks only the dumping thread timed (which the snapshot reads in place), one a
 * finished thread also timed, and one holding a function the dumping thread is inside of.
 * Dumps mid-run (cprof_dump), goes on, and exits from inside main. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cprof.h"
#include "fake-plugin.h"

#define NFN 600 /* chunks 0-255, 256-511, 512-599 */
#define MAIN_FID (NFN - 1)

static char meta[NFN * 48 + 64];

/* The metadata, written before the module registers: F <i> <i> t-chunks.c <line> 1 f<i> f<i> - */
__attribute__((constructor(101))) static void make_meta(void) {
  size_t n = (size_t)snprintf(meta, sizeof meta, "cprof-metadata\t2\nmodule\tt-chunks.c\t/src\n");
  for (int i = 0; i < NFN; i++) {
    char name[16];
    snprintf(name, sizeof name, i == MAIN_FID ? "main" : "f%d", i);
    n += (size_t)snprintf(meta + n, sizeof meta - n, "F\t%d\t%d\tt-chunks.c\t%d\t1\t%s\t%s\t-\n", i,
                          i, 10 + i, name, name);
  }
}

FAKE_MODULE(NFN, NFN, meta)

static volatile unsigned sink;

static NOINLINE void f(int fid) {
  FAKE_ENTER(fid, fid);
  sink += (unsigned)fid;
  FAKE_EXIT(fid);
}

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 3; i++)
    f(5); /* chunk 0: also this finished thread's */
  return NULL;
}

int main(int argc, char **argv) {
  FAKE_ENTER(MAIN_FID, MAIN_FID);
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL) != 0 || pthread_join(t, NULL) != 0)
    return 2;
  for (int i = 0; i < 7; i++)
    f(5);
  for (int i = 0; i < 10; i++)
    f(300); /* chunk 1: only this thread's */
  f(511);
  if (argc > 1 && cprof_dump(argv[1]) != 0)
    return 3;
  for (int i = 0; i < 5; i++)
    f(300);
  printf("chunks done\n");
  fflush(stdout);
  exit(0); /* inside main: its frame is open, in chunk 2 */
}
