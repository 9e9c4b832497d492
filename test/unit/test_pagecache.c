/* pagecache: whole responses kept by key, bounded in bytes and entries. */
#include "../../app/core/common.h"
#include "../../app/core/pagecache.h"
#include "unit.h"

static void
put_get_replace(void)
{
	const struct page *p;

	pagecache_init(1024 * 1024);
	CHECK(pagecache_get("/a", 0) == NULL);
	pagecache_put("/a", "text/html", "", "X: 1\r\n", 6, "<p>a</p>", 8, 0);
	pagecache_put("/b?x=1", "application/xml", "public, max-age=5", "", 0,
	    "b", 1, 0);
	p = pagecache_get("/a", 0);
	CHECK(p != NULL);
	EQ_MEM(p->body, p->blen, "<p>a</p>", 8);
	EQ_MEM(p->headers, p->hlen, "X: 1\r\n", 6);
	EQ_STR(p->ctype, "text/html");
	p = pagecache_get("/b?x=1", 0);
	CHECK(p != NULL);
	EQ_STR(p->cache_control, "public, max-age=5");
	CHECK(pagecache_get("/b", 0) == NULL);	/* the query is part of the key */
	pagecache_put("/a", "text/html", "", "", 0, "new", 3, 0);
	EQ_INT(pagecache_count(), 2);
	p = pagecache_get("/a", 0);
	EQ_MEM(p->body, p->blen, "new", 3);
	pagecache_clear();
	EQ_INT(pagecache_count(), 0);
	CHECK(pagecache_get("/a", 0) == NULL);
}

static void
brief_pages_expire(void)
{
	pagecache_init(1024 * 1024);
	pagecache_put("/events/x", "text/html", "", "", 0, "x", 1, 105.0);
	pagecache_put("/articles/y", "text/html", "", "", 0, "y", 1, 0);
	CHECK(pagecache_get("/events/x", 100.0) != NULL);
	CHECK(pagecache_get("/events/x", 104.9) != NULL);
	CHECK(pagecache_get("/events/x", 105.0) == NULL);
	CHECK(pagecache_get("/articles/y", 1e9) != NULL);
	/* put again: fresh again */
	pagecache_put("/events/x", "text/html", "", "", 0, "x2", 2, 110.0);
	CHECK(pagecache_get("/events/x", 106.0) != NULL);
	pagecache_clear();
}

static void
bounded(void)
{
	char key[32], body[1000];

	memset(body, 'x', sizeof(body));
	pagecache_init(64 * 1024);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/p/%d", i);
		pagecache_put(key, "text/html", "", "", 0, body, sizeof(body), 0);
		CHECK(pagecache_bytes() <= 64 * 1024);
		CHECK(pagecache_count() <= 768);
		CHECK(pagecache_get(key, 0) != NULL);	/* the newest is there */
	}
	/* A page bigger than a quarter of the cache is not kept. */
	pagecache_put("/big", "text/html", "", "", 0, body, 0, 0);
	CHECK(pagecache_get("/big", 0) != NULL);
	{
		static char huge[20000];

		pagecache_put("/huge", "text/html", "", "", 0, huge,
		    sizeof(huge), 0);
		CHECK(pagecache_get("/huge", 0) == NULL);
	}
	pagecache_init(0);	/* off: nothing kept */
	pagecache_put("/a", "text/html", "", "", 0, "a", 1, 0);
	CHECK(pagecache_get("/a", 0) == NULL);
}

/* A response with no header of its own: the worker's header buffer was
 * never written, so its data pointer is NULL (UBSan, make asan: a memcpy
 * from NULL, even of 0 bytes, is undefined). */
static void
empty_headers(void)
{
	const struct page *p;

	pagecache_init(1024 * 1024);
	pagecache_put("/e", "text/html", "", NULL, 0, "<p>e</p>", 8, 0);
	p = pagecache_get("/e", 0);
	CHECK(p != NULL);
	EQ_INT(p->hlen, 0);
	EQ_STR(p->headers, "");
	EQ_MEM(p->body, p->blen, "<p>e</p>", 8);
	pagecache_clear();
}

UNIT_SUITE(pagecache,
    UNIT(put_get_replace),
    UNIT(brief_pages_expire),
    UNIT(bounded),
    UNIT(empty_headers))
