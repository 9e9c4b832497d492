/*
 * pagecache: an open-addressing table of whole responses. When it is full
 * (entries or bytes) it is emptied rather than evicting one by one: the
 * pages people read are few and come back at once, and a flood of distinct
 * URLs must not make the workers do bookkeeping.
 */
#include "common.h"
#include "pagecache.h"

#define SLOTS 1024		/* a power of two */
#define MAX_ENTRIES (SLOTS * 3 / 4)

static struct page *slots[SLOTS];
static size_t nentries, nbytes, max_bytes;

void
pagecache_init(size_t max)
{
	pagecache_clear();
	max_bytes = max;
}

static size_t
hash(const char *s)
{
	size_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t
slot_of(const char *key)
{
	size_t i = hash(key) & (SLOTS - 1);

	while (slots[i] && strcmp(slots[i]->key, key))
		i = (i + 1) & (SLOTS - 1);
	return i;
}

const struct page *
pagecache_get(const char *key, double now)
{
	const struct page *p = max_bytes ? slots[slot_of(key)] : NULL;

	return p && (!p->expires || now < p->expires) ? p : NULL;
}

static void
page_free(struct page *p)
{
	free(p->key);
	free(p->ctype);
	free(p->cache_control);
	free(p->headers);
	free(p->body);
	free(p);
}

void
pagecache_clear(void)
{
	for (size_t i = 0; i < SLOTS; i++) {
		if (slots[i])
			page_free(slots[i]);
		slots[i] = NULL;
	}
	nentries = nbytes = 0;
}

static char *
memdup0(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	if (n)		/* s may be NULL when n is 0 (an empty buffer) */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
pagecache_put(const char *key, const char *ctype, const char *cache_control,
    const char *headers, size_t hlen, const char *body, size_t blen,
    double expires)
{
	size_t size = strlen(key) + hlen + blen + 256, i;
	struct page *p;

	if (!max_bytes || size > max_bytes / 4)
		return;		/* one page never takes a quarter of it */
	if (nentries + 1 > MAX_ENTRIES || nbytes + size > max_bytes)
		pagecache_clear();
	i = slot_of(key);
	if (slots[i]) {		/* replaced (two requests raced to fill it) */
		nbytes -= strlen(slots[i]->key) + slots[i]->hlen +
		    slots[i]->blen + 256;
		nentries--;
		page_free(slots[i]);
	}
	p = xmalloc(sizeof(*p));
	p->key = memdup0(key, strlen(key));
	p->ctype = memdup0(ctype, strlen(ctype));
	p->cache_control = memdup0(cache_control, strlen(cache_control));
	p->headers = memdup0(headers, hlen);
	p->hlen = hlen;
	p->body = memdup0(body, blen);
	p->blen = blen;
	p->expires = expires;
	slots[i] = p;
	nentries++;
	nbytes += size;
}

size_t
pagecache_count(void)
{
	return nentries;
}

size_t
pagecache_bytes(void)
{
	return nbytes;
}
