#include "common.h"
#include "arena.h"
#include "log.h"

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	size_t used;
	max_align_t data[];
};

struct arena_defer {
	struct arena_defer *next;
	void (*fn)(void *);
	void *p;
};

void
arena_init(struct arena *a, size_t chunk_size)
{
	a->head = NULL;
	a->defers = NULL;
	a->chunk_size = chunk_size;
}

static void
arena_run_defers(struct arena *a)
{
	/* Defer records live in the arena itself: only walk them here. */
	for (struct arena_defer *d = a->defers; d; d = d->next)
		d->fn(d->p);
	a->defers = NULL;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c, *next, *keep = NULL;

	arena_run_defers(a);
	/* Keep one standard-size chunk; oversized ones go back to malloc. */
	for (c = a->head; c; c = next) {
		next = c->next;
		if (!keep && c->size == a->chunk_size) {
			keep = c;
			continue;
		}
		free(c);
	}
	if (keep) {
		keep->next = NULL;
		keep->used = 0;
	}
	a->head = keep;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c, *next;

	arena_run_defers(a);
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	struct arena_chunk *c = a->head;
	size_t size;
	void *p;

	if (n > SIZE_MAX / 4) {	/* no request is this big: a caller's bug */
		log_error("arena_alloc(%zu): impossible size", n);
		abort();
	}
	n = (n + align - 1) & ~(align - 1);
	if (!c || c->size - c->used < n) {
		size = n > a->chunk_size ? n : a->chunk_size;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		if (a->head && n > a->chunk_size) {
			/* Oversized: slot it behind the head, keep using head. */
			c->next = a->head->next;
			a->head->next = c;
			c->used = n;
			return (char *)c->data;
		}
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void *
arena_zalloc(struct arena *a, size_t n)
{
	return memset(arena_alloc(a, n), 0, n);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return arena_strdup(a, "");
	p = arena_alloc(a, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct arena_defer *d = arena_alloc(a, sizeof(*d));

	d->fn = fn;
	d->p = p;
	d->next = a->defers;
	a->defers = d;
}
