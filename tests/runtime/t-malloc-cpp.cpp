/* t-malloc-cpp.cpp: C++ new/delete reach the interposed malloc family. */
#include <cstdlib>
#include <new>
#include <vector>

#include "fake-plugin.h"

#define T "\t"
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-malloc-cpp.cpp" T "/src/malloc\n"
    "F" T "0" T "0" T "t-malloc-cpp.cpp" T "40" T "5" T "main" T "main" T "-\n"
    "F" T "1" T "1" T "t-malloc-cpp.cpp" T "20" T "6" T "churn()" T "_Z5churnv" T "-\n"
    "F" T "2" T "2" T "t-malloc-cpp.cpp" T "30" T "6" T "leak()" T "_Z4leakv" T "-\n";

FAKE_MODULE(3, 3, meta)

struct Obj {
  long a, b, c;
};

static volatile long sink;

/* 3 allocations (400 + 24 + 4000 bytes), all deleted. */
NOINLINE void churn() {
  FAKE_ENTER(1, 1);
  int *arr = new int[100];
  arr[99] = 1;
  Obj *o = new Obj{1, 2, 3};
  {
    std::vector<int> v;
    v.reserve(1000);
    v.push_back(o->c);
    sink += v[0] + arr[99];
  }
  delete o;
  delete[] arr;
  FAKE_EXIT(1);
}

/* One int never deleted. */
NOINLINE int *leak() {
  FAKE_ENTER(2, 2);
  int *p = new int(5);
  FAKE_EXIT(2);
  return p;
}

int main() {
  FAKE_ENTER(0, 0);
  for (int i = 0; i < 10; i++)
    churn();
  sink += *leak();
  FAKE_EXIT(0);
  return 0;
}
