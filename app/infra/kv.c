#include "../core/common.h"
#include "../core/log.h"
#include "../core/metrics.h"
#include "../core/parse.h"
#include "kv.h"

#include <sys/time.h>

void
kv_init(struct kv *kv, const char *url)
{
	kv->c = NULL;
	kv->url = url;
	kv->connections = 0;
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
		metrics_count(M_KV_CONNECT_FAILED);
		log_error("redis: cannot connect to %s: %s", kv->url,
		    kv->c ? kv->c->errstr : "bad REDIS_URL");
		kv_release(kv);
		return -1;
	}
	redisSetTimeout(kv->c, tv);
	if (db) {
		redisReply *r = redisCommand(kv->c, "SELECT %ld", db);

		if (!r || r->type == REDIS_REPLY_ERROR) {
			metrics_count(M_KV_CONNECT_FAILED);
			if (r)
				freeReplyObject(r);
			kv_release(kv);
			return -1;
		}
		freeReplyObject(r);
	}
	if (kv->connections++)
		metrics_count(M_KV_RECONNECT);
	return 0;
}

static void
kv_free(void *p)
{
	freeReplyObject(p);
}

/*
 * issue 13, many hosts: a connection that was open before this command and
 * turns out closed by the server (Redis restarted: end of file, reset,
 * broken pipe) is made again and the command sent once more, so a restart
 * costs no request its 503 once Redis is back (each worker used to answer
 * one). Not after a timeout: a Redis that does not answer is not asked
 * twice. A command the old server ran before closing is not possible
 * here (it closed instead of answering), save a crash mid-command, where
 * a counter may count one more.
 */
static int
kv_closed_by_server(const struct kv *kv, int was_open, int err_no)
{
	return was_open && kv->c && (kv->c->err == REDIS_ERR_EOF ||
	    (kv->c->err == REDIS_ERR_IO && (err_no == EPIPE ||
	    err_no == ECONNRESET)));
}

redisReply *
kv_cmd(struct kv *kv, struct arena *a, const char *fmt, ...)
{
	redisReply *r;
	va_list ap;
	int was_open = kv->c && !kv->c->err;

	if (kv_ensure(kv) < 0)
		return NULL;
	va_start(ap, fmt);
	r = redisvCommand(kv->c, fmt, ap);
	va_end(ap);
	if (!r && kv_closed_by_server(kv, was_open, errno)) {
		log_info("redis: %s; connecting again", kv->c->errstr);
		kv_release(kv);
		if (kv_ensure(kv) < 0)
			return NULL;
		va_start(ap, fmt);
		r = redisvCommand(kv->c, fmt, ap);
		va_end(ap);
	}
	if (!r) {
		metrics_count(M_KV_LOST);
		log_error("redis: %s", kv->c->errstr);
		kv_release(kv);
		return NULL;
	}
	arena_defer(a, kv_free, r);
	if (r->type == REDIS_REPLY_ERROR) {
		metrics_count(M_KV_REPLY);
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

long
kv_counter(struct kv *kv, struct arena *a, const char *key, long seconds,
    long *minutes)
{
	redisReply *n = kv_cmd(kv, a, "GET %s", key), *ttl;

	if (!n)
		return -1;
	if (n->type != REDIS_REPLY_STRING)
		return 0;
	ttl = kv_cmd(kv, a, "TTL %s", key);
	*minutes = ttl && ttl->type == REDIS_REPLY_INTEGER ?
	    (ttl->integer + 59) / 60 : seconds / 60;
	if (*minutes < 1)
		*minutes = 1;
	return strtol(n->str, NULL, 10);
}

/* SCRIPT LOAD s: 0, or -1 (logged). */
static int
kv_script_load(struct kv *kv, struct kv_script *s)
{
	redisReply *r = redisCommand(kv->c, "SCRIPT LOAD %s", s->body);
	int ok;

	if (!r) {
		metrics_count(M_KV_LOST);
		log_error("redis: %s", kv->c->errstr);
		kv_release(kv);
		return -1;
	}
	ok = r->type == REDIS_REPLY_STRING && r->len == 40;
	if (ok)
		memcpy(s->sha, r->str, 41);
	else
		metrics_count(M_KV_REPLY);
	if (!ok)
		log_error("redis: SCRIPT LOAD: %s", r->type ==
		    REDIS_REPLY_ERROR ? r->str : "unexpected reply");
	freeReplyObject(r);
	return ok ? 0 : -1;
}

redisReply *
kv_eval(struct kv *kv, struct arena *a, struct kv_script *s, int nkeys,
    int nargs, const char *const *argv)
{
	const char **args = arena_zalloc(a, (size_t)(nargs + 3) *
	    sizeof(*args));
	char keys[16];
	redisReply *r;
	int was_open = kv->c && !kv->c->err;

	if (kv_ensure(kv) < 0)
		return NULL;
	snprintf(keys, sizeof(keys), "%d", nkeys);
	args[0] = "EVALSHA";
	args[2] = keys;
	for (int i = 0; i < nargs; i++)
		args[i + 3] = argv[i];
	for (int attempt = 0;; attempt++) {
		if (!s->sha[0] && kv_script_load(kv, s) < 0)
			return NULL;
		args[1] = s->sha;
		r = redisCommandArgv(kv->c, nargs + 3, args, NULL);
		if (!r && attempt == 0 &&
		    kv_closed_by_server(kv, was_open, errno)) {
			/* issue 13: Redis restarted (see kv_closed_by_server) */
			log_info("redis: %s; connecting again", kv->c->errstr);
			kv_release(kv);
			if (kv_ensure(kv) < 0)
				return NULL;
			s->sha[0] = '\0';
			continue;
		}
		if (!r) {
			metrics_count(M_KV_LOST);
			log_error("redis: %s", kv->c->errstr);
			kv_release(kv);
			return NULL;
		}
		if (r->type == REDIS_REPLY_ERROR && attempt == 0 &&
		    !strncmp(r->str, "NOSCRIPT", 8)) {
			/* Redis restarted or flushed its scripts: again. */
			freeReplyObject(r);
			s->sha[0] = '\0';
			continue;
		}
		break;
	}
	arena_defer(a, kv_free, r);
	if (r->type == REDIS_REPLY_ERROR) {
		metrics_count(M_KV_REPLY);
		log_error("redis: %s", r->str);
		return NULL;
	}
	return r;
}
