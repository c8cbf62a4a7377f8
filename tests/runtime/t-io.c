/* t-io.c: I/O interposition: exact calls and bytes per kind, attributed to the innermost timed
 * function; the runtime's own writes are not counted; I/O from a signal handler that interrupts
 * the wrappers and the hooks. usage: t-io [exact|bench N|signal] */
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-io.c" T "/src/io\n"
    "F" T "0" T "0" T "t-io.c" T "100" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-io.c" T "20" T "6" T "write_file" T "write_file" T "-\n"
    "F" T "2" T "2" T "t-io.c" T "30" T "6" T "read_file" T "read_file" T "-\n"
    "F" T "3" T "3" T "t-io.c" T "40" T "6" T "stdio_io" T "stdio_io" T "-\n"
    "F" T "4" T "4" T "t-io.c" T "50" T "6" T "sock_io" T "sock_io" T "-\n"
    "F" T "5" T "5" T "t-io.c" T "60" T "6" T "positional" T "positional" T "-\n";

FAKE_MODULE(6, 6, meta)

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "t-io: check failed: %s\n", what);
    _exit(99);
  }
}

/* 1000 writes of 100 bytes. */
NOINLINE void write_file(int fd) {
  FAKE_ENTER(1, 1);
  char buf[100];
  memset(buf, 'w', sizeof buf);
  for (int i = 0; i < 1000; i++)
    check(write(fd, buf, sizeof buf) == 100, "write");
  FAKE_EXIT(1);
}

/* 1000 reads of 100 bytes, then one read at end of file (a call with 0 bytes). */
NOINLINE void read_file(int fd) {
  FAKE_ENTER(2, 2);
  char buf[100];
  for (int i = 0; i < 1000; i++)
    check(read(fd, buf, sizeof buf) == 100, "read");
  check(read(fd, buf, sizeof buf) == 0, "read at eof");
  FAKE_EXIT(2);
}

/* fwrite 10 x 4096 (one item each), fread back 10 x 4096, then one short fread of 0 items. */
NOINLINE void stdio_io(void) {
  FAKE_ENTER(3, 3);
  static char buf[4096];
  FILE *f = fopen("io-stdio.dat", "w+");
  check(f != NULL, "fopen");
  for (int i = 0; i < 10; i++)
    check(fwrite(buf, sizeof buf, 1, f) == 1, "fwrite");
  rewind(f);
  for (int i = 0; i < 10; i++)
    check(fread(buf, 1, sizeof buf, f) == sizeof buf, "fread");
  check(fread(buf, sizeof buf, 1, f) == 0, "fread at eof");
  fclose(f);
  FAKE_EXIT(3);
}

/* send/recv 50 x 200 over a socketpair, sendto/recvfrom 5 x 10. */
NOINLINE void sock_io(void) {
  FAKE_ENTER(4, 4);
  int sv[2];
  check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
  char buf[200] = {0};
  for (int i = 0; i < 50; i++) {
    check(send(sv[0], buf, sizeof buf, 0) == 200, "send");
    check(recv(sv[1], buf, sizeof buf, 0) == 200, "recv");
  }
  for (int i = 0; i < 5; i++) {
    check(sendto(sv[1], buf, 10, 0, NULL, 0) == 10, "sendto");
    check(recvfrom(sv[0], buf, 10, 0, NULL, NULL) == 10, "recvfrom");
  }
  close(sv[0]);
  close(sv[1]);
  FAKE_EXIT(4);
}

/* pwrite/pread 7 x 10, writev/readv 3 x (4 + 6). */
NOINLINE void positional(int fd) {
  FAKE_ENTER(5, 5);
  char buf[10] = "0123456789";
  for (int i = 0; i < 7; i++)
    check(pwrite(fd, buf, 10, i * 10) == 10, "pwrite");
  for (int i = 0; i < 7; i++)
    check(pread(fd, buf, 10, i * 10) == 10, "pread");
  lseek(fd, 0, SEEK_SET);
  struct iovec iov[2] = {{buf, 4}, {buf + 4, 6}};
  for (int i = 0; i < 3; i++)
    check(writev(fd, iov, 2) == 10, "writev");
  lseek(fd, 0, SEEK_SET);
  for (int i = 0; i < 3; i++)
    check(readv(fd, iov, 2) == 10, "readv");
  FAKE_EXIT(5);
}

static double now_s(void);
static volatile sig_atomic_t handler_writes;
static int devnull = -1;

static void on_alarm(int sig) {
  (void)sig;
  if (write(devnull, "0123456789", 10) == 10)
    handler_writes++;
}

/* Writes in a loop (timed frames, wrappers, malloc) for 0.3 s under a 0.5 ms SIGALRM timer whose
 * handler writes too: no deadlock, no crash, every write counted at most once. */
static int signal_mode(void) {
  FAKE_ENTER(0, 0);
  devnull = open("/dev/null", O_WRONLY);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval it = {{0, 500}, {0, 500}};
  setitimer(ITIMER_REAL, &it, NULL);
  long loop = 0;
  double end = now_s() + 0.3;
  while (now_s() < end) {
    write_file(devnull); /* 1000 writes of 100 bytes each */
    free(malloc(64));
    loop++;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("loop_writes %ld handler_writes %ld\n", loop * 1000, (long)handler_writes);
  FAKE_EXIT(0);
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc > 2 && strcmp(argv[1], "bench") == 0) {
    /* ns per write(2) of 1 byte to /dev/null: run with and without CPROF=1 */
    long n = atol(argv[2]);
    int fd = open("/dev/null", O_WRONLY);
    double t0 = now_s();
    for (long i = 0; i < n; i++)
      if (write(fd, "x", 1) != 1)
        return 1;
    printf("%.1f ns/write\n", (now_s() - t0) * 1e9 / (double)n);
    return 0;
  }
  if (argc > 1 && strcmp(argv[1], "signal") == 0)
    return signal_mode();
  FAKE_ENTER(0, 0);
  int fd = open("io.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
  check(fd >= 0, "open");
  write_file(fd);
  check(lseek(fd, 0, SEEK_SET) == 0, "lseek");
  read_file(fd);
  close(fd);
  stdio_io();
  sock_io();
  fd = open("io-pos.dat", O_RDWR | O_CREAT | O_TRUNC, 0600);
  check(fd >= 0, "open pos");
  positional(fd);
  close(fd);
  FAKE_EXIT(0);
  return 0;
}
