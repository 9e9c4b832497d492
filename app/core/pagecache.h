/*
 * pagecache: the public pages a worker rendered, kept whole in its memory.
 *
 * Members who are logged in bypass nginx's micro-cache, and so does anyone
 * who sends a session cookie: when the whole country arrives, the workers
 * must not ask PostgreSQL for the same article thousands of times a second.
 * The cache itself knows nothing of content: the caller empties it when
 * PostgreSQL says content changed (LISTEN/NOTIFY, see server.c) and when the
 * next scheduled article is due. Pointers returned by pagecache_get() are
 * valid until the next put or clear.
 */
#ifndef CIVITAS_PAGECACHE_H
#define CIVITAS_PAGECACHE_H

#include <stddef.h>

struct page {
	char *key;		/* REQUEST_URI */
	char *ctype;
	char *cache_control;	/* "" when the route's default applies */
	char *headers;		/* "Name: value\r\n"... */
	size_t hlen;
	char *body;
	size_t blen;
	double expires;		/* monotonic seconds; 0: until cleared */
};

/* max_bytes 0 disables the cache (get finds nothing, put keeps nothing). */
void pagecache_init(size_t max_bytes);
/* The page of key, unless it expired at now (monotonic seconds). */
const struct page *pagecache_get(const char *key, double now);
/* expires: when the page goes stale by itself (monotonic seconds), for
 * pages that change with no notification; 0 to keep it until cleared. */
void pagecache_put(const char *key, const char *ctype,
    const char *cache_control, const char *headers, size_t hlen,
    const char *body, size_t blen, double expires);
void pagecache_clear(void);
size_t pagecache_count(void);
size_t pagecache_bytes(void);

#endif
