/* pagecache: whole responses kept by key, bounded in bytes and entries. */
#include "../../app/core/common.h"
#include "../../app/core/pagecache.h"
#include "unit.h"

static void
put_get_replace(void)
{
	const struct page *p;

	pagecache_init(1024 * 1024);
	CHECK(pagecache_get("/a") == NULL);
	pagecache_put("/a", "text/html", "", "X: 1\r\n", 6, "<p>a</p>", 8);
	pagecache_put("/b?x=1", "application/xml", "public, max-age=5", "", 0,
	    "b", 1);
	p = pagecache_get("/a");
	CHECK(p != NULL);
	EQ_MEM(p->body, p->blen, "<p>a</p>", 8);
	EQ_MEM(p->headers, p->hlen, "X: 1\r\n", 6);
	EQ_STR(p->ctype, "text/html");
	p = pagecache_get("/b?x=1");
	CHECK(p != NULL);
	EQ_STR(p->cache_control, "public, max-age=5");
	CHECK(pagecache_get("/b") == NULL);	/* the query is part of the key */
	pagecache_put("/a", "text/html", "", "", 0, "new", 3);
	EQ_INT(pagecache_count(), 2);
	p = pagecache_get("/a");
	EQ_MEM(p->body, p->blen, "new", 3);
	pagecache_clear();
	EQ_INT(pagecache_count(), 0);
	CHECK(pagecache_get("/a") == NULL);
}

static void
bounded(void)
{
	char key[32], body[1000];

	memset(body, 'x', sizeof(body));
	pagecache_init(64 * 1024);
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "/p/%d", i);
		pagecache_put(key, "text/html", "", "", 0, body, sizeof(body));
		CHECK(pagecache_bytes() <= 64 * 1024);
		CHECK(pagecache_count() <= 768);
		CHECK(pagecache_get(key) != NULL);	/* the newest is there */
	}
	/* A page bigger than a quarter of the cache is not kept. */
	pagecache_put("/big", "text/html", "", "", 0, body, 0);
	CHECK(pagecache_get("/big") != NULL);
	{
		static char huge[20000];

		pagecache_put("/huge", "text/html", "", "", 0, huge,
		    sizeof(huge));
		CHECK(pagecache_get("/huge") == NULL);
	}
	pagecache_init(0);	/* off: nothing kept */
	pagecache_put("/a", "text/html", "", "", 0, "a", 1);
	CHECK(pagecache_get("/a") == NULL);
}

/* A response with no header of its own: the worker's header buffer was
 * never written, so its data pointer is NULL (UBSan, make asan: a memcpy
 * from NULL, even of 0 bytes, is undefined). */
static void
empty_headers(void)
{
	const struct page *p;

	pagecache_init(1024 * 1024);
	pagecache_put("/e", "text/html", "", NULL, 0, "<p>e</p>", 8);
	p = pagecache_get("/e");
	CHECK(p != NULL);
	EQ_INT(p->hlen, 0);
	EQ_STR(p->headers, "");
	EQ_MEM(p->body, p->blen, "<p>e</p>", 8);
	pagecache_clear();
}

UNIT_SUITE(pagecache,
    UNIT(put_get_replace),
    UNIT(bounded),
    UNIT(empty_headers))
