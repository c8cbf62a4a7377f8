/* annotate.c: `cprof-analyze annotate`: each source line with the counts and times of its sites. */
#include "annotate.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { COUNT_W = 12, TIME_W = 10, SITE_W = 44, LINE_W = 6 };

typedef enum { SITE_FUNCTION, SITE_LOOP, SITE_BRANCH, SITE_SWITCH } site_kind;

typedef struct {
    uint64_t line, column;
    site_kind kind;
    const void *ptr;
} site;

static int cmp_site(const void *a, const void *b)
{
    const site *x = a, *y = b;
    if (x->line != y->line) return (x->line > y->line) - (x->line < y->line);
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    if (x->column != y->column) return (x->column > y->column) - (x->column < y->column);
    return (x->ptr > y->ptr) - (x->ptr < y->ptr);
}

/* All sites of p in file, sorted by line. */
static site *collect(const profile *p, const char *file, size_t *n)
{
    size_t cap = p->nfunctions + p->nloops + p->nbranches + p->nswitches + 1, k = 0;
    site *v = malloc(cap * sizeof *v);
    if (v == NULL) return NULL;
    for (size_t i = 0; i < p->nfunctions; i++)
        if (strcmp(p->functions[i].file, file) == 0)
            v[k++] = (site){p->functions[i].line, p->functions[i].column, SITE_FUNCTION, &p->functions[i]};
    for (size_t i = 0; i < p->nloops; i++)
        if (strcmp(p->loops[i].file, file) == 0)
            v[k++] = (site){p->loops[i].line, p->loops[i].column, SITE_LOOP, &p->loops[i]};
    for (size_t i = 0; i < p->nbranches; i++)
        if (strcmp(p->branches[i].file, file) == 0)
            v[k++] = (site){p->branches[i].line, p->branches[i].column, SITE_BRANCH, &p->branches[i]};
    for (size_t i = 0; i < p->nswitches; i++)
        if (strcmp(p->switches[i].file, file) == 0)
            v[k++] = (site){p->switches[i].line, p->switches[i].column, SITE_SWITCH, &p->switches[i]};
    qsort(v, k, sizeof *v, cmp_site);
    *n = k;
    return v;
}

/* The count column ("#####" for a site that never ran, as gcov does), the time column and the
 * description of one site. */
static void describe(const site *s, char count[UTIL_CELL], char time[UTIL_CELL], char *what, size_t len)
{
    char a[UTIL_CELL], b[UTIL_CELL], c[UTIL_CELL];
    uint64_t n = 0;
    time[0] = '\0';
    switch (s->kind) {
    case SITE_FUNCTION: {
        const profile_function *f = s->ptr;
        n = f->calls;
        if (f->timed_calls > 0) util_duration(time, f->total_ns);
        if (f->timing == PROFILE_TIMING_NONE)
            snprintf(what, len, "%s: %s call%s, inlined", f->name, util_count(a, f->calls), util_plural(f->calls));
        else if (f->timing == PROFILE_TIMING_PARTIAL)
            snprintf(what, len, "%s: %s calls (%s timed), self %s", f->name, util_count(a, f->calls),
                     util_count(b, f->timed_calls), util_duration(c, f->self_ns));
        else if (f->calls > 0)
            snprintf(what, len, "%s: %s call%s, self %s, avg %s", f->name, util_count(a, f->calls),
                     util_plural(f->calls), util_duration(b, f->self_ns), util_duration(c, f->avg_ns));
        else snprintf(what, len, "%s: never called", f->name);
        break;
    }
    case SITE_LOOP: {
        const profile_loop *l = s->ptr;
        n = l->iterations;
        if (l->entries > 0)
            snprintf(what, len, "loop: %s iter / %s entr%s (avg %.1f)", util_count(a, l->iterations),
                     util_count(b, l->entries), l->entries == 1 ? "y" : "ies",
                     (double)l->iterations / (double)l->entries);
        else snprintf(what, len, "loop: never entered");
        break;
    }
    case SITE_BRANCH: {
        const profile_branch *br = s->ptr;
        n = br->taken + br->not_taken;
        snprintf(what, len, "branch col %" PRIu64 ": taken %s, not %s", br->column, util_count(a, br->taken),
                 util_count(b, br->not_taken));
        break;
    }
    case SITE_SWITCH: {
        const profile_switch *sw = s->ptr;
        n = sw->total;
        snprintf(what, len, "switch: %s execution%s", util_count(a, sw->total), util_plural(sw->total));
        break;
    }
    }
    if (n == 0) snprintf(count, UTIL_CELL, "#####");
    else util_count(count, n);
}

/* The left columns of one row. */
static void columns(const util_out *o, const char *count, const char *time, const char *what, uint64_t line)
{
    char num[UTIL_CELL];
    bool never = strcmp(count, "#####") == 0;
    fprintf(o->out, "%s", never ? o->warn : "");
    util_cell(o->out, count, COUNT_W);
    fprintf(o->out, "%s", never ? o->reset : "");
    util_cell(o->out, time, TIME_W + 1);
    fputs("  ", o->out);
    util_cell(o->out, what, -SITE_W);
    if (line > 0) snprintf(num, sizeof num, "%" PRIu64, line);
    else num[0] = '\0';
    fprintf(o->out, " %s", o->dim);
    util_cell(o->out, num, LINE_W);
    fprintf(o->out, "%s| ", o->reset);
}

/* The switch's cases, one row each, below the switch's own row. */
static void switch_cases(const util_out *o, const profile_switch *sw)
{
    char count[UTIL_CELL], what[128], share[UTIL_CELL];
    for (size_t k = 0; k < sw->ncases; k++) {
        snprintf(what, sizeof what, "  case %s (%s)", sw->cases[k].label,
                 util_share(share, (double)sw->cases[k].count, (double)sw->total));
        if (sw->cases[k].count == 0) snprintf(count, sizeof count, "#####");
        else util_count(count, sw->cases[k].count);
        columns(o, count, "", what, 0);
        fputc('\n', o->out);
    }
}

/* Writes s without its line terminator; tabs are kept, other control characters become '?'. */
static void put_source(FILE *out, const char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        putc(c == '\t' ? c : c < 0x20 || c == 0x7f ? '?' : c, out);
    }
    putc('\n', out);
}

int annotate_file(const util_out *o, const profile *p, const char *file, FILE *src, const char *shown_as)
{
    size_t n, k = 0, nf = 0, nl = 0, nb = 0, ns = 0;
    site *v = collect(p, file, &n);
    char *buf = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t line = 0;
    char count[UTIL_CELL], time[UTIL_CELL], what[512];
    if (v == NULL) return -1;
    for (size_t i = 0; i < n; i++) {
        nf += v[i].kind == SITE_FUNCTION, nl += v[i].kind == SITE_LOOP;
        nb += v[i].kind == SITE_BRANCH, ns += v[i].kind == SITE_SWITCH;
    }
    fprintf(o->out, "%s==> ", o->head);
    util_put(o->out, file);
    fprintf(o->out, " <==%s  %s(", o->reset, o->dim);
    util_put(o->out, shown_as);
    fprintf(o->out, ": %zu function%s, %zu loop%s, %zu branch%s, %zu switch%s)%s\n", nf, util_plural(nf), nl,
            util_plural(nl), nb, nb == 1 ? "" : "es", ns, ns == 1 ? "" : "es", o->reset);
    fprintf(o->out, "%s", o->bold);
    util_cell(o->out, "count", COUNT_W);
    util_cell(o->out, "time", TIME_W + 1);
    fputs("  ", o->out);
    util_cell(o->out, "site", -SITE_W);
    fputc(' ', o->out);
    util_cell(o->out, "line", LINE_W);
    fprintf(o->out, "| source%s\n", o->reset);

    while (k < n && v[k].line == 0) k++; /* sites without a line cannot be placed */
    while ((len = getline(&buf, &cap, src)) > 0) {
        line++;
        bool first = true;
        for (; k < n && v[k].line == line; k++) {
            describe(&v[k], count, time, what, sizeof what);
            columns(o, count, time, what, first ? line : 0);
            if (first) put_source(o->out, buf, (size_t)len);
            else fputc('\n', o->out);
            first = false;
            if (v[k].kind == SITE_SWITCH) switch_cases(o, v[k].ptr);
        }
        if (first) {
            columns(o, "", "", "", line);
            put_source(o->out, buf, (size_t)len);
        }
    }
    if (k < n)
        fprintf(o->out, "%s  %zu site%s after the last line (%" PRIu64 ") of this file: is it the source the profile was made from?%s\n",
                o->warn, n - k, util_plural(n - k), line, o->reset);
    fputc('\n', o->out);
    free(buf);
    free(v);
    return 0;
}

/* ---- finding the sources ---- */

static bool regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The directory of module mod, from the profile's "modules" array ("" when unknown). */
static const char *module_dir(const profile *p, uint64_t mod)
{
    const cJSON *mods = cJSON_GetObjectItemCaseSensitive(p->root, "modules"), *m;
    uint64_t i = 0;
    cJSON_ArrayForEach(m, mods) {
        if (i++ == mod) {
            const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "directory");
            return cJSON_IsString(d) ? d->valuestring : "";
        }
    }
    return "";
}

/* Tries file as given (relative to the current directory), then under each --source-dir (whole
 * path, then last component), then under the compile directory of the modules defining functions
 * in it. Fills found (malloc'd) and tried (a description of the places). */
static char *find_source(const profile *p, const char *file, const char **dirs, size_t ndirs, char *tried,
                         size_t triedlen)
{
    size_t len = strlen(file) + 4096;
    char *path = malloc(len);
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t used = 0;
    tried[0] = '\0';
#define TRY(...)                                                                                         \
    do {                                                                                                 \
        snprintf(path, len, __VA_ARGS__);                                                               \
        if (regular_file(path)) return path;                                                             \
        if (used < triedlen) used += (size_t)snprintf(tried + used, triedlen - used, "%s%s", used ? ", " : "", path); \
    } while (0)
    if (path == NULL) return NULL;
    TRY("%s", file);
    if (file[0] != '/')
        for (size_t d = 0; d < ndirs; d++) {
            TRY("%s/%s", dirs[d], file);
            if (base != file) TRY("%s/%s", dirs[d], base);
        }
    else
        for (size_t d = 0; d < ndirs; d++) TRY("%s/%s", dirs[d], base);
    if (file[0] != '/') {
        const char *last = NULL;
        for (size_t i = 0; i < p->nfunctions; i++) {
            const char *dir = p->functions[i].file == file || strcmp(p->functions[i].file, file) == 0
                                  ? module_dir(p, p->functions[i].module) : "";
            if (*dir == '\0' || (last != NULL && strcmp(last, dir) == 0)) continue;
            last = dir;
            TRY("%s/%s", dir, file);
        }
    }
#undef TRY
    free(path);
    return NULL;
}

/* Does the profile's file name match what the user asked for: equal, or equal at a '/' boundary
 * from the end (so "app.c" selects "src/app.c", and "/abs/src/app.c" selects "src/app.c"). */
static bool file_matches(const char *file, const char *want)
{
    size_t lf = strlen(file), lw = strlen(want);
    if (lf == lw) return strcmp(file, want) == 0;
    if (lf > lw) return strcmp(file + lf - lw, want) == 0 && file[lf - lw - 1] == '/';
    return strcmp(want + lw - lf, file) == 0 && want[lw - lf - 1] == '/';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char usage_text[] =
    "usage: cprof-analyze annotate [--source-dir DIR]... [--no-color] PROFILE.json [SOURCE]";

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "cprof-analyze: annotate: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n%s\n", usage_text);
    return 2;
}

int annotate_main(int argc, char **argv)
{
    const char **dirs = calloc((size_t)argc + 1, sizeof *dirs);
    const char *path = NULL, *want = NULL;
    size_t ndirs = 0;
    bool colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL, options = true;
    char err[512];
    profile p;

    if (dirs == NULL) return usage("%s", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) options = false;
        else if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            printf("%s\n\n"
                   "Prints each source file of the profile (or only SOURCE) line by line, with the counts of\n"
                   "the line's sites in the left columns: function calls and inclusive time at the function's\n"
                   "line, loop iterations and entries, branch taken / not taken, switch executions and the count\n"
                   "of every case. \"#####\" marks a site that never ran.\n\n"
                   "A source is looked for as named in the profile (relative to the current directory), then\n"
                   "under each --source-dir, then under the compile directory recorded for its module.\n\n"
                   "Exit status: 0 when at least one file was annotated, 2 otherwise.\n",
                   usage_text);
            free(dirs);
            return 0;
        } else if (options && (strcmp(a, "--source-dir") == 0 || strncmp(a, "--source-dir=", 13) == 0)) {
            const char *v = a[12] == '=' ? a + 13 : i + 1 < argc ? argv[++i] : NULL;
            if (v == NULL || *v == '\0') {
                free(dirs);
                return usage("%s", "--source-dir needs a directory");
            }
            dirs[ndirs++] = v;
        } else if (options && strcmp(a, "--no-color") == 0) colour = false;
        else if (options && a[0] == '-' && a[1] != '\0') {
            free(dirs);
            return usage("unknown option '%s'", a);
        } else if (path == NULL) path = a;
        else if (want == NULL) want = a;
        else {
            free(dirs);
            return usage("one profile and at most one source file ('%s' is extra)", a);
        }
    }
    if (path == NULL) {
        free(dirs);
        return usage("%s", "no profile given");
    }
    if (profile_load(path, &p, err, sizeof err) != 0) {
        fprintf(stderr, "cprof-analyze: ");
        util_put(stderr, path);
        fprintf(stderr, ": %s\n", err);
        free(dirs);
        return 2;
    }

    /* The distinct file names of the profile's sites. */
    size_t cap = p.nfunctions + p.nloops + p.nbranches + p.nswitches + 1, nfiles = 0;
    const char **files = malloc(cap * sizeof *files);
    int status = 2;
    if (files == NULL) {
        fprintf(stderr, "cprof-analyze: annotate: out of memory\n");
        goto done;
    }
    for (size_t i = 0; i < p.nfunctions; i++) files[nfiles++] = p.functions[i].file;
    for (size_t i = 0; i < p.nloops; i++) files[nfiles++] = p.loops[i].file;
    for (size_t i = 0; i < p.nbranches; i++) files[nfiles++] = p.branches[i].file;
    for (size_t i = 0; i < p.nswitches; i++) files[nfiles++] = p.switches[i].file;
    qsort(files, nfiles, sizeof *files, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < nfiles; i++)
        if (*files[i] != '\0' && (u == 0 || strcmp(files[u - 1], files[i]) != 0) &&
            (want == NULL || file_matches(files[i], want)))
            files[u++] = files[i];
    nfiles = u;
    if (nfiles == 0) {
        fprintf(stderr, "cprof-analyze: ");
        util_put(stderr, want ? want : path);
        fprintf(stderr, want ? ": no such source file in the profile\n" : ": the profile names no source file\n");
        goto done;
    }

    util_out o;
    util_out_init(&o, stdout, 0, colour);
    size_t done_files = 0;
    for (size_t i = 0; i < nfiles; i++) {
        char tried[1024];
        char *found = find_source(&p, files[i], dirs, ndirs, tried, sizeof tried);
        FILE *src = found ? fopen(found, "r") : NULL;
        if (src == NULL) {
            fflush(stdout);
            fprintf(stderr, "cprof-analyze: ");
            util_put(stderr, files[i]);
            fprintf(stderr, ": source file not found (tried ");
            util_put(stderr, tried);
            fprintf(stderr, "; use --source-dir DIR)\n");
            free(found);
            continue;
        }
        if (annotate_file(&o, &p, files[i], src, found) < 0) {
            fclose(src);
            free(found);
            fprintf(stderr, "cprof-analyze: annotate: out of memory\n");
            goto done;
        }
        fclose(src);
        free(found);
        done_files++;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cprof-analyze: annotate: cannot write: %s\n", strerror(errno));
        goto done;
    }
    status = done_files > 0 ? 0 : 2;
done:
    free(files);
    free(dirs);
    profile_free(&p);
    return status;
}
