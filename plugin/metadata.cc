/* metadata.cc: the metadata text re-encoded as format 3, binary, for the module record.
 *
 * The instrumentation writes its records as text lines (doc/ABI.md, "Metadata text"): easy to
 * write where each quantity is found, and to read in a dump.  The runtime reads them at exit,
 * and there the text was slow: a 10,000-function profile spent two fifths of its time parsing
 * decimal numbers and stepping over file names.  So before the module is emitted its text is
 * encoded again, record by record (the option text-metadata keeps the text):
 *
 *     cprof-metadata  2  no-timing              cprof-metadata  3  no-timing      [1]
 *     module  a.c  /src                         <P>                              [2]
 *     F  0  0  a.c  3  5  main  main  -   =>    <strings> a.c /src main - ...   [3]
 *     B  0  1  2  a.c  4  7                     <counts of L B S C G>            [4]
 *                                               M <len> 0 1                      [5]
 *                                               F <len> 0 0 0 3 5 2 2 3
 *                                               B <len> 0 1 2 0 4 7
 *
 *   [1] The first line stays text, with the format number 3: a runtime that knows only 1 and 2
 *       reads no record of the module rather than wrong ones.
 *   [2] A varint, the number of bytes that follow: the payload holds NULs, and a runtime that
 *       copies the metadata (dlclose) needs its size.
 *   [3] Each distinct string once, as a varint length and its bytes; string fields are indexes.
 *   [4] How many L, B, S, C and G records follow, so the runtime sizes its arrays once.
 *   [5] Each record: its letter, a varint length, then its fields in the text's order: numbers
 *       as unsigned LEB128 varints, strings as indexes; module is 'M'.  A G record's counter
 *       lists ("-", "3+4", "5,6") become a count and that many varints.
 *   [6] A G record's edges with neither counters nor targets are contracted here, as the
 *       runtime would merge their ends before solving (doc/ABI.md): two fifths of the edges,
 *       which the runtime then neither stores nor walks.  The other edges keep their order;
 *       their ends become the groups' numbers.
 *
 * The text is the plugin's own, so it is well formed; a record type this file does not know
 * stops the compile (an internal error), rather than reaching the runtime half encoded.
 */
#include "cprof-plugin.h"

namespace {

/* A growing byte buffer. */
struct bytes {
  unsigned char *data;
  size_t len, cap;
};

static void
put_bytes (struct bytes *b, const void *p, size_t n)
{
  if (b->len + n > b->cap)
    {
      b->cap = (b->len + n) * 2 + 64;
      b->data = XRESIZEVEC (unsigned char, b->data, b->cap);
    }
  memcpy (b->data + b->len, p, n);
  b->len += n;
}

static void
put_varint (struct bytes *b, unsigned long v)
{
  unsigned char buf[10];
  size_t n = 0;
  do
    {
      buf[n] = v & 127;
      v >>= 7;
      if (v)
	buf[n] |= 128;
      n++;
    }
  while (v);
  put_bytes (b, buf, n);
}

struct encoder {
  struct bytes strings;      /* [3] */
  unsigned nstrings;
  hash_map<nofree_string_hash, unsigned> *index;
  struct bytes records;      /* [5] */
  unsigned counts[128];      /* records by letter, for [4] */
};

/* [3] The index of string S (NUL-terminated; it outlives the encoder). */
static void
put_string (struct encoder *e, struct bytes *b, const char *s)
{
  bool existed;
  unsigned &slot = e->index->get_or_insert (s, &existed);
  if (!existed)
    {
      slot = e->nstrings++;
      size_t n = strlen (s);
      put_varint (&e->strings, n);
      put_bytes (&e->strings, s, n);
    }
  put_varint (b, slot);
}

static void
put_number (struct bytes *b, const char *s)
{
  char *end;
  unsigned long v = strtoul (s, &end, 10);
  gcc_assert (end != s && !*end && v <= 0xffffffffUL);
  put_varint (b, v);
}

/* [5] A G record's list of counters: "-", or numbers separated by SEP. */
static void
put_list (struct bytes *b, char *s, int sep)
{
  if (strcmp (s, "-") == 0)
    {
      put_varint (b, 0);
      return;
    }
  unsigned n = 1;
  for (char *p = s; *p; p++)
    n += *p == sep;
  put_varint (b, n);
  for (char *p = s;;)
    {
      char *next = strchr (p, sep);
      if (next)
	*next = '\0';
      put_number (b, p);
      if (!next)
	break;
      p = next + 1;
    }
}

static unsigned
graph_group (unsigned *parent, unsigned v)
{
  while (parent[v] != v)
    v = parent[v] = parent[parent[v]];
  return v;
}

/* [6] A G record's vertex count and edges (its fields from F[2] on; F[4] is the first edge),
   with the edges that have neither counters nor targets contracted; the index of the field
   after the last edge. */
static unsigned
put_graph_edges (struct bytes *b, char **f, unsigned nf)
{
  unsigned nv = strtoul (f[2], NULL, 10), ne = (nf - 4) / 4;
  gcc_assert (nf == 4 + 4 * ne && ne == strtoul (f[3], NULL, 10));
  unsigned *parent = XNEWVEC (unsigned, nv), *group = XNEWVEC (unsigned, nv);
  unsigned *src = XNEWVEC (unsigned, ne + 1), *dst = XNEWVEC (unsigned, ne + 1);
  bool *untracked = XNEWVEC (bool, ne + 1);
  for (unsigned v = 0; v < nv; v++)
    parent[v] = v;
  unsigned kept = 0;
  for (unsigned k = 0; k < ne; k++)
    {
      char **e = f + 4 + 4 * k;
      src[k] = strtoul (e[0], NULL, 10);
      dst[k] = strtoul (e[1], NULL, 10);
      gcc_assert (src[k] < nv && dst[k] < nv);
      untracked[k] = strcmp (e[2], "-") == 0 && strcmp (e[3], "-") == 0;
      if (untracked[k])
	parent[graph_group (parent, src[k])] = graph_group (parent, dst[k]);
      else
	kept++;
    }
  /* groups numbered by their first vertex: ENTRY's is 0 */
  unsigned ngroups = 0;
  for (unsigned v = 0; v < nv; v++)
    if (graph_group (parent, v) == v)
      group[v] = ngroups++;
  put_varint (b, ngroups < 2 ? 2 : ngroups);
  put_varint (b, kept);
  for (unsigned k = 0; k < ne; k++)
    if (!untracked[k])
      {
	char **e = f + 4 + 4 * k;
	put_varint (b, group[graph_group (parent, src[k])]);
	put_varint (b, group[graph_group (parent, dst[k])]);
	put_list (b, e[2], '+');
	put_list (b, e[3], ',');
      }
  XDELETEVEC (parent);
  XDELETEVEC (group);
  XDELETEVEC (src);
  XDELETEVEC (dst);
  XDELETEVEC (untracked);
  return 4 + 4 * ne;
}

/* [5] The fields after a record's letter: v a number, s a string; NULL for no record. */
static const char *
field_types (char kind)
{
  switch (kind)
    {
    case 'M': return "ss";
    case 'F': return "vvsvvsss";
    case 'L': return "vvvsvvv";
    case 'B': return "vvvsvv";
    case 'C': return "vvsssvv";
    case 'S': return "vsvvv"; /* then ncases times: counter label */
    case 'G': return "v";     /* then put_graph_edges */
    default: return NULL;
    }
}

/* [5] One record, its NF fields at F (f[0] is its letter or "module"). */
static void
put_record (struct encoder *e, char **f, unsigned nf)
{
  char kind = strcmp (f[0], "module") == 0 ? 'M' : f[0][0];
  const char *types = field_types (kind);
  struct bytes fields = { NULL, 0, 0 };
  gcc_assert (types && (kind == 'M' || f[0][1] == '\0') && nf >= 1 + strlen (types));
  unsigned i = 1;
  for (; types[i - 1]; i++)
    {
      if (types[i - 1] == 'v')
	put_number (&fields, f[i]);
      else
	put_string (e, &fields, f[i]);
    }
  if (kind == 'S')
    for (; i + 1 < nf; i += 2)
      {
	put_number (&fields, f[i]);
	put_string (e, &fields, f[i + 1]);
      }
  else if (kind == 'G')
    i = put_graph_edges (&fields, f, nf);
  gcc_assert (i == nf);
  e->counts[(unsigned char) kind & 127]++;
  put_bytes (&e->records, &kind, 1);
  put_varint (&e->records, fields.len);
  put_bytes (&e->records, fields.data, fields.len);
  XDELETEVEC (fields.data);
}

} /* namespace */

/* TEXT (LEN bytes, format 2) encoded as format 3; *SIZE gets its size, its final NUL
   included.  The caller frees the result. */
char *
cprof_metadata_encode (const char *text, size_t len, size_t *size)
{
  char *copy = xstrndup (text, len); /* cut into NUL-terminated fields in place */
  struct encoder e;
  memset (&e, 0, sizeof e);
  e.index = new hash_map<nofree_string_hash, unsigned>;
  char *header = copy, *eol = strchr (copy, '\n');
  gcc_assert (eol && strncmp (header, "cprof-metadata\t2", 16) == 0);
  *eol = '\0';
  auto_vec<char *> f;
  for (char *line = eol + 1; *line;)
    {
      char *end = strchr (line, '\n');
      if (end)
	*end = '\0';
      f.truncate (0);
      for (char *p = line;;)
	{
	  f.safe_push (p);
	  p = strchr (p, '\t');
	  if (!p)
	    break;
	  *p++ = '\0';
	}
      if (*line)
	put_record (&e, f.address (), f.length ());
      if (!end)
	break;
      line = end + 1;
    }

  struct bytes payload = { NULL, 0, 0 };
  put_varint (&payload, e.nstrings);
  put_bytes (&payload, e.strings.data, e.strings.len);
  static const char counted[] = "LBSCG"; /* [4] */
  for (const char *k = counted; *k; k++)
    put_varint (&payload, e.counts[(unsigned char) *k]);
  put_bytes (&payload, e.records.data, e.records.len);

  /* [1] and [2] */
  struct bytes out = { NULL, 0, 0 };
  put_bytes (&out, "cprof-metadata\t3", 16);
  put_bytes (&out, header + 16, strlen (header + 16));
  put_bytes (&out, "\n", 1);
  put_varint (&out, payload.len);
  put_bytes (&out, payload.data, payload.len);
  put_bytes (&out, "", 1);

  delete e.index;
  XDELETEVEC (e.strings.data);
  XDELETEVEC (e.records.data);
  XDELETEVEC (payload.data);
  free (copy);
  *size = out.len;
  return (char *) out.data;
}
