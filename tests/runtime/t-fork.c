/* t-fork.c: a fork child writes its own profile; the parent's keeps the parent's counts. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-fork.c" T "/src/fork\n"
    "F" T "0" T "0" T "t-fork.c" T "30" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-fork.c" T "20" T "6" T "work" T "work" T "-\n"
    "C" T "0" T "2" T "work" T "-" T "t-fork.c" T "35" T "5\n";

FAKE_MODULE(3, 2, meta)

static volatile int sink;

__attribute__((noinline)) void work(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
}

int main(void) {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 1000; i++) {
    FAKE_COUNT(2);
    work();
  }
  fflush(stdout);
  pid_t child = fork();
  if (child < 0)
    return 2;
  if (child == 0) {
    for (int i = 0; i < 50; i++) {
      FAKE_COUNT(2);
      work();
    }
    exit(0); /* main's frame is still open: it is closed as unwound in the child's profile */
  }
  int status;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return 3;
  for (int i = 0; i < 10; i++) {
    FAKE_COUNT(2);
    work();
  }
  printf("parent %ld child %ld\n", (long)getpid(), (long)child);
  FAKE_EXIT(0);
  return 0;
}
