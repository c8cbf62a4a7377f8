/* bursts.c: CPROF_SAMPLE=N records whole activations that begin in a burst (tests/e2e/bursts.sh).
   Prints how many times each phase called its unit, so the check can compare the recorded counts
   with the true ones. usage: bursts MS [fork] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cprof.h>

static volatile unsigned sink;

/* Static and called directly by the units only: recorded exactly when its caller is. */
__attribute__((noinline)) static void step (unsigned i)
{
  if (i % 2 == 0)
    sink += i;
  else
    sink ^= i;
}

void *volatile block; /* kept out of GCC's reach, which would drop a malloc freed unused */

/* Allocates a block per call: the heap statistics are sampled with the calls. */
__attribute__((noinline)) int unit_on (unsigned n)
{
  for (unsigned i = 0; i < 10; i++)
    step (n + i);
  block = malloc (48);
  free (block);
  return 0;
}

__attribute__((noinline)) int unit_off (unsigned n)
{
  for (unsigned i = 0; i < 10; i++)
    step (n + i);
  return 0;
}

__attribute__((noinline)) int unit_back (unsigned n)
{
  for (unsigned i = 0; i < 10; i++)
    step (n + i);
  return 0;
}

/* Through pointers: every call tests the flag, whatever the caller's mode. */
int (*volatile call_on) (unsigned) = unit_on;
int (*volatile call_off) (unsigned) = unit_off;
int (*volatile call_back) (unsigned) = unit_back;

static double now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Calls fn for ms milliseconds; returns the number of calls. */
static unsigned long run_for (int (*volatile *fn) (unsigned), double ms)
{
  unsigned long calls = 0;
  double end = now_ms () + ms;
  do
    for (int k = 0; k < 100; k++)
      (*fn) ((unsigned) calls++);
  while (now_ms () < end);
  return calls;
}

int main (int argc, char **argv)
{
  double ms = argc > 1 ? atof (argv[1]) : 300;
  if (argc > 2) {
    pid_t pid = fork ();
    if (pid == 0) {
      printf ("child on %lu\n", run_for (&call_on, ms));
      return 0;
    }
    int status = 0;
    waitpid (pid, &status, 0);
    if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
      return 1;
  }
  printf ("on %lu\n", run_for (&call_on, ms));
  cprof_disable ();
  printf ("off %lu\n", run_for (&call_off, ms / 3));
  cprof_enable ();
  printf ("back %lu\n", run_for (&call_back, ms));
  return 0;
}
