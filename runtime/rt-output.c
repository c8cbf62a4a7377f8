/* rt-output.c: profile destination (%p, fork suffix), atomic write, one dump at exit. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt-internal.h"

static int output_dumped;

/* Every "%p" becomes the pid; a fork child without "%p" appends ".<pid>". */
static char *output_expand(const char *pattern, int fork_suffix) {
  char pid[24];
  int plen = snprintf(pid, sizeof pid, "%ld", (long)getpid());
  size_t len = strlen(pattern), n = 0, cap = len + 1 + 24;
  int has_p = strstr(pattern, "%p") != NULL;
  for (const char *p = pattern; (p = strstr(p, "%p")); p += 2)
    cap += (size_t)plen;
  char *out = malloc(cap);
  if (!out)
    return NULL;
  for (const char *p = pattern; *p;) {
    if (p[0] == '%' && p[1] == 'p') {
      memcpy(out + n, pid, (size_t)plen);
      n += (size_t)plen;
      p += 2;
    } else {
      out[n++] = *p++;
    }
  }
  if (fork_suffix && !has_p) {
    out[n++] = '.';
    memcpy(out + n, pid, (size_t)plen);
    n += (size_t)plen;
  }
  out[n] = '\0';
  return out;
}

static int output_write_all(int fd, const char *text, size_t len) {
  while (len) {
    ssize_t w = write(fd, text, len);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    text += w;
    len -= (size_t)w;
  }
  return 0;
}

/* A writer killed by SIGKILL between open and rename leaves "<path>.tmp.<pid>.<n>" behind. After a
 * complete write to path, remove those whose pid no longer exists, so they cannot accumulate
 * (a live process with that pid, perhaps a concurrent writer, keeps its file). */
static void output_reap_stale(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *base = slash ? slash + 1 : path;
  size_t blen = strlen(base);
  char *dir = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
  DIR *d = dir ? opendir(dir) : NULL;
  for (struct dirent *e; d && (e = readdir(d));) {
    const char *n = e->d_name;
    if (strncmp(n, base, blen) != 0 || strncmp(n + blen, ".tmp.", 5) != 0)
      continue;
    char *end;
    long pid = strtol(n + blen + 5, &end, 10);
    if (end == n + blen + 5 || pid <= 0 || pid == (long)getpid())
      continue;
    if (*end == '.') /* ".<sequence>" */
      for (end++; *end >= '0' && *end <= '9';)
        end++;
    if (*end)
      continue;
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
      continue;
    unlinkat(dirfd(d), n, 0);
  }
  if (d)
    closedir(d);
  free(dir);
}

/* A path that names something other than a regular file (/dev/null, /dev/stdout, a FIFO) is
 * written in place: renaming a file over it would replace the device or the pipe. */
static int output_write_special(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    if (output_write_all(fd, text, strlen(text)) != 0 || output_write_all(fd, "\n", 1) != 0)
      err = errno ? errno : EIO;
    if (close(fd) != 0 && !err)
      err = errno;
  }
  if (err) {
    rt_warn("cannot write profile to '%s': %s", path, strerror(err));
    return -1;
  }
  return 0;
}

/* Writes "<path>.tmp.<pid>.<n>" then renames it over path, so readers never see a partial file.
 * The text is streamed into the file as it is rendered; a special file gets it whole (nothing on
 * a failure). */
static int output_write_atomic(const char *path, const struct rt_snapshot *s) {
  struct stat st;
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    char *text = rt_json_render(s);
    int rc = -1;
    if (!text)
      rt_warn("cannot write profile to '%s': %s", path, strerror(ENOMEM));
    else
      rc = output_write_special(path, text);
    free(text);
    return rc;
  }
  size_t tlen = strlen(path) + 32;
  char *tmp = malloc(tlen);
  if (!tmp) {
    rt_warn("cannot write profile to '%s': %s", path, strerror(ENOMEM));
    return -1;
  }
  /* The sequence number keeps concurrent dumps of one process (a CPROF_SNAPSHOT and a
   * cprof_dump, a dump signal or an exec) from writing into the same temporary file. */
  static unsigned output_seq;
  snprintf(tmp, tlen, "%s.tmp.%ld.%u", path, (long)getpid(),
           __atomic_fetch_add(&output_seq, 1, __ATOMIC_RELAXED));
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  int err = 0;
  if (fd < 0) {
    err = errno;
  } else {
    if (rt_json_write(s, fd) != 0)
      err = errno ? errno : EIO;
    if (close(fd) != 0 && !err)
      err = errno;
    if (!err && rename(tmp, path) != 0)
      err = errno;
    if (err)
      unlink(tmp);
  }
  free(tmp);
  if (err) {
    rt_warn("cannot write profile to '%s': %s", path, strerror(err));
    return -1;
  }
  output_reap_stale(path);
  return 0;
}

static int output_dump(const char *path);

int rt_output_dump(const char *path) {
  RT_INTERNAL_BEGIN();
  int rc = output_dump(path);
  RT_INTERNAL_END();
  return rc;
}

static int output_dump(const char *path) {
  int saved_errno = errno;
  char *target = path ? output_expand(path, 0)
                      : output_expand(rt_config.output, rt_config.forked_child);
  if (!target) {
    rt_warn("cannot write profile: %s", strerror(ENOMEM));
    return -1;
  }
  struct rt_snapshot s;
  int rc = -1;
  if (rt_snapshot_take(&s) != 0) {
    rt_warn("cannot write profile to '%s': %s", target, strerror(ENOMEM));
  } else {
    rc = output_write_atomic(target, &s);
    rt_snapshot_free(&s);
  }
  free(target);
  errno = saved_errno;
  return rc;
}

/* The exit handler: exactly one profile per process, whichever thread calls exit(). */
void rt_output_final(void) {
  if (!rt_config.enabled || __atomic_exchange_n(&output_dumped, 1, __ATOMIC_ACQ_REL))
    return;
  rt_output_dump(NULL);
}

void rt_output_forked(void) {
  rt_config.forked_child = 1;
  rt_config.pid = getpid();
  __atomic_store_n(&output_dumped, 0, __ATOMIC_RELEASE);
}

void rt_output_rearm(void) { __atomic_store_n(&output_dumped, 0, __ATOMIC_RELEASE); }
