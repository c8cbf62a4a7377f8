/* fuzz-profile.c: libFuzzer target: any bytes through the profile loader, the report and --json. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "advice.h"
#include "profile.h"
#include "report.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The report goes nowhere: only crashes, leaks and undefined behaviour matter here. */
static FILE *sink(void)
{
    static FILE *devnull;
    if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL) abort();
    return devnull;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    profile p;
    char err[512];
    util_out o;
    advice_opts opts;

    if (profile_parse((const char *)data, size, &p, err, sizeof err) != 0) {
        /* The contract: a one-line message, never empty. */
        if (err[0] == '\0') abort();
        for (const char *c = err; *c; c++)
            if (*c == '\n') abort();
        return 0;
    }
    util_out_init(&o, sink(), 5, true);
    advice_opts_init(&opts);
    if (report_run(&o, "fuzz.json", &p, &opts) != 0) abort(); /* text report, every section */
    opts.json = true;
    opts.sort = ADVICE_SORT_TOTAL;
    if (report_run(&o, "fuzz.json", &p, &opts) != 0) abort(); /* --json */
    opts.json = false;
    opts.sort = ADVICE_SORT_CALLS;
    opts.filter = "*a*";
    if (report_run(&o, "fuzz.json", &p, &opts) != 0) abort(); /* a filtered view */
    profile_free(&p);
    return 0;
}
