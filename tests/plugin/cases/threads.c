/* 8 threads x 100000 calls: exactly 800000, with no lost counts. */
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define CALLS 100000

__attribute__ ((noinline)) int work (int x) { return x * 3 + 1; }

static void *run (void *arg)
{
  long s = 0;
  for (int i = 0; i < CALLS; i++)  /* @tloop */
    s += work (i);
  return (void *) s;
}

int main (void)
{
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    pthread_create (&t[i], NULL, run, NULL);
  long total = 0;
  for (int i = 0; i < THREADS; i++)
    {
      void *r;
      pthread_join (t[i], &r);
      total += (long) r;
    }
  printf ("%ld\n", total);
  return 0;
}
