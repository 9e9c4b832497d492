#include "../core/common.h"
#include "../core/log.h"
#include "../core/parse.h"
#include "kv.h"

#include <sys/time.h>

void
kv_init(struct kv *kv, const char *url)
{
	kv->c = NULL;
	kv->url = url;
}

void
kv_release(struct kv *kv)
{
	if (kv->c)
		redisFree(kv->c);
	kv->c = NULL;
}

/* redis://host:port[/db], unix:///path/to/sock or a bare /path. */
static redisContext *
kv_connect_url(const char *url, long *db)
{
	struct timeval tv = { 2, 0 };
	char host[256];
	const char *p, *slash;
	long port = 6379;
	size_t hlen;

	*db = 0;
	if (!strncmp(url, "unix://", 7))
		return redisConnectUnixWithTimeout(url + 7, tv);
	if (url[0] == '/')
		return redisConnectUnixWithTimeout(url, tv);
	if (strncmp(url, "redis://", 8))
		return NULL;
	p = url + 8;
	slash = strchr(p, '/');
	hlen = slash ? (size_t)(slash - p) : strlen(p);
	if (hlen == 0 || hlen >= sizeof(host))
		return NULL;
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (strchr(host, ':')) {
		char *colon = strrchr(host, ':');

		*colon = '\0';
		if (parse_long(colon + 1, 1, 65535, &port) < 0)
			return NULL;
	}
	if (slash && slash[1] && parse_long(slash + 1, 0, 15, db) < 0)
		return NULL;
	return redisConnectWithTimeout(host, (int)port, tv);
}

int
kv_ensure(struct kv *kv)
{
	struct timeval tv = { 2, 0 };
	long db;

	if (kv->c && !kv->c->err)
		return 0;
	kv_release(kv);
	kv->c = kv_connect_url(kv->url, &db);
	if (!kv->c || kv->c->err) {
		log_error("redis: cannot connect to %s: %s", kv->url,
		    kv->c ? kv->c->errstr : "bad REDIS_URL");
		kv_release(kv);
		return -1;
	}
	redisSetTimeout(kv->c, tv);
	if (db) {
		redisReply *r = redisCommand(kv->c, "SELECT %ld", db);

		if (!r || r->type == REDIS_REPLY_ERROR) {
			if (r)
				freeReplyObject(r);
			kv_release(kv);
			return -1;
		}
		freeReplyObject(r);
	}
	return 0;
}

static void
kv_free(void *p)
{
	freeReplyObject(p);
}

redisReply *
kv_cmd(struct kv *kv, struct arena *a, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;

	if (kv_ensure(kv) < 0)
		return NULL;
	va_start(ap, fmt);
	r = redisvCommand(kv->c, fmt, ap);
	va_end(ap);
	if (!r) {
		log_error("redis: %s", kv->c->errstr);
		kv_release(kv);
		return NULL;
	}
	arena_defer(a, kv_free, r);
	if (r->type == REDIS_REPLY_ERROR) {
		log_error("redis: %s", r->str);
		return NULL;
	}
	return r;
}

long
kv_count(struct kv *kv, struct arena *a, const char *key, long seconds)
{
	static const char incr[] = "local n = redis.call('INCR', KEYS[1]) "
	    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
	    "return n";
	char secs[24];
	redisReply *r;

	snprintf(secs, sizeof(secs), "%ld", seconds);
	r = kv_cmd(kv, a, "EVAL %s 1 %s %s", incr, key, secs);
	return r && r->type == REDIS_REPLY_INTEGER ? (long)r->integer : -1;
}
