/* jsonout.h: writes a cJSON tree to a FILE as cJSON_Print would, without building the text. */
#ifndef CPROF_ANALYZE_JSONOUT_H
#define CPROF_ANALYZE_JSONOUT_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* Writes item to out byte for byte as cJSON_Print (formatted) lays it out, without the final
 * newline. Write errors are left for the caller to check on out. */
void jsonout_print(FILE *out, const cJSON *item);

#endif
