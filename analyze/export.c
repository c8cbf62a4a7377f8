/* export.c: the export options of cprof-analyze: parsing, --help text, opening files, dispatch. */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

typedef struct {
    const char *option, *arg, *help;
    int (*write)(const profile *p, FILE *out);
    int (*write_with)(const profile *p, FILE *out, const advice_opts *opts); /* instead, for --html */
} export_format;

static const export_format formats[EXPORT_FORMATS] = {
    {"--folded", "FILE", "folded stacks for flamegraph.pl / inferno", export_folded, NULL},
    {"--flamegraph", "SVG", "interactive flame graph (hover, click to zoom, search)", export_flamegraph, NULL},
    {"--callgrind", "FILE", "callgrind format for callgrind_annotate / KCachegrind", export_callgrind, NULL},
    {"--pprof", "FILE", "gzip-compressed pprof profile.proto for go tool pprof", export_pprof, NULL},
    {"--speedscope", "FILE", "speedscope JSON (sampled profile, weights in ns)", export_speedscope, NULL},
    {"--html", "FILE", "one self-contained HTML report: sortable tables, call tree, flame graph", NULL, export_html_with},
    {"--chrome-trace", "FILE", "Chrome trace events of a CPROF_TRACE=1 run (Perfetto, chrome://tracing)",
     export_chrome, NULL},
};

int export_option(int argc, char **argv, int *i, export_request *req, char *err, size_t errlen)
{
    const char *a = argv[*i];
    for (int f = 0; f < EXPORT_FORMATS; f++) {
        size_t len = strlen(formats[f].option);
        const char *file;
        if (strcmp(a, formats[f].option) == 0) {
            if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
                snprintf(err, errlen, "%s needs a file name (or - for stdout)", formats[f].option);
                return -1;
            }
            file = argv[++*i];
        } else if (strncmp(a, formats[f].option, len) == 0 && a[len] == '=') {
            file = a + len + 1;
            if (*file == '\0') {
                snprintf(err, errlen, "%s needs a file name (or - for stdout)", formats[f].option);
                return -1;
            }
        } else {
            continue;
        }
        if (strcmp(file, "-") == 0)
            for (int g = 0; g < EXPORT_FORMATS; g++)
                if (g != f && req->path[g] != NULL && strcmp(req->path[g], "-") == 0) {
                    snprintf(err, errlen, "%s and %s cannot both write to stdout", formats[g].option,
                             formats[f].option);
                    return -1;
                }
        req->path[f] = file;
        return 1;
    }
    return 0;
}

bool export_requested(const export_request *req)
{
    for (int f = 0; f < EXPORT_FORMATS; f++)
        if (req->path[f] != NULL) return true;
    return false;
}

/* "cprof-analyze: FILE: problem" on stderr. */
static void complain(const char *file, const char *problem)
{
    fprintf(stderr, "cprof-analyze: ");
    util_put(stderr, file);
    fprintf(stderr, ": %s\n", problem);
}

static int run_one(const export_format *fmt, const char *file, const profile *p, const advice_opts *opts)
{
    bool to_stdout = strcmp(file, "-") == 0;
    FILE *out = to_stdout ? stdout : fopen(file, "wb");
    int rc, saved;
    if (out == NULL) {
        complain(file, strerror(errno));
        return -1;
    }
    rc = fmt->write_with != NULL ? fmt->write_with(p, out, opts) : fmt->write(p, out);
    saved = errno;
    if (rc == -2) {
        complain(file, "the profile has no trace (record it with CPROF_TRACE=1)");
    } else if (rc != 0) {
        complain(file, "out of memory");
    } else if (to_stdout ? fflush(out) != 0 || ferror(out) : ferror(out) != 0) {
        complain(file, strerror(errno ? errno : saved ? saved : EIO));
        rc = -1;
    }
    if (!to_stdout && fclose(out) != 0 && rc == 0) {
        complain(file, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && !to_stdout) unlink(file);
    return rc;
}

int export_run(const export_request *req, const profile *p)
{
    int rc = 0;
    for (int f = 0; f < EXPORT_FORMATS; f++)
        if (req->path[f] != NULL && run_one(&formats[f], req->path[f], p, req->advice) != 0) rc = -1;
    return rc;
}

void export_help(FILE *out)
{
    fprintf(out, "Exports (FILE may be - for stdout; with any of them, no report is printed):\n");
    for (int f = 0; f < EXPORT_FORMATS; f++) {
        char opt[40];
        snprintf(opt, sizeof opt, "%s %s", formats[f].option, formats[f].arg);
        fprintf(out, "  %-20s %s\n", opt, formats[f].help);
    }
}
