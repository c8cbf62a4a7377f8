/* test-profile.c: in-process tests of the analyzer's loader, formatting and report, built with
 * the sanitizers when available: exact values, every truncation and thousands of mutations. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calltree.h"
#include "merge.h"
#include "profile.h"
#include "report.h"
#include "util.h"

static int failures, checks;

#define CHECK(cond, ...) check((cond), #cond, __FILE__, __LINE__, __VA_ARGS__)

static void check(int ok, const char *expr, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    checks++;
    if (ok) return;
    failures++;
    fprintf(stderr, "%s:%d: FAILED %s: ", file, line, expr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    char *text = malloc(*len + 1);
    if (text == NULL || fread(text, 1, *len, f) != *len) {
        perror(path);
        exit(2);
    }
    fclose(f);
    text[*len] = '\0';
    return text;
}

static void test_util(void)
{
    static const struct { unsigned long long ns; const char *text; } durations[] = {
        {0, "0 ns"}, {28, "28 ns"}, {999, "999 ns"}, {1000, "1.00 µs"}, {5000, "5.00 µs"},
        {12345, "12.3 µs"}, {999499, "999 µs"}, {999500, "1.00 ms"}, {123456789, "123 ms"},
        {1500000000, "1.50 s"}, {3600000000000ULL, "3600 s"},
    };
    char buf[UTIL_CELL], loc[64];
    for (size_t i = 0; i < sizeof durations / sizeof *durations; i++)
        CHECK(strcmp(util_duration(buf, durations[i].ns), durations[i].text) == 0, "%llu ns gave '%s'",
              durations[i].ns, buf);
    CHECK(strcmp(util_share(buf, 1, 2), "50.0%") == 0, "'%s'", buf);
    CHECK(strcmp(util_share(buf, 5, 100), "5.00%") == 0, "'%s'", buf);
    CHECK(strcmp(util_share(buf, 1, 1e6), "<0.01%") == 0, "'%s'", buf);
    CHECK(strcmp(util_share(buf, 0, 10), "0.00%") == 0, "'%s'", buf);
    CHECK(strcmp(util_share(buf, 1, 0), "-") == 0, "'%s'", buf);
    CHECK(strcmp(util_iso8601(buf, 1763786400), "2025-11-22T04:40:00Z") == 0, "'%s'", buf);
    CHECK(strcmp(util_iso8601(buf, 0), "1970-01-01T00:00:00Z") == 0, "'%s'", buf);
    CHECK(strcmp(util_iso8601(buf, 18446744073709551615ULL), "18446744073709551615") == 0, "'%s'", buf);
    CHECK(util_width("5.00 µs") == 7, "%zu", util_width("5.00 µs"));
    CHECK(strcmp(util_location(loc, sizeof loc, "", "a.c", 7), "a.c:7") == 0, "'%s'", loc);
    CHECK(strcmp(util_location(loc, sizeof loc, "b.c:9", "a.c", 7), "b.c:9") == 0, "'%s'", loc);
    CHECK(strcmp(util_location(loc, sizeof loc, "", "", 7), "?") == 0, "'%s'", loc);
}

static void test_values(const char *dir)
{
    size_t len;
    char *text = read_file(dir, "realistic.json", &len), err[512] = "";
    profile p;
    int rc = profile_parse(text, len, &p, err, sizeof err);
    CHECK(rc == 0, "realistic.json: %s", err);
    if (rc == 0) {
        CHECK(p.nfunctions == 8 && p.nedges == 7 && p.nloops == 4 && p.nbranches == 8 &&
              p.nswitches == 2 && p.nthreads == 2, "array sizes");
        CHECK(strcmp(p.functions[0].name, "fib") == 0 && p.functions[0].calls == 177 &&
              p.functions[0].timing == PROFILE_TIMING_FULL, "fib");
        CHECK(p.functions[4].timing == PROFILE_TIMING_NONE && p.functions[4].inlined_calls == 1000, "square");
        CHECK(p.functions[5].timing == PROFILE_TIMING_PARTIAL, "helper");
        CHECK(p.functions[7].timing == PROFILE_TIMING_NOT_RUN, "unused");
        CHECK(p.edges[3].indirect && p.edges[3].caller_index == 1 && p.edges[3].callee_index == 6, "edge 3");
        CHECK(p.branches[2].prediction_rate > 0.5028 && p.branches[2].prediction_rate < 0.5029, "%g",
              p.branches[2].prediction_rate);
        CHECK(p.switches[0].total == 10 && p.switches[0].ncases == 3 &&
              strcmp(p.switches[0].cases[1].label, "3...5") == 0, "switch");
        CHECK(p.stats.total_runtime_ns == 123456789 && p.has_timestamp && p.timestamp == 1763786400, "stats");
        CHECK(strcmp(p.command_line, "./app 10 'two words'") == 0, "%s", p.command_line);
        profile_free(&p);
    }
    free(text);

    /* Absent optional fields read as zero/empty; timing and inlined_calls are derived. */
    static const char lean[] = "{\"version\":\"1\",\"tool\":\"cprof\",\"functions\":["
                               "{\"id\":3,\"name\":\"f\",\"calls\":5,\"timed_calls\":2},"
                               "{\"id\":9,\"name\":\"g\",\"calls\":0}],"
                               "\"call_graph\":[{\"caller\":\"f\",\"callee\":\"g\",\"calls\":1},"
                               "{\"caller_id\":3,\"callee\":\"printf\",\"calls\":2,\"callee_id\":null}]}";
    rc = profile_parse(lean, strlen(lean), &p, err, sizeof err);
    CHECK(rc == 0, "lean: %s", err);
    if (rc == 0) {
        CHECK(p.functions[0].timing == PROFILE_TIMING_PARTIAL && p.functions[0].inlined_calls == 3, "f");
        CHECK(p.functions[1].timing == PROFILE_TIMING_NOT_RUN, "g");
        CHECK(p.edges[0].caller_index == 0 && p.edges[0].callee_index == 1, "resolved by name");
        CHECK(p.edges[1].caller_index == 0 && p.edges[1].callee_index == -1 &&
              strcmp(p.edges[1].caller, "f") == 0, "unresolved callee");
        CHECK(p.nloops == 0 && p.loops == NULL && *p.binary == '\0', "absent");
        profile_free(&p);
    }
}

/* Parses text; on success also renders the whole report (to /dev/null) to exercise it. Returns
 * the parse status; an error message must be one non-empty line. */
static int parse_and_report(const char *what, const char *text, size_t len, FILE *sink)
{
    char err[512] = "";
    profile p;
    int rc = profile_parse(text, len, &p, err, sizeof err);
    if (rc != 0) {
        CHECK(*err != '\0' && strchr(err, '\n') == NULL, "%s: bad message '%s'", what, err);
        return rc;
    }
    util_out o;
    util_out_init(&o, sink, 3, true);
    CHECK(report_print(&o, what, &p) == 0, "%s: report failed", what);
    /* The --json analysis of a filtered view, and the merge of the profile with itself. */
    advice_opts opts;
    advice_opts_init(&opts);
    opts.json = true;
    opts.filter = "*i*";
    opts.sort = ADVICE_SORT_CALLS;
    CHECK(report_run(&o, what, &p, &opts) == 0, "%s: --json failed", what);
    profile twice[2] = {p, p};
    char merr[512] = "";
    size_t bad;
    cJSON *merged = merge_profiles(twice, 2, merr, sizeof merr, &bad);
    if (merged == NULL) CHECK(*merr != '\0' && strchr(merr, '\n') == NULL, "%s: bad merge message '%s'", what, merr);
    cJSON_Delete(merged);
    profile_free(&p);
    return rc;
}

/* Every proper prefix that stops before the closing brace is an error, never a crash. */
static void test_truncations(const char *dir, const char *name, FILE *sink)
{
    size_t len;
    char *text = read_file(dir, name, &len);
    size_t close = len;
    while (close > 0 && text[close - 1] != '}') close--;
    for (size_t n = 0; n < close; n++) {
        char *copy = malloc(n ? n : 1); /* exact size, so the sanitizers see any over-read */
        memcpy(copy, text, n);
        CHECK(parse_and_report(name, copy, n, sink) != 0, "%s: prefix of %zu bytes accepted", name, n);
        free(copy);
    }
    CHECK(parse_and_report(name, text, len, sink) == 0, "%s: whole file rejected", name);
    free(text);
}

/* Replaces every number and every string value in turn by each of a set of odd values. */
static void test_mutations(const char *dir, const char *name, FILE *sink)
{
    static const char *const odd[] = {"\"x\"", "-1", "1.5", "null", "[]", "{}", "true", "1e300",
                                      "18446744073709551615", "0", "\"\"", "\"\\u001b[31m\""};
    size_t len, accepted = 0, rejected = 0;
    char *text = read_file(dir, name, &len);
    char *buf = malloc(len + 64);
    for (size_t i = 0; i < len; i++) {
        size_t end = i;
        bool number = (text[i] >= '0' && text[i] <= '9') && i > 0 && strchr(" [:", text[i - 1]);
        bool string = text[i] == '"' && i > 1 && text[i - 1] == ' ' && text[i - 2] == ':';
        if (number) while (end < len && strchr("0123456789.eE+-", text[end])) end++;
        else if (string) { end = i + 1; while (end < len && text[end] != '"') end++; end++; }
        else continue;
        for (size_t k = 0; k < sizeof odd / sizeof *odd; k++) {
            size_t m = strlen(odd[k]);
            memcpy(buf, text, i);
            memcpy(buf + i, odd[k], m);
            memcpy(buf + i + m, text + end, len - end);
            if (parse_and_report(name, buf, i + m + len - end, sink) == 0) accepted++;
            else rejected++;
        }
    }
    CHECK(accepted > 100 && rejected > 100, "%s: %zu accepted, %zu rejected", name, accepted, rejected);
    free(buf);
    free(text);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test-profile DATA_DIR\n");
        return 2;
    }
    FILE *sink = fopen("/dev/null", "w");
    if (sink == NULL) {
        perror("/dev/null");
        return 2;
    }
    test_util();
    test_values(argv[1]);
    test_truncations(argv[1], "realistic.json", sink);
    test_truncations(argv[1], "recursion.json", sink);
    test_mutations(argv[1], "realistic.json", sink);
    test_mutations(argv[1], "recursion.json", sink);
    fclose(sink);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
