/* zbench.c: zlib round trip for the cprof benchmarks.
   usage: zbench [MB]  (default 50). Generates a deterministic, moderately compressible buffer,
   deflates it at the default level, inflates it back, checks equality and prints sizes and CRCs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

static const char *const words[] = {
  "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "profile", "counter",
  "branch", "loop", "function", "compile", "runtime", "sample", "median", "ratio", "zlib", "lua",
};

int main (int argc, char **argv)
{
  size_t mb = argc > 1 ? strtoul (argv[1], 0, 10) : 50;
  size_t n = mb << 20, i = 0;
  unsigned char *src = malloc (n), *dst, *back;
  unsigned long x = 88172645463325252ul;
  if (!src) return 2;
  while (i < n)
    {
      x ^= x << 13; x ^= x >> 7; x ^= x << 17;
      if ((x & 15) == 0) /* some incompressible noise */
        for (int k = 0; k < 8 && i < n; k++) src[i++] = (unsigned char) (x >> (8 * k));
      else
        {
          const char *w = words[(x >> 8) % 20];
          size_t l = strlen (w);
          for (size_t k = 0; k < l && i < n; k++) src[i++] = (unsigned char) w[k];
          if (i < n) src[i++] = (x >> 40) % 11 == 0 ? '\n' : ' ';
        }
    }
  uLongf clen = compressBound (n);
  dst = malloc (clen);
  back = malloc (n);
  if (!dst || !back) return 2;
  if (compress2 (dst, &clen, src, n, Z_DEFAULT_COMPRESSION) != Z_OK) { puts ("compress failed"); return 1; }
  uLongf blen = n;
  if (uncompress (back, &blen, dst, clen) != Z_OK) { puts ("uncompress failed"); return 1; }
  int same = blen == n && memcmp (src, back, n) == 0;
  printf ("in %zu compressed %lu crc32 %08lx adler32 %08lx roundtrip %s\n", n, (unsigned long) clen,
          crc32 (0, dst, clen), adler32 (1, back, blen), same ? "ok" : "MISMATCH");
  free (src); free (dst); free (back);
  return same ? 0 : 1;
}
