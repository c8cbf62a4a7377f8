/* t-meta.c: malformed metadata and a module with a foreign ABI version never crash. */
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-meta.c" T "/src/meta\n"
    "F" T "0" T "0" T "t-meta.c" T "10" T "5" T "main" T "main" T "-\n"
    "F" T "0" T "1" T "t-meta.c" T "11" T "5" T "dup" T "dup" T "-\n"  /* duplicate id */
    "F" T "1" T "99" T "t-meta.c" T "12" T "5" T "badctr" T "badctr" T "-\n" /* bad counter */
    "F" T "7" T "1" T "t-meta.c" T "13" T "5" T "outofrange" T "x" T "-\n"  /* fn >= F */
    "F" T "2\n"                                                              /* short */
    "F" T "x" T "1" T "t-meta.c" T "14" T "5" T "nan" T "nan" T "-\n"       /* not a number */
    "L" T "0" T "1" T "2" T "t-meta.c" T "20" T "3" T "1\n"                   /* fine */
    "L" T "0" T "1\n"                                                        /* short */
    "B" T "0" T "1" T "4000000000" T "t-meta.c" T "21" T "3\n"               /* ctr range */
    "S" T "0" T "t-meta.c" T "22" T "3" T "5" T "1" T "0\n"                  /* ncases lies */
    "S" T "0" T "t-meta.c" T "23" T "3" T "1" T "2" T "default\n"            /* fine */
    "C" T "0" T "1" T "\n"                                                   /* short */
    "C" T "0" T "1" T "main" T "-" T "t-meta.c" T "24" T "3\n"               /* recursion */
    "\n\n\t\t\t\n"
    "unknown" T "1" T "2" T "3\n"
    "L" T "-1" T "1" T "2" T "t-meta.c" T "20" T "3" T "1\n"
    "module" T "only-one-field\n"
    "F";

FAKE_MODULE(3, 3, meta)

static uint64_t *other_tls(void) { return fake_counters; }
static struct __cprof_module future_module = {CPROF_ABI_VERSION + 1, 3, 3, 0, "x", other_tls, 0,
                                              NULL};
static struct __cprof_module no_metadata = {CPROF_ABI_VERSION, 1, 1, 0,
                                            "not-cprof-metadata\nF\t0\t0\ta\t1\t1\tz\tz\t-\n",
                                            other_tls, 0, NULL};

int main(void) {
  FAKE_ENTER(0, 0);
  __cprof_register(&future_module);       /* refused with one warning */
  __cprof_register(&no_metadata);
  __cprof_register(&no_metadata);         /* registering twice is harmless */
  if (fake_on) {
    __cprof_enter(&future_module, 0);     /* ignored */
    __cprof_exit(&future_module, 0);
    __cprof_enter(&fake_module, 9);       /* local id out of range: ignored */
    __cprof_exit(&fake_module, 1);        /* exit without enter: ignored */
    __cprof_enter(&no_metadata, 0);
    __cprof_exit(&no_metadata, 0);
  }
  for (int i = 0; i < 7; i++)
    FAKE_COUNT(1);
  FAKE_COUNT(2);
  printf("meta done\n");
  FAKE_EXIT(0);
  return 0;
}
