/* t-life.c: lifecycle: SIGTERM, an ignored SIGINT, CPROF_DUMP_SIGNAL, exec.
 * usage: t-life term|int-ignored|usr1|exec|vfork */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-life.c" T "/src/life\n"
    "F" T "0" T "0" T "t-life.c" T "30" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-life.c" T "20" T "6" T "work" T "work" T "-\n";

FAKE_MODULE(2, 2, meta)

static volatile int sink;

NOINLINE void work(void) {
  FAKE_ENTER(1, 1);
  sink++;
  FAKE_EXIT(1);
}

static void repeat(int n) {
  for (int i = 0; i < n; i++)
    work();
}

int main(int argc, char **argv) {
  FAKE_ENTER(0, 0);
  const char *mode = argc > 1 ? argv[1] : "term";
  if (strcmp(mode, "term") == 0) {
    repeat(7);
    raise(SIGTERM); /* the profile is written, then the default action kills the process */
    puts("not reached");
  } else if (strcmp(mode, "int-ignored") == 0) {
    repeat(3);
    raise(SIGINT); /* ignored by the parent: stays ignored */
    repeat(2);
    puts("survived");
  } else if (strcmp(mode, "usr1") == 0) {
    repeat(10);
    raise(SIGUSR1);
    if (rename("p.json", "mid.json") != 0)
      perror("rename");
    repeat(10);
  } else if (strcmp(mode, "exec") == 0) {
    repeat(5);
    execl("/nonexistent/prog", "prog", (char *)NULL); /* fails: profiling goes on */
    perror("execl");
    repeat(1);
    fflush(stdout);
    char *args[] = {"sh", "-c", "exit 4", NULL};
    execvp("sh", args);
    puts("exec failed");
  } else if (strcmp(mode, "vfork") == 0) {
    repeat(3);
    pid_t pid = vfork(); /* the child's exec must not write (or disarm) the parent's profile */
    if (pid == 0) {
      execl("/bin/true", "true", (char *)NULL);
      _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0)
      abort();
    repeat(2);
  }
  FAKE_EXIT(0);
  return 0;
}
