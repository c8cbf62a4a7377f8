/* html.h: the cells, tables and sections shared by the files of the HTML report (--html). */
#ifndef CPROF_ANALYZE_HTML_H
#define CPROF_ANALYZE_HTML_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "profile.h"

/* Profile text as HTML character data (also safe in a quoted attribute): escape_xml. */
void html_text(FILE *out, const char *s);

/* <section id=ID><h2>TITLE</h2> ... </section>. */
void html_section_begin(FILE *out, const char *id, const char *title);
void html_section_end(FILE *out);

/* A table the page's script sorts when a header is clicked: headers separated by '|'; a header
 * starting with '#' is numeric (right-aligned; its cells carry data-v, the value it sorts by). */
void html_table_begin(FILE *out, const char *id, const char *headers);
void html_table_end(FILE *out);

/* One cell each; rows are written with "<tr>" / "</tr>" around them. */
void html_td_text(FILE *out, const char *s);
void html_td_count(FILE *out, uint64_t n);
void html_td_duration(FILE *out, uint64_t ns);
void html_td_bytes(FILE *out, uint64_t bytes);
void html_td_share(FILE *out, double part, double whole); /* "-" when whole is 0 */
void html_td_dash(FILE *out);                              /* "-", sorted below every number */

/* "1.50 MiB": bytes in binary units with three significant digits. */
const char *html_bytes(char buf[32], uint64_t bytes);

/* A member of a JSON object as a non-negative integer (0 when absent or not a number). */
uint64_t html_json_u64(const cJSON *obj, const char *key);

/* The JSON object of each of p's functions, by index, for the fields the loader does not keep
 * (latency, memory, events); matched by id, so a filtered view (advice_view) works too. A malloc'd
 * array of p->nfunctions + 1 entries (NULL where none), or NULL when memory ran out. */
const cJSON **html_json_functions(const profile *p);

/* The collapsible call tree (html-calltree.c). Returns -1 when memory ran out. */
int html_calltree(FILE *out, const profile *p);

/* The sections of optional profile data, each left out when the profile lacks it
 * (html-extras.c): heap statistics, hardware/OS events, the RSS/CPU timeline. */
void html_memory(FILE *out, const profile *p, const cJSON *const *fj);
void html_events(FILE *out, const profile *p, const cJSON *const *fj);
void html_timeline(FILE *out, const profile *p);

#endif
