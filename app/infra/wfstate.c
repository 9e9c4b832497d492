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

/*
 * A forward step in one round trip: when the place is ARGV[1] (a missing
 * hash: the initial place ARGV[4], run ARGV[3]), merge the step's answers
 * ARGV[6] into the stored ones (same urlencoded names: the step's win),
 * move to ARGV[2] and return 1; else renew the TTL and return the state
 * as the load script does, for the caller to refuse with.
 */
static struct kv_script advance_script = { .body =
	"local cur = redis.call('HMGET', KEYS[1], 'place', 'run', 'answers') "
	"if (cur[1] or ARGV[4]) ~= ARGV[1] then "
	"  if cur[1] then redis.call('EXPIRE', KEYS[1], ARGV[5]) end "
	"  return cur "
	"end "
	"local kept, order, out = {}, {}, {} "
	"for _, s in ipairs({ cur[3] or '', ARGV[6] }) do "
	"  for pair in string.gmatch(s, '[^&]+') do "
	"    local k = string.match(pair, '^[^=]*') "
	"    if not kept[k] then order[#order + 1] = k end "
	"    kept[k] = pair "
	"  end "
	"end "
	"for i, k in ipairs(order) do out[i] = kept[k] end "
	"redis.call('HSET', KEYS[1], 'place', ARGV[2], 'run', cur[2] or ARGV[3], "
	"'answers', table.concat(out, '&')) "
	"redis.call('EXPIRE', KEYS[1], ARGV[5]) "
	"return 1" };

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

/* The key of w's state for this request's owner, in s (zeroed). */
static void
state_init(struct req *r, const struct workflow *w, struct wf_state *s)
{
	memset(s, 0, sizeof(*s));
	s->w = w;
	s->owner = owner_of(r, w);
	s->key = arena_printf(&r->arena, "wf:%s:%s", w->name, s->owner);
}

/* s from the HMGET place run answers of rep: 0, or -1 (not a reply of
 * that shape: Redis unavailable or refusing). */
static int
state_read(struct req *r, struct wf_state *s, const redisReply *rep)
{
	int place;

	if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 3)
		return -1;
	if (rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_STRING ||
	    (place = wf_place(s->w, rep->element[0]->str)) < 0 ||
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
wfstate_load(struct req *r, const struct workflow *w, struct wf_state *s)
{
	state_init(r, w, s);
	return state_read(r, s, kv_eval(&r->app->kv, &r->arena, &load_script,
	    1, KV_ARGV(s->key, arena_printf(&r->arena, "%ld",
	    WF_TTL_SECONDS))));
}

int
wfstate_advance(struct req *r, const struct workflow *w, int from, int to,
    const struct wf_answers *step, struct wf_state *s)
{
	redisReply *rep;

	state_init(r, w, s);
	run_new(r, s);
	rep = kv_eval(&r->app->kv, &r->arena, &advance_script, 1,
	    KV_ARGV(s->key, w->places[from], w->places[to], s->run,
	    w->places[w->initial], arena_printf(&r->arena, "%ld",
	    WF_TTL_SECONDS), wf_answers_encode(&r->arena, step)));
	if (rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1) {
		s->place = to;
		return 1;	/* s->answers: the step's only (not read) */
	}
	return state_read(r, s, rep) < 0 ? -1 : 0;
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
	rep = kv_eval(&r->app->kv, &r->arena, &cas_script, 1,
	    KV_ARGV(s->key, s->w->places[s->place], s->run,
	    s->w->places[to], enc, arena_printf(&r->arena, "%ld",
	    WF_TTL_SECONDS), s->w->places[s->w->initial]));
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
