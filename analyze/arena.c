/* arena.c: a bump allocator for the parsed JSON tree: one malloc per megabyte instead of per node. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

/* Chunks grow with the total so a huge profile needs few of them; a request larger than a chunk
 * gets a chunk of its own. */
enum { ARENA_MIN_CHUNK = 1 << 20, ARENA_MAX_CHUNK = 64 << 20, ARENA_ALIGN = 16 };

struct arena_chunk {
    arena_chunk *next;
    size_t used, size; /* bytes of data[] */
    _Alignas(ARENA_ALIGN) unsigned char data[];
};

void *arena_alloc(arena *a, size_t size)
{
    size_t need = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    arena_chunk *c = a->head;
    if (need < size) return NULL; /* overflow */
    if (c == NULL || c->size - c->used < need) {
        size_t chunk = c == NULL ? ARENA_MIN_CHUNK : c->size * 2;
        if (chunk > ARENA_MAX_CHUNK) chunk = ARENA_MAX_CHUNK;
        if (chunk < need) chunk = need;
        if (chunk > SIZE_MAX - sizeof *c || (c = malloc(sizeof *c + chunk)) == NULL) return NULL;
        c->used = 0, c->size = chunk;
        /* A chunk made for one big request goes behind the current one, which keeps its free room. */
        if (a->head != NULL && chunk == need && a->head->size - a->head->used > 0) {
            c->next = a->head->next;
            a->head->next = c;
            c->used = need;
            return c->data;
        }
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    return p;
}

void arena_free(arena *a)
{
    if (a == NULL) return;
    while (a->head != NULL) {
        arena_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

static arena *json_arena; /* cJSON's hooks take no context argument */

static void *json_malloc(size_t size)
{
    return arena_alloc(json_arena, size);
}

static void json_free(void *p)
{
    (void)p; /* released with the arena */
}

void arena_json_begin(arena *a)
{
    cJSON_Hooks hooks = {json_malloc, json_free};
    json_arena = a;
    cJSON_InitHooks(&hooks);
}

void arena_json_end(void)
{
    cJSON_InitHooks(NULL);
    json_arena = NULL;
}
