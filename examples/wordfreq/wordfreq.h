/* wordfreq.h: shared declarations of the example. */
#ifndef WORDFREQ_H
#define WORDFREQ_H
#include <stddef.h>

#define WORD_MAX 32

struct entry {
  char word[WORD_MAX];
  long count;
};

struct table {
  struct entry *slots;
  size_t size;
  size_t used;
};

size_t text_generate (char *buf, size_t size, unsigned seed);
void table_init (struct table *t);
void table_add (struct table *t, const char *word, size_t n, long count);
void table_free (struct table *t);

#endif
