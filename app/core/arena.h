/*
 * arena: per-request memory. Everything a request allocates comes from its
 * arena and dies with arena_reset() after the response; objects owned by
 * libraries (PGresult, json_t, redisReply...) are registered with
 * arena_defer() and released at the same moment, in reverse order.
 * The first chunk is kept across resets so a steady worker stops calling
 * malloc for small requests. Allocation failure aborts (common.h policy).
 */
#ifndef CIVITAS_ARENA_H
#define CIVITAS_ARENA_H

#include <stddef.h>

struct arena_chunk;
struct arena_defer;

struct arena {
	struct arena_chunk *head;
	struct arena_defer *defers;
	size_t chunk_size;
};

void arena_init(struct arena *a, size_t chunk_size);
void arena_reset(struct arena *a);
void arena_release(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_defer(struct arena *a, void (*fn)(void *), void *p);

#endif
