/*
 * kv: the process's Redis connection (sessions, throttling counters, cache).
 * Like db, it reconnects lazily: when Redis is down, kv_cmd returns NULL,
 * the request answers 503 and a later request reconnects. Replies are
 * registered on the caller's arena; never free them by hand.
 */
#ifndef CIVITAS_KV_H
#define CIVITAS_KV_H

#include <hiredis.h>
#include "../core/arena.h"

struct kv {
	redisContext *c;
	const char *url;
	unsigned long connections;	/* made so far (issue 13: metrics) */
};

void kv_init(struct kv *kv, const char *url);
void kv_release(struct kv *kv);
int kv_ensure(struct kv *kv);
/* hiredis format (%s, %b only): NULL when Redis is unreachable or the
 * reply is an error. */
redisReply *kv_cmd(struct kv *kv, struct arena *a, const char *fmt, ...);
/* Count one more event under key, in a window of `seconds` that starts
 * with the first (INCR, and EXPIRE on the first, atomically). The new
 * count, or -1 when Redis is unavailable. */
long kv_count(struct kv *kv, struct arena *a, const char *key, long seconds);
/* The count under key (0 when none) and, when there is one, the minutes
 * left of its window into *minutes (at least 1; the window's `seconds`
 * when Redis does not say); -1 when Redis is unavailable. */
long kv_counter(struct kv *kv, struct arena *a, const char *key,
    long seconds, long *minutes);

/*
 * A Lua script run by its SHA1 (EVALSHA): its text goes to Redis once per
 * connection's server (SCRIPT LOAD on first use, again when Redis answers
 * NOSCRIPT after a restart or a SCRIPT FLUSH), not with every call. One
 * static struct kv_script per script; sha is filled by kv_eval.
 */
struct kv_script {
	const char *body;
	char sha[41];		/* hex, "" until loaded */
};

/* EVALSHA s with nkeys keys then the other arguments (argv: nargs
 * strings, keys first). The reply, or NULL as for kv_cmd. */
redisReply *kv_eval(struct kv *kv, struct arena *a, struct kv_script *s,
    int nkeys, int nargs, const char *const *argv);
/* The nargs and argv of kv_eval from a list of strings, counted. */
#define KV_ARGV(...) \
	(int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)), \
	(const char *[]){ __VA_ARGS__ }

#endif
