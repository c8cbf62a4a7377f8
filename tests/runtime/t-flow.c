/* t-flow.c: counts solved from G records (a function counted on a spanning tree, plugin
   instrument.cc [9]): a loop, a fake edge that goes negative (cprof_reset in the middle of
   a frame), malformed or unsolvable records, which leave their targets at 0, and an entry
   counted by its call sites in a graph solved after its callers'. */
#include <stdio.h>

#include "fake-plugin.h"

#define T "\t"
/* Counters: 0 main's entry, 1 loop iterations, 2 loop entries, 3/4 branch taken/not,
   5 ENTRY->header, 6 + 13 back edge (counted, as a switch's edge: a sum); 7 reset_fn's ENTRY edge, 8 its entry,
   9 after its call, 10 its call site; 11 unsolved's entry, 12 a counted edge. */
static const char meta[] =
    "cprof-metadata" T "1\n"
    "module" T "t-flow.c" T "/src/flow\n"
    "F" T "0" T "0" T "t-flow.c" T "10" T "5" T "main" T "main" T "-\n"
    "L" T "0" T "1" T "2" T "t-flow.c" T "11" T "3" T "1\n"
    "B" T "0" T "3" T "4" T "t-flow.c" T "11" T "3\n"
    /*    vertices: 0 ENTRY, 1 EXIT, 2 header, 3 body, 4 after the loop
          1->0          0->2 [5]: entry,entries   2->3: iterations,taken  3->2 [6+13]
          2->4: not taken                         4->1 */
    "G" T "0" T "5" T "6"
    T "1" T "0" T "-" T "-"  T "0" T "2" T "5" T "0,2"  T "2" T "3" T "-" T "1,3"
    T "3" T "2" T "6+13" T "-"  T "2" T "4" T "-" T "4"    T "4" T "1" T "-" T "-\n"
    "F" T "1" T "8" T "t-flow.c" T "20" T "5" T "reset_fn" T "reset_fn" T "-\n"
    "C" T "1" T "10" T "main" T "-" T "t-flow.c" T "21" T "3\n"
    /*    0 ENTRY, 1 EXIT, 2 before the call, 3 after it; 2->1 is the call's fake edge */
    "G" T "1" T "4" T "5"
    T "1" T "0" T "-" T "-"  T "0" T "2" T "7" T "8"  T "2" T "1" T "-" T "-"
    T "2" T "3" T "9" T "10" T "3" T "1" T "-" T "-\n"
    "F" T "2" T "11" T "t-flow.c" T "30" T "5" T "unsolved" T "unsolved" T "-\n"
    /* a cycle of unknown edges: no vertex has a single one */
    "G" T "2" T "3" T "3"  T "1" T "0" T "-" T "-"  T "0" T "2" T "-" T "11"  T "2" T "1" T "-" T "-\n"
    /* malformed: edge count lies, vertex out of range, target out of range, counter out
       of range, a huge edge count, short, trailing fields, a function id out of range, bad sums */
    "G" T "2" T "3" T "5"  T "1" T "0" T "-" T "-"  T "0" T "2" T "12" T "11\n"
    "G" T "2" T "3" T "2"  T "1" T "0" T "-" T "-"  T "0" T "7" T "12" T "11\n"
    "G" T "2" T "3" T "2"  T "1" T "0" T "-" T "-"  T "0" T "2" T "12" T "11,99\n"
    "G" T "2" T "3" T "2"  T "1" T "0" T "-" T "-"  T "0" T "2" T "4000000000" T "11\n"
    "G" T "2" T "3" T "4000000000" T "1" T "0" T "-" T "-\n"
    "G" T "2\n"
    "G" T "2" T "3" T "1"  T "0" T "2" T "12" T "11" T "junk\n"
    "G" T "2" T "3" T "1"  T "0" T "2" T "12" T "11," T "\n"
    "G" T "9" T "3" T "1"  T "0" T "2" T "12" T "11\n"
    "G" T "2" T "3" T "1"  T "0" T "2" T "12+" T "11\n"
    "G" T "2" T "3" T "1"  T "0" T "2" T "12+99" T "11\n"
    "G" T "2" T "3" T "1"  T "0" T "2" T "12" T "x11\n"
    /* by_sites and mid count their entries by their call sites (plugin instrument.cc [10]):
       by_sites is called by mid and by twice, mid by twice; the graphs come in the reverse of
       the order they must be solved in, each after those whose targets it reads. Counters: 14
       by_sites' entry, 15 twice's entry, 16 mid's call of by_sites, 17 twice's ENTRY edge, 18
       and 19 twice's calls of mid and by_sites, 20 mid's entry. */
    "F" T "3" T "14" T "t-flow.c" T "40" T "5" T "by_sites" T "by_sites" T "s\n"
    "G" T "3" T "2" T "2"  T "1" T "0" T "-" T "-"  T "0" T "1" T "16+19" T "14\n"
    "F" T "5" T "20" T "t-flow.c" T "45" T "5" T "mid" T "mid" T "s\n"
    "C" T "5" T "16" T "by_sites" T "s" T "t-flow.c" T "46" T "3\n"
    "G" T "5" T "2" T "2"  T "1" T "0" T "-" T "-"  T "0" T "1" T "18" T "20,16\n"
    "F" T "4" T "15" T "t-flow.c" T "50" T "5" T "twice" T "twice" T "-\n"
    "C" T "4" T "18" T "mid" T "s" T "t-flow.c" T "51" T "3\n"
    "C" T "4" T "19" T "by_sites" T "s" T "t-flow.c" T "52" T "3\n"
    "G" T "4" T "2" T "2"  T "1" T "0" T "-" T "-"  T "0" T "1" T "17" T "15,18,19\n";

FAKE_MODULE(21, 6, meta)

int main(void) {
  if (__cprof_active) {
    /* main: entered once, 9 iterations (the counted back edge), left once. */
    fake_counters[5] += 1;
    fake_counters[6] += 7;
    fake_counters[13] += 2;
    /* reset_fn's frame was live across cprof_reset: its entry was wiped, its call
       returned once after: the fake edge takes -1, the call site still reads 1. */
    fake_counters[9] += 1;
    fake_counters[12] += 5;
    /* twice: entered 4 times, each calling mid and by_sites once; mid calls by_sites. */
    fake_counters[17] += 4;
  }
  printf("flow done\n");
  return 0;
}
