/* table.c: an open-addressing hash table of word counts. */
#include <stdlib.h>
#include <string.h>

#include "wordfreq.h"

static unsigned
hash_word (const char *s, size_t n)
{
  unsigned h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char) s[i]) * 16777619u;
  return h;
}

void
table_init (struct table *t)
{
  t->size = 64;
  t->used = 0;
  t->slots = calloc (t->size, sizeof *t->slots);
}

static void
table_grow (struct table *t)
{
  struct table bigger = { calloc (t->size * 2, sizeof *t->slots), t->size * 2, 0 };
  for (size_t i = 0; i < t->size; i++)
    if (t->slots[i].word[0])
      table_add (&bigger, t->slots[i].word, strlen (t->slots[i].word), t->slots[i].count);
  free (t->slots);
  *t = bigger;
}

void
table_add (struct table *t, const char *word, size_t n, long count)
{
  if (n >= WORD_MAX)
    n = WORD_MAX - 1;
  if (2 * (t->used + 1) > t->size)
    table_grow (t);
  size_t i = hash_word (word, n) & (t->size - 1);
  while (t->slots[i].word[0])
    {
      if (strncmp (t->slots[i].word, word, n) == 0 && t->slots[i].word[n] == 0)
        {
          t->slots[i].count += count;
          return;
        }
      i = (i + 1) & (t->size - 1);
    }
  memcpy (t->slots[i].word, word, n);
  t->slots[i].word[n] = 0;
  t->slots[i].count = count;
  t->used++;
}

void
table_free (struct table *t)
{
  free (t->slots);
  t->slots = NULL;
}
