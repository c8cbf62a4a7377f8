/* arena.h: a bump allocator that frees everything at once (holds the parsed JSON tree). */
#ifndef CPROF_ANALYZE_ARENA_H
#define CPROF_ANALYZE_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct {
    arena_chunk *head; /* newest chunk first; NULL when nothing was allocated */
} arena;

/* size bytes aligned for any scalar type, valid until arena_free; NULL when memory ran out. */
void *arena_alloc(arena *a, size_t size);

/* Releases every allocation of a; a becomes empty and reusable. NULL-safe. */
void arena_free(arena *a);

/* cJSON_Hooks-compatible allocator over one arena at a time: while arena_json_begin(a) is in effect,
 * every cJSON allocation comes from a and cJSON's frees do nothing. arena_json_end restores
 * malloc/free. Not reentrant: cJSON's hooks are process-wide, and the analyzer is single-threaded. */
void arena_json_begin(arena *a);
void arena_json_end(void);

#endif
