/* text.c: a deterministic pseudo-random text generator (no input files needed). */
#include "wordfreq.h"

static const char *const words[] = {
  "the", "of", "and", "to", "in", "profile", "compiler", "loop", "branch", "cache",
  "thread", "counter", "function", "call", "graph", "inline", "vector", "memory",
  "latency", "throughput", "gcc", "plugin", "runtime", "exact", "sample", "trace",
};

static unsigned
next_random (unsigned *state)
{
  *state = *state * 1103515245u + 12345u;
  return (*state >> 16) & 0x7fff;
}

size_t
text_generate (char *buf, size_t size, unsigned seed)
{
  size_t len = 0;
  unsigned state = seed;
  while (len + 32 < size)
    {
      /* Zipf-like: small indexes are much more frequent. */
      unsigned r = next_random (&state);
      unsigned idx = (r * r / 32768u) * (sizeof words / sizeof words[0]) / 32768u;
      const char *w = words[idx];
      while (*w)
        buf[len++] = *w++;
      switch (next_random (&state) % 16)
        {
        case 0: buf[len++] = '.'; buf[len++] = '\n'; break;
        case 1: case 2: buf[len++] = ','; buf[len++] = ' '; break;
        default: buf[len++] = ' '; break;
        }
    }
  buf[len] = 0;
  return len;
}
