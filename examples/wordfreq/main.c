/* main.c: count word frequencies of a generated text with several threads, then print the
   most frequent words.  A small multi-file, multi-threaded program to profile with cprof. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wordfreq.h"

#define THREADS 4

struct job {
  const char *text;
  size_t len;
  struct table counts;
};

static int
is_word_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void *
count_words (void *arg)
{
  struct job *job = arg;
  table_init (&job->counts);
  size_t i = 0;
  while (i < job->len)
    {
      while (i < job->len && !is_word_char (job->text[i]))
        i++;
      size_t start = i;
      while (i < job->len && is_word_char (job->text[i]))
        i++;
      if (i > start)
        table_add (&job->counts, job->text + start, i - start, 1);
    }
  return NULL;
}

static int
by_count (const struct entry *a, const struct entry *b)
{
  if (a->count != b->count)
    return a->count < b->count ? 1 : -1;
  return strcmp (a->word, b->word);
}

/* Quicksort on purpose (recursive) rather than qsort, so that it shows in the profile. */
static void
sort_entries (struct entry *e, long lo, long hi)
{
  if (lo >= hi)
    return;
  struct entry pivot = e[(lo + hi) / 2];
  long i = lo, j = hi;
  while (i <= j)
    {
      while (by_count (&e[i], &pivot) < 0)
        i++;
      while (by_count (&e[j], &pivot) > 0)
        j--;
      if (i <= j)
        {
          struct entry tmp = e[i];
          e[i++] = e[j];
          e[j--] = tmp;
        }
    }
  sort_entries (e, lo, j);
  sort_entries (e, i, hi);
}

int
main (int argc, char **argv)
{
  size_t size = argc > 1 ? strtoul (argv[1], NULL, 10) : 4000000;
  char *text = malloc (size);
  if (!text)
    return 1;
  size_t len = text_generate (text, size, 42);

  struct job jobs[THREADS];
  pthread_t tids[THREADS];
  size_t begin = 0;
  for (int t = 0; t < THREADS; t++)
    {
      size_t end = t == THREADS - 1 ? len : len / THREADS * (t + 1);
      while (end < len && is_word_char (text[end]))
        end++;
      jobs[t].text = text + begin;
      jobs[t].len = end - begin;
      pthread_create (&tids[t], NULL, count_words, &jobs[t]);
      begin = end;
    }

  struct table all;
  table_init (&all);
  for (int t = 0; t < THREADS; t++)
    {
      pthread_join (tids[t], NULL);
      for (size_t i = 0; i < jobs[t].counts.size; i++)
        if (jobs[t].counts.slots[i].word[0])
          table_add (&all, jobs[t].counts.slots[i].word, strlen (jobs[t].counts.slots[i].word),
                     jobs[t].counts.slots[i].count);
      table_free (&jobs[t].counts);
    }

  struct entry *list = malloc (all.used * sizeof *list);
  size_t n = 0;
  for (size_t i = 0; i < all.size; i++)
    if (all.slots[i].word[0])
      list[n++] = all.slots[i];
  sort_entries (list, 0, (long) n - 1);
  for (size_t i = 0; i < n && i < 10; i++)
    printf ("%-12s %ld\n", list[i].word, list[i].count);

  free (list);
  table_free (&all);
  free (text);
  return 0;
}
