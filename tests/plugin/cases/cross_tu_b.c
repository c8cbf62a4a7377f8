#include "cross_tu.h"

int scale (int x) { return x * 3; }

int bump (int x)
{
  int s = 0;
  for (int i = 0; i < x % 5; i++) /* @bump_loop */
    s += scale (i);
  return s;
}

int pong (int n) { return n <= 0 ? 0 : 1 + ping (n - 1); }

int plain_helper (int x) { return x + 1; } /* excluded: called through its forwarder */
