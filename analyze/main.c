/* main.c: the cprof-analyze command line: options, colour choice, exit status. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "annotate.h"
#include "diff.h"
#include "export.h"
#include "merge.h"
#include "profile.h"
#include "report.h"
#include "util.h"

#ifndef CPROF_VERSION
#define CPROF_VERSION "unknown"
#endif

enum { EXIT_BAD_INPUT = 2, TOP_DEFAULT = 10, TOP_MAX = 1000000 };

static const char usage_line[] = "usage: cprof-analyze [--top N] [--no-color] profile.json";

/* "cprof-analyze: <problem>" and the usage line, on stderr. */
static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cprof-analyze: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s\n", usage_line);
}

static void help(void)
{
    printf("%s\n\n"
           "Prints a report of a cprof JSON profile: the run summary, the functions with the most\n"
           "self time, the call tree, the hottest loops, the most biased and least predictable\n"
           "branches and the switch statements.\n\n"
           "  --top N       show at most N rows in every list (default %d)\n"
           "  --no-color    no ANSI colours (also off when stdout is not a terminal or NO_COLOR is set)\n"
           "  -h, --help    show this help\n"
           "  -V, --version show the version\n\n"
           "Exit status: 0 on success, 2 on a usage error or a profile that cannot be read.\n",
           usage_line, TOP_DEFAULT);
    printf("\nReport options (also after the subcommand `report`):\n"
           "  --sort self|total|calls  order of the function list (default self)\n"
           "  --filter PATTERN         only functions whose name matches the fnmatch(3) pattern, in every list\n"
           "  --threshold PCT          hotspot classes: critical >= 4*PCT, high >= 2*PCT, medium >= PCT (default %d)\n"
           "  --json                   the analysis as JSON (summary, ranked functions, loops, branches,\n"
           "                           recommendations) instead of the text report\n\n"
           "Subcommands (each has --help):\n"
           "  cprof-analyze report [options] profile.json           the report (the default)\n"
           "  cprof-analyze annotate profile.json [SOURCE]          source lines with their counts\n"
           "  cprof-analyze diff BASE.json NEW.json                 changes; exit 1 on a regression\n"
           "  cprof-analyze diff B1.json B2.json... --vs N1.json N2.json...   with Welch's t-test\n"
           "  cprof-analyze diff BASE.json NEW.json --flamegraph DIFF.svg   red/blue differential flame graph\n"
           "  cprof-analyze merge A.json B.json... -o OUT.json      combine profiles\n",
           ADVICE_THRESHOLD_DEFAULT);
    printf("\n");
    export_help(stdout);
}

/* N of --top: a decimal integer in [1, TOP_MAX]. */
static bool parse_top(const char *s, size_t *top)
{
    char *end;
    if (s == NULL || *s < '0' || *s > '9') return false;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > TOP_MAX) return false;
    *top = v;
    return true;
}

int main(int argc, char **argv)
{
    size_t top = TOP_DEFAULT;
    bool colour = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
    const char *path = NULL;
    bool options = true;
    export_request exports = {0};
    int export_arg;
    advice_opts aopts;
    int advice_arg;
    char err[512];
    profile p;
    util_out o;
    int status;

    advice_opts_init(&aopts);
    if (argc > 1 && strcmp(argv[1], "annotate") == 0) return annotate_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "diff") == 0) return diff_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "merge") == 0) return merge_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "report") == 0) argc--, argv++; /* argv[0] becomes "report" */

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options && strcmp(a, "--") == 0) {
            options = false;
        } else if (options && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            help();
            return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_SUCCESS : EXIT_BAD_INPUT;
        } else if (options && (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)) {
            printf("cprof-analyze %s (reads cprof profile format 1.x)\n", CPROF_VERSION);
            return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_SUCCESS : EXIT_BAD_INPUT;
        } else if (options && strcmp(a, "--no-color") == 0) {
            colour = false;
        } else if (options && strcmp(a, "--top") == 0) {
            if (i + 1 >= argc) {
                usage_error("--top needs a number");
                return EXIT_BAD_INPUT;
            }
            if (!parse_top(argv[++i], &top)) {
                usage_error("--top: '%s' is not a number from 1 to 1000000", argv[i]);
                return EXIT_BAD_INPUT;
            }
        } else if (options && strncmp(a, "--top=", 6) == 0) {
            if (!parse_top(a + 6, &top)) {
                usage_error("--top: '%s' is not a number from 1 to 1000000", a + 6);
                return EXIT_BAD_INPUT;
            }
        } else if (options && (export_arg = export_option(argc, argv, &i, &exports, err, sizeof err)) != 0) {
            if (export_arg < 0) {
                usage_error("%s", err);
                return EXIT_BAD_INPUT;
            }
        } else if (options && (advice_arg = advice_parse_option(argc, argv, i, &aopts, err, sizeof err)) != 0) {
            if (advice_arg < 0) {
                usage_error("%s", err);
                return EXIT_BAD_INPUT;
            }
            i += advice_arg - 1;
        } else if (options && a[0] == '-' && a[1] != '\0') {
            usage_error("unknown option '%s'", a);
            return EXIT_BAD_INPUT;
        } else if (path != NULL) {
            usage_error("only one profile at a time ('%s' is extra)", a);
            return EXIT_BAD_INPUT;
        } else {
            path = a;
        }
    }
    if (path == NULL) {
        usage_error("no profile given");
        return EXIT_BAD_INPUT;
    }

    if (profile_load(path, &p, err, sizeof err) != 0) {
        fprintf(stderr, "cprof-analyze: ");
        util_put(stderr, path);
        fprintf(stderr, ": %s\n", err);
        return EXIT_BAD_INPUT;
    }
    if (export_requested(&exports)) {
        exports.advice = &aopts; /* --html honours --threshold, --sort and --filter */
        status = export_run(&exports, &p) == 0 ? EXIT_SUCCESS : EXIT_BAD_INPUT;
        profile_free(&p);
        return status;
    }
    util_out_init(&o, stdout, top, colour);
    status = EXIT_SUCCESS;
    if (report_run(&o, path, &p, &aopts) != 0) {
        fprintf(stderr, "cprof-analyze: out of memory while writing the report\n");
        status = EXIT_BAD_INPUT;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "cprof-analyze: cannot write the report: %s\n", strerror(errno));
        status = EXIT_BAD_INPUT;
    }
    profile_free(&p);
    return status;
}
