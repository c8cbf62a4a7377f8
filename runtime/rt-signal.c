/* rt-signal.c: process lifecycle: SIGINT/SIGTERM, CPROF_DUMP_SIGNAL, and exec flush. */
#include <alloca.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rt-internal.h"

static struct sigaction sig_prev[NSIG];
static int sig_dump = 0; /* CPROF_DUMP_SIGNAL, 0 when unset */

/* A handler must not re-enter the runtime (its lock) or the allocator this thread was in. */
static int sig_safe(void) {
  struct rt_thread *t = rt_self_tls;
  return !rt_internal && !rt_in_malloc && !(t && t->in_hook);
}

/* SIGINT/SIGTERM: write the profile once, then let the previous disposition act. */
static void sig_fatal(int sig) {
  int saved = errno;
  if (sig_safe())
    rt_output_final();
  sigaction(sig, &sig_prev[sig], NULL);
  errno = saved;
  raise(sig); /* delivered when this handler returns (the signal is blocked meanwhile) */
}

static void sig_on_demand(int sig) {
  (void)sig;
  if (sig_safe())
    rt_output_dump(NULL);
}

static int sig_parse(const char *v) {
  static const struct {
    const char *name;
    int sig;
  } names[] = {{"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"HUP", SIGHUP}, {"QUIT", SIGQUIT},
               {"PROF", SIGPROF}, {"ALRM", SIGALRM}, {"WINCH", SIGWINCH}};
  if (strncmp(v, "SIG", 3) == 0)
    v += 3;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(v, names[i].name) == 0)
      return names[i].sig;
  char *end;
  long n = strtol(v, &end, 10);
  if (*v && !*end && n >= SIGRTMIN && n <= SIGRTMAX)
    return (int)n;
  return 0;
}

static void sig_install(int sig, void (*fn)(int), int replace_handler) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  if (sigaction(sig, NULL, &sig_prev[sig]) != 0)
    return;
  /* An ignored signal stays ignored; a handler the program set before start-up stays too. */
  if (sig_prev[sig].sa_handler == SIG_IGN ||
      (!replace_handler && sig_prev[sig].sa_handler != SIG_DFL))
    return;
  sa.sa_handler = fn;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, NULL);
}

void rt_signals_init(void) {
  const char *v = getenv("CPROF_DUMP_SIGNAL");
  if (v && *v) {
    sig_dump = sig_parse(v);
    if (!sig_dump)
      rt_warn("ignoring CPROF_DUMP_SIGNAL='%s' (expected USR1, USR2, HUP, QUIT, PROF, ALRM, WINCH "
              "or a real-time signal number)", v);
  }
  if (sig_dump)
    sig_install(sig_dump, sig_on_demand, 1);
  if (sig_dump != SIGINT)
    sig_install(SIGINT, sig_fatal, 0);
  if (sig_dump != SIGTERM)
    sig_install(SIGTERM, sig_fatal, 0);
}

/* ---- exec: the process image is replaced, so the profile is written first ---------------- */

typedef int (*exec_fn)(const char *, char *const[], char *const[]);

static void *sig_next(const char *name) {
  void *fn = dlsym(RTLD_NEXT, name);
  if (!fn) {
    rt_warn("%s: not found in the C library", name);
    abort();
  }
  return fn;
}

/* Writes the profile before an exec; rearms the exit-time profile when the exec fails. */
static int exec_armed; /* exec_flush wrote the profile */

/* Not in a vfork child: it shares the parent's memory, and the parent writes its own profile. */
static void exec_flush(void) {
  exec_armed = rt_config.enabled && getpid() == rt_config.pid;
  if (exec_armed)
    rt_output_final();
}

static void exec_failed(void) {
  int saved = errno;
  if (exec_armed)
    rt_output_rearm();
  errno = saved;
}

#define EXEC_WRAP(call)                                                                        \
  do {                                                                                         \
    exec_flush();                                                                              \
    int rc_ = (call);                                                                          \
    exec_failed();                                                                             \
    return rc_;                                                                                \
  } while (0)

CPROF_EXPORT int execve(const char *path, char *const argv[], char *const envp[]) {
  static exec_fn real;
  if (!real)
    real = (exec_fn)sig_next("execve");
  EXEC_WRAP(real(path, argv, envp));
}

CPROF_EXPORT int execvpe(const char *file, char *const argv[], char *const envp[]) {
  static exec_fn real;
  if (!real)
    real = (exec_fn)sig_next("execvpe");
  EXEC_WRAP(real(file, argv, envp));
}

CPROF_EXPORT int execv(const char *path, char *const argv[]) {
  return execve(path, argv, environ);
}

CPROF_EXPORT int execvp(const char *file, char *const argv[]) {
  return execvpe(file, argv, environ);
}

CPROF_EXPORT int fexecve(int fd, char *const argv[], char *const envp[]) {
  static int (*real)(int, char *const[], char *const[]);
  if (!real)
    real = (int (*)(int, char *const[], char *const[]))sig_next("fexecve");
  EXEC_WRAP(real(fd, argv, envp));
}

/* execl, execlp, execle: the variadic list becomes an argv on the stack. */
#define EXEC_ARGV(first, ap, argv, envp_out)                                                   \
  size_t n_ = 1;                                                                               \
  va_start(ap, first);                                                                         \
  while (va_arg(ap, const char *))                                                             \
    n_++;                                                                                      \
  va_end(ap);                                                                                  \
  char **argv = alloca((n_ + 1) * sizeof *argv);                                               \
  va_start(ap, first);                                                                         \
  argv[0] = (char *)(first);                                                                   \
  for (size_t i_ = 1; i_ <= n_; i_++)                                                          \
    argv[i_] = va_arg(ap, char *);                                                             \
  envp_out;                                                                                    \
  va_end(ap)

CPROF_EXPORT int execl(const char *path, const char *arg, ...) {
  va_list ap;
  EXEC_ARGV(arg, ap, argv, (void)0);
  return execve(path, argv, environ);
}

CPROF_EXPORT int execlp(const char *file, const char *arg, ...) {
  va_list ap;
  EXEC_ARGV(arg, ap, argv, (void)0);
  return execvpe(file, argv, environ);
}

CPROF_EXPORT int execle(const char *path, const char *arg, ...) {
  va_list ap;
  char **envp;
  EXEC_ARGV(arg, ap, argv, envp = va_arg(ap, char **));
  return execve(path, argv, envp);
}
