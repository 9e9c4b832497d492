/*
 * wfstate: see wfstate.h.
 */
#include "../core/common.h"
#include "session.h"
#include "wfstate.h"

/* Read the state and renew its idle TTL, in one round trip. */
static struct kv_script load_script = { .body =
	"local v = redis.call('HMGET', KEYS[1], 'place', 'run', 'answers') "
	"if v[1] then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
	"return v" };

static struct kv_script cas_script = { .body =
	"local cur = redis.call('HMGET', KEYS[1], 'place', 'run') "
	"local place, run = cur[1], cur[2] "
	"if not place then place = ARGV[6] run = ARGV[2] end "
	"if place ~= ARGV[1] or run ~= ARGV[2] then return 0 end "
	"redis.call('HSET', KEYS[1], 'place', ARGV[3], 'run', ARGV[2], "
	"'answers', ARGV[4]) "
	"redis.call('EXPIRE', KEYS[1], ARGV[5]) "
	"return 1" };

static void
run_new(struct req *r, struct wf_state *s)
{
	unsigned char b[16];

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);	/* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);	/* RFC 4122 */
	s->run = arena_printf(&r->arena, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
	    b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
	    b[15]);
}

/* The owner of the state: the member, or the visitor's cookie (made
 * when missing). */
static const char *
owner_of(struct req *r, const struct workflow *w)
{
	const char *c = req_cookie(r, "visitor");
	char fresh[TOKEN_LEN + 1];

	if (w->owner == WF_OWNER_MEMBER && r->user)
		return arena_printf(&r->arena, "u:%s", r->user->id_str);
	if (!c || !token_wellformed(c, strlen(c))) {
		token_new(fresh);
		resp_cookie(r, "visitor", fresh, -1);
		c = arena_strdup(&r->arena, fresh);
	}
	return arena_printf(&r->arena, "v:%s", c);
}

static void
state_fresh(struct req *r, struct wf_state *s)
{
	s->place = s->w->initial;
	s->answers.n = 0;
	s->fresh = 1;
	run_new(r, s);
}

int
wfstate_load(struct req *r, const struct workflow *w, struct wf_state *s)
{
	const char *ttl = arena_printf(&r->arena, "%ld", WF_TTL_SECONDS);
	redisReply *rep;
	int place;

	memset(s, 0, sizeof(*s));
	s->w = w;
	s->owner = owner_of(r, w);
	s->key = arena_printf(&r->arena, "wf:%s:%s", w->name, s->owner);
	rep = kv_eval(&r->app->kv, &r->arena, &load_script, 1, 2,
	    (const char *[]){ s->key, ttl });
	if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3)
		return -1;
	if (rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_STRING ||
	    (place = wf_place(w, rep->element[0]->str)) < 0 ||
	    strlen(rep->element[1]->str) != WF_RUN_LEN ||
	    wf_answers_decode(&r->arena, rep->element[2]->type ==
	    REDIS_REPLY_STRING ? rep->element[2]->str : "", &s->answers) < 0) {
		state_fresh(r, s);
		s->corrupt = rep->element[0]->type == REDIS_REPLY_STRING;
		return 0;
	}
	s->place = place;
	s->run = arena_strdup(&r->arena, rep->element[1]->str);
	return 0;
}

int
wfstate_apply(struct req *r, struct wf_state *s, int to,
    const struct wf_answers *a)
{
	const char *enc = wf_answers_encode(&r->arena, a);
	redisReply *rep;

	/* A stored state that did not parse is replaced: drop it first. */
	if (s->corrupt && !kv(r, "DEL %s", s->key))
		return -1;
	rep = kv_eval(&r->app->kv, &r->arena, &cas_script, 1, 7,
	    (const char *[]){ s->key, s->w->places[s->place], s->run,
	    s->w->places[to], enc, arena_printf(&r->arena, "%ld",
	    WF_TTL_SECONDS), s->w->places[s->w->initial] });
	if (!rep || rep->type != REDIS_REPLY_INTEGER)
		return -1;
	if (rep->integer != 1)
		return 0;
	s->place = to;
	s->answers = *a;
	s->fresh = s->corrupt = 0;
	return 1;
}

int
wfstate_clear(struct req *r, struct wf_state *s)
{
	if (!kv(r, "DEL %s", s->key))
		return -1;
	state_fresh(r, s);
	return 0;
}
