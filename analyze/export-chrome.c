/* export-chrome.c: the profile's trace as Chrome trace events (Perfetto, chrome://tracing). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "export.h"
#include "util.h"

/* The function of id, or NULL. */
static const profile_function *chrome_function(const profile *p, uint64_t id)
{
    if (id < p->nfunctions && p->functions[id].id == id) return &p->functions[id];
    for (size_t i = 0; i < p->nfunctions; i++)
        if (p->functions[i].id == id) return &p->functions[i];
    return NULL;
}

static uint64_t chrome_u64(const cJSON *v)
{
    return cJSON_IsNumber(v) ? util_u64(v->valuedouble) : 0;
}

/* One "B" or "E" event; ts in microseconds with the nanoseconds kept. */
static void chrome_event(FILE *out, bool *first, const profile *p, uint64_t pid, uint64_t tid,
                         uint64_t t_ns, uint64_t id, bool begin)
{
    const profile_function *f = chrome_function(p, id);
    fprintf(out, "%s\n{\"ph\":\"%c\",\"ts\":%" PRIu64 ".%03" PRIu64 ",\"pid\":%" PRIu64 ",\"tid\":%" PRIu64
            ",\"cat\":\"function\",\"name\":",
            *first ? "" : ",", begin ? 'B' : 'E', t_ns / 1000, t_ns % 1000, pid, tid);
    *first = false;
    if (f != NULL) escape_json(out, f->name);
    else fprintf(out, "\"#%" PRIu64 "\"", id);
    if (begin && f != NULL) {
        fputs(",\"args\":{\"file\":", out);
        escape_json(out, f->file);
        fprintf(out, ",\"line\":%" PRIu64 "}", f->line);
    }
    fputc('}', out);
}

/* Writes {"traceEvents": [...], "displayTimeUnit": "ns"}: per thread a thread_name record, then
 * its events as B/E pairs; frames still open at the dump end at the thread's last event. Returns
 * -2 when the profile has no trace (recorded with CPROF_TRACE=1), -1 when memory ran out. */
int export_chrome(const profile *p, FILE *out)
{
    const cJSON *trace = cJSON_GetObjectItemCaseSensitive(p->root, "trace");
    const cJSON *threads = cJSON_GetObjectItemCaseSensitive(trace, "threads");
    if (!cJSON_IsArray(threads)) return -2;
    uint64_t pid = p->has_pid ? p->pid : 1;
    bool first = true;
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
    const cJSON *th;
    cJSON_ArrayForEach(th, threads) {
        uint64_t tid = chrome_u64(cJSON_GetObjectItemCaseSensitive(th, "tid"));
        uint64_t thread = chrome_u64(cJSON_GetObjectItemCaseSensitive(th, "thread"));
        fprintf(out, "%s\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%" PRIu64 ",\"tid\":%" PRIu64
                ",\"args\":{\"name\":\"thread %" PRIu64 "\"}}", first ? "" : ",", pid, tid, thread);
        first = false;
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(th, "events"), *e;
        size_t n = (size_t)cJSON_GetArraySize(events), depth = 0;
        uint64_t *open = malloc((n ? n : 1) * sizeof *open), last = 0;
        if (open == NULL) return -1;
        cJSON_ArrayForEach(e, events) {
            if (cJSON_GetArraySize(e) != 3) continue;
            uint64_t t = chrome_u64(cJSON_GetArrayItem(e, 0)), id = chrome_u64(cJSON_GetArrayItem(e, 1));
            uint64_t kind = chrome_u64(cJSON_GetArrayItem(e, 2));
            if (t < last) t = last; /* monotonic per thread, whatever the input says */
            last = t;
            if (kind == 0) {
                open[depth++] = id;
                chrome_event(out, &first, p, pid, tid, t, id, true);
            } else if (depth > 0) { /* an exit closes the innermost open span */
                chrome_event(out, &first, p, pid, tid, t, open[--depth], false);
            }
        }
        while (depth > 0) chrome_event(out, &first, p, pid, tid, last, open[--depth], false);
        free(open);
    }
    fputs("\n]}\n", out);
    return 0;
}
