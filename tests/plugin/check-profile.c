/* check-profile.c: checks a cprof JSON profile against a file of expected counts.
 *
 * Usage: check-profile PROFILE.json EXPECT-FILE SOURCE-DIR
 *
 * Expectation lines (blank lines and '#' comments ignored):
 *   function NAME  FIELD=VALUE ...        NAME is "name" or "file:name" (for statics), a glob
 *   loop     @MARK FIELD=VALUE ...        the loop on the source line holding "@MARK"
 *   branch   @MARK[#N] FIELD=VALUE ...    the N-th branch (by column, from 0) on that line
 *   switch   @MARK LABEL=COUNT ...        case counts ("default", "0", "3...5")
 *   call     CALLER CALLEE FIELD=VALUE .. a call_graph edge
 *   count    ARRAY OPN                    number of entries in a top-level array
 *   top      FIELD=VALUE ...              top-level fields (or statistics.FIELD)
 * VALUE may be prefixed by an operator: =N (default), >=N, <=N, !=N, >N, <N; a string
 * value (e.g. timing=full) compares as a string.
 * Marks are found in the source files named by the profile, looked up under SOURCE-DIR.
 * Exit status 0 when everything matches, 1 with one line per mismatch otherwise.
 */
#define _GNU_SOURCE
#include <cjson/cJSON.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
static const char *source_dir;
static const char *expect_path;
static int expect_line;

static void
fail (const char *fmt, const char *a, const char *b)
{
  fprintf (stderr, "%s:%d: ", expect_path, expect_line);
  fprintf (stderr, fmt, a, b);
  fputc ('\n', stderr);
  failures++;
}

static char *
read_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, n;
  char chunk[65536];
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
    {
      if (len + n + 1 > cap)
	{
	  cap = (len + n + 1) * 2;
	  buf = realloc (buf, cap);
	  if (!buf)
	    exit (2);
	}
      memcpy (buf + len, chunk, n);
      len += n;
    }
  fclose (f);
  if (!buf)
    buf = calloc (1, 1);
  buf[len] = 0;
  return buf;
}

/* The line number of the first line of FILE containing "@MARK" followed by a non-word
   character, or -1. */
static int
find_mark (const char *file, const char *mark)
{
  char path[PATH_MAX];
  snprintf (path, sizeof path, "%s/%s", source_dir, file);
  char *text = read_file (path);
  if (!text)
    text = read_file (file);
  if (!text)
    return -1;
  size_t mlen = strlen (mark);
  int line = 1, found = -1;
  for (char *p = text; *p && found < 0; p++)
    {
      if (*p == '\n')
	line++;
      else if (strncmp (p, mark, mlen) == 0)
	{
	  char after = p[mlen];
	  if (!(after == '_' || (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z')
		|| (after >= '0' && after <= '9')))
	    found = line;
	}
    }
  free (text);
  return found;
}

static const char *
str_field (const cJSON *obj, const char *name)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, name);
  return cJSON_IsString (v) ? v->valuestring : "";
}

/* Compare the field NAME of OBJ with "OPVALUE"; reports and returns false on mismatch. */
static int
check_field (const cJSON *obj, const char *what, const char *name, const char *spec)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive (obj, name);
  char msg[512];
  if (!v)
    {
      snprintf (msg, sizeof msg, "%s: no field '%s'", what, name);
      fail ("%s%s", msg, "");
      return 0;
    }
  const char *op = "=";
  const char *val = spec;
  static const char *ops[] = { ">=", "<=", "!=", ">", "<", "=" };
  for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strncmp (spec, ops[i], strlen (ops[i])) == 0)
      {
	op = ops[i];
	val = spec + strlen (ops[i]);
	break;
      }
  int ok;
  char got[128];
  if (cJSON_IsString (v))
    {
      int eq = strcmp (v->valuestring, val) == 0;
      ok = strcmp (op, "!=") == 0 ? !eq : eq;
      snprintf (got, sizeof got, "%s", v->valuestring);
    }
  else if (cJSON_IsNumber (v))
    {
      char *end;
      errno = 0;
      double want = strtod (val, &end);
      if (end == val || *end)
	{
	  snprintf (msg, sizeof msg, "%s: bad expected value '%s'", what, spec);
	  fail ("%s%s", msg, "");
	  return 0;
	}
      double have = v->valuedouble;
      if (!strcmp (op, ">="))
	ok = have >= want;
      else if (!strcmp (op, "<="))
	ok = have <= want;
      else if (!strcmp (op, "!="))
	ok = have != want;
      else if (!strcmp (op, ">"))
	ok = have > want;
      else if (!strcmp (op, "<"))
	ok = have < want;
      else
	ok = have == want;
      snprintf (got, sizeof got, "%.17g", have);
    }
  else
    {
      ok = 0;
      snprintf (got, sizeof got, "<not a number or string>");
    }
  if (!ok)
    {
      snprintf (msg, sizeof msg, "%s: %s is %s, expected %s%s", what, name, got,
		strcmp (op, "=") ? op : "", val);
      fail ("%s%s", msg, "");
    }
  return ok;
}

static void
check_fields (const cJSON *obj, const char *what, char **tok, int ntok)
{
  for (int i = 0; i < ntok; i++)
    {
      char *op = strpbrk (tok[i], "<>!=");
      if (!op || op == tok[i] || !op[1])
	{
	  fail ("bad expectation '%s'%s", tok[i], "");
	  continue;
	}
      char name[128];
      size_t n = (size_t) (op - tok[i]);
      if (n >= sizeof name)
	n = sizeof name - 1;
      memcpy (name, tok[i], n);
      name[n] = 0;
      check_field (obj, what, name, op);
    }
}

static const cJSON *
find_function (const cJSON *root, const char *spec)
{
  /* "file.c:name" selects a static by file; "A::f" is a C++ name, not a file. */
  const char *colon = strchr (spec, ':');
  if (colon && (colon[1] == ':' || !strchr (spec, '.') || strchr (spec, '.') > colon))
    colon = NULL;
  const cJSON *f, *found = NULL;
  int matches = 0;
  cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive (root, "functions"))
    {
      const char *name = str_field (f, "name");
      const char *file = str_field (f, "file");
      if (colon)
	{
	  size_t flen = (size_t) (colon - spec);
	  const char *base = strrchr (file, '/');
	  base = base ? base + 1 : file;
	  if (fnmatch (colon + 1, name, 0) || strlen (base) != flen || strncmp (base, spec, flen))
	    continue;
	}
      else if (fnmatch (spec, name, 0))
	continue;
      found = f;
      matches++;
    }
  if (matches > 1)
    fail ("function '%s' is ambiguous%s; use file:name", spec, "");
  return matches == 1 ? found : NULL;
}

/* Sites of ARRAY whose source line holds MARK, sorted by column; returns how many. */
static int
find_sites (const cJSON *root, const char *array, const char *mark, const cJSON **out, int max)
{
  int n = 0;
  const cJSON *s;
  cJSON_ArrayForEach (s, cJSON_GetObjectItemCaseSensitive (root, array))
    {
      const cJSON *line = cJSON_GetObjectItemCaseSensitive (s, "line");
      if (!cJSON_IsNumber (line) || find_mark (str_field (s, "file"), mark) != line->valueint)
	continue;
      if (n < max)
	out[n++] = s;
    }
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0; j--)
      {
	const cJSON *a = cJSON_GetObjectItemCaseSensitive (out[j - 1], "column");
	const cJSON *b = cJSON_GetObjectItemCaseSensitive (out[j], "column");
	if (a && b && a->valueint > b->valueint)
	  {
	    const cJSON *t = out[j - 1];
	    out[j - 1] = out[j];
	    out[j] = t;
	  }
      }
  return n;
}

static void
check_site (const cJSON *root, const char *array, char *spec, char **tok, int ntok)
{
  int index = -1;
  char *hash = strchr (spec, '#');
  if (hash)
    {
      *hash = 0;
      index = atoi (hash + 1);
    }
  const cJSON *sites[64];
  int n = find_sites (root, array, spec, sites, 64);
  if (n == 0)
    {
      fail ("no %s site on the line marked '%s'", array, spec);
      return;
    }
  if (index < 0 && n > 1)
    {
      fail ("several sites on the line marked '%s'%s: say which with #N", spec, "");
      return;
    }
  if (index < 0)
    index = 0;
  if (index >= n)
    {
      fail ("no site #%s on the line marked '%s'", hash + 1, spec);
      return;
    }
  char what[256];
  snprintf (what, sizeof what, "%s %s#%d", array, spec, index);
  if (strcmp (array, "switches"))
    {
      check_fields (sites[index], what, tok, ntok);
      return;
    }
  for (int i = 0; i < ntok; i++)
    {
      char *eq = strrchr (tok[i], '=');
      if (!eq)
	{
	  fail ("bad case expectation '%s'%s", tok[i], "");
	  continue;
	}
      *eq = 0;
      const cJSON *c, *hit = NULL;
      cJSON_ArrayForEach (c, cJSON_GetObjectItemCaseSensitive (sites[index], "cases"))
	if (!strcmp (str_field (c, "label"), tok[i]))
	  hit = c;
      if (!hit)
	{
	  fail ("switch: no case labelled '%s'%s", tok[i], "");
	  continue;
	}
      char casewhat[300];
      snprintf (casewhat, sizeof casewhat, "%s case %s", what, tok[i]);
      check_field (hit, casewhat, "count", eq + 1);
    }
}

static void
check_call (const cJSON *root, const char *caller, const char *callee, char **tok, int ntok)
{
  const cJSON *e, *hit = NULL;
  cJSON_ArrayForEach (e, cJSON_GetObjectItemCaseSensitive (root, "call_graph"))
    if (!strcmp (str_field (e, "caller"), caller) && !strcmp (str_field (e, "callee"), callee))
      hit = e;
  if (!hit)
    {
      fail ("no call_graph edge %s -> %s", caller, callee);
      return;
    }
  char what[256];
  snprintf (what, sizeof what, "call %s -> %s", caller, callee);
  check_fields (hit, what, tok, ntok);
}

int
main (int argc, char **argv)
{
  if (argc != 4)
    {
      fprintf (stderr, "usage: check-profile PROFILE.json EXPECT-FILE SOURCE-DIR\n");
      return 2;
    }
  expect_path = argv[2];
  source_dir = argv[3];
  char *json = read_file (argv[1]);
  if (!json)
    {
      fprintf (stderr, "check-profile: cannot read %s: %s\n", argv[1], strerror (errno));
      return 1;
    }
  cJSON *root = cJSON_Parse (json);
  free (json);
  if (!root)
    {
      fprintf (stderr, "check-profile: %s is not valid JSON\n", argv[1]);
      return 1;
    }
  char *expect = read_file (argv[2]);
  if (!expect)
    {
      fprintf (stderr, "check-profile: cannot read %s\n", argv[2]);
      return 2;
    }
  int checked = 0;
  char *save = NULL;
  for (char *line = strtok_r (expect, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      expect_line++;
      char *tok[64];
      int ntok = 0;
      char *hash = strchr (line, '#');
      if (hash && (hash == line || hash[-1] == ' ' || hash[-1] == '\t'))
	*hash = 0;
      for (char *s2, *t = strtok_r (line, " \t", &s2); t && ntok < 64; t = strtok_r (NULL, " \t", &s2))
	tok[ntok++] = t;
      if (ntok == 0)
	continue;
      checked++;
      if (!strcmp (tok[0], "function") && ntok >= 2)
	{
	  const cJSON *f = find_function (root, tok[1]);
	  if (!f)
	    fail ("no function '%s' in the profile%s", tok[1], "");
	  else
	    {
	      char what[200];
	      snprintf (what, sizeof what, "function %s", tok[1]);
	      check_fields (f, what, tok + 2, ntok - 2);
	    }
	}
      else if (!strcmp (tok[0], "loop") && ntok >= 2)
	check_site (root, "loops", tok[1], tok + 2, ntok - 2);
      else if (!strcmp (tok[0], "branch") && ntok >= 2)
	check_site (root, "branches", tok[1], tok + 2, ntok - 2);
      else if (!strcmp (tok[0], "switch") && ntok >= 2)
	check_site (root, "switches", tok[1], tok + 2, ntok - 2);
      else if (!strcmp (tok[0], "call") && ntok >= 3)
	check_call (root, tok[1], tok[2], tok + 3, ntok - 3);
      else if (!strcmp (tok[0], "count") && ntok == 3)
	{
	  cJSON *arr = cJSON_GetObjectItemCaseSensitive (root, tok[1]);
	  cJSON *wrap = cJSON_CreateObject ();
	  cJSON_AddNumberToObject (wrap, tok[1], cJSON_GetArraySize (arr));
	  check_field (wrap, "count", tok[1], tok[2]);
	  cJSON_Delete (wrap);
	}
      else if (!strcmp (tok[0], "top") && ntok >= 2)
	for (int i = 1; i < ntok; i++)
	  {
	    const cJSON *obj = root;
	    char *name = tok[i];
	    if (!strncmp (name, "statistics.", 11))
	      {
		obj = cJSON_GetObjectItemCaseSensitive (root, "statistics");
		name += 11;
	      }
	    check_fields (obj, "top", &name, 1);
	  }
      else
	fail ("cannot read expectation '%s'%s", tok[0], "");
    }
  free (expect);
  cJSON_Delete (root);
  if (checked == 0)
    {
      fprintf (stderr, "%s: no expectations: a test must check something\n", argv[2]);
      return 1;
    }
  if (failures)
    fprintf (stderr, "%d of %d expectations failed\n", failures, checked);
  return failures ? 1 : 0;
}
