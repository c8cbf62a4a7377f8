/* t-names.c: hostile function, file, module and case-label names (quotes, backslashes, control
 * characters, bytes that are not UTF-8, valid UTF-8) reach the profile as valid JSON strings that
 * decode back to the same bytes, as cJSON escapes them. check.py's "names" repeats the strings. */
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
/* TAB and newline cannot occur: they separate the metadata's fields and records. */
#define N_MAIN "ma\"in\\"
#define N_EVIL "ev\"il \\ \x01\x02\x08\x0c\x0d\x1b\x1f\x7f end"
#define L_EVIL "_Z4evil\\\"\x05"
#define N_BYTES "bytes \xff\xfe \xc3\x28 \xe2\x82 \xed\xa0\x80 caf\xc3\xa9 \xf0\x9f\x98\x80"
#define F_MAIN "dir\\with \"quotes\"/t-\x03names.c"
#define F_BYTES "/\xff\xc0\xaf/x.c"
#define L_CASE "-7...9" /* switch labels: the schema allows numbers and ranges only */
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "src \"\\\x01\xfe.c" T "/src/\"names\"\\\x7f\n"
    "F" T "0" T "0" T F_MAIN T "30" T "5" T N_MAIN T "main" T "-\n"
    "F" T "1" T "1" T F_MAIN T "20" T "5" T N_EVIL T L_EVIL T "-\n"
    "F" T "2" T "2" T F_BYTES T "25" T "5" T N_BYTES T N_BYTES T "s\n"
    "L" T "0" T "3" T "4" T F_MAIN T "40" T "3" T "1\n"
    "B" T "0" T "5" T "6" T F_BYTES T "41" T "7\n"
    "S" T "0" T F_MAIN T "42" T "5" T "2" T "7" T L_CASE T "8" T "default\n"
    "C" T "0" T "9" T L_EVIL T "-" T F_MAIN T "43" T "5\n"
    "C" T "0" T "10" T N_BYTES T "s" T F_BYTES T "44" T "5\n";

FAKE_MODULE(11, 3, meta)

static volatile int sink;

NOINLINE void evil(int i) {
  FAKE_ENTER(1, 1);
  sink += i;
  FAKE_EXIT(1);
}

NOINLINE static void bytes(int i) {
  FAKE_ENTER(2, 2);
  sink -= i;
  FAKE_EXIT(2);
}

int main(void) {
  FAKE_ENTER(0, 0);
  FAKE_COUNT(4);
  for (int i = 0; i < 3; i++) {
    FAKE_COUNT(3);
    if (FAKE_BRANCH(i == 1, 5, 6)) {
      FAKE_COUNT(7);
      FAKE_COUNT(9);
      evil(i);
    } else {
      FAKE_COUNT(8);
      FAKE_COUNT(10);
      bytes(i);
    }
  }
  printf("names done\n");
  FAKE_EXIT(0);
  return 0;
}
