// t-catch.cpp: C++ exceptions: frames unwound by a throw are closed when the handler catches.
#include <cstdio>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-catch.cpp" T "/src/catch\n"
    "F" T "0" T "0" T "t-catch.cpp" T "50" T "5" T "main" T "main" T "c\n"
    "F" T "1" T "1" T "t-catch.cpp" T "35" T "6" T "a" T "_Z1av" T "c\n"
    "F" T "2" T "2" T "t-catch.cpp" T "28" T "6" T "b" T "_Z1bv" T "c\n"
    "F" T "3" T "3" T "t-catch.cpp" T "22" T "6" T "c" T "_Z1cv" T "c\n"
    "F" T "4" T "4" T "t-catch.cpp" T "17" T "6" T "e" T "_Z1ev" T "c\n"
    "C" T "1" T "5" T "_Z1bv" T "c" T "t-catch.cpp" T "38" T "5\n"
    "C" T "1" T "6" T "_Z1ev" T "c" T "t-catch.cpp" T "42" T "3\n";

FAKE_MODULE(7, 5, meta)

static volatile int sink;

__attribute__((noinline)) void e() {
  FAKE_ENTER(4, 4);
  sink++;
  FAKE_EXIT(4);
}

__attribute__((noinline)) void c() {
  FAKE_ENTER(3, 3);
  if (sink >= 0)
    throw 42;
  FAKE_EXIT(3);
}

__attribute__((noinline)) void b() {
  FAKE_ENTER(2, 2);
  c();
  FAKE_EXIT(2);
}

__attribute__((noinline)) void a() {
  FAKE_ENTER(1, 1);
  try {
    FAKE_COUNT(5);
    b();
  } catch (int) {
    sink++; // b and c were closed as unwound by __cxa_begin_catch
  }
  FAKE_COUNT(6);
  e();
  FAKE_EXIT(1);
}

int main() {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 100; i++)
    a();
  std::printf("catch done\n");
  FAKE_EXIT(0);
  return 0;
}
