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

#endif
