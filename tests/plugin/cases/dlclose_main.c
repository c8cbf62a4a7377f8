/* dlclose_main.c: dlopen an instrumented library, call it from 2 threads that are still alive
 * when it is dlclosed, check that it really unloaded, run more code, dlopen it again.
 * usage: dlclose_main LIBRARY */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

static int (*lib_work)(int);
static pthread_barrier_t called, closed;

__attribute__((noinline)) int main_fn(int x) { return x * 3; }

static void *worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++)
    lib_work(100);
  pthread_barrier_wait(&called);
  pthread_barrier_wait(&closed); /* stay alive across the dlclose: live TLS counters */
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2)
    return 2;
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h || !(lib_work = (int (*)(int))dlsym(h, "lib_work"))) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  pthread_t th[2];
  pthread_barrier_init(&called, NULL, 3);
  pthread_barrier_init(&closed, NULL, 3);
  for (int i = 0; i < 2; i++)
    pthread_create(&th[i], NULL, worker, NULL);
  pthread_barrier_wait(&called);
  if (dlclose(h) != 0)
    return 3;
  if (dlopen(argv[1], RTLD_NOW | RTLD_NOLOAD)) {
    fprintf(stderr, "library still loaded after dlclose\n");
    return 4;
  }
  pthread_barrier_wait(&closed);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  int s = 0;
  for (int i = 0; i < 5; i++)
    s += main_fn(i);
  h = dlopen(argv[1], RTLD_NOW);
  if (!h || !(lib_work = (int (*)(int))dlsym(h, "lib_work")))
    return 5;
  for (int i = 0; i < 3; i++)
    s += lib_work(100);
  printf("%d\n", s);
  return 0;
}
