#include "../core/common.h"
#include "../core/log.h"
#include "session.h"

#include <time.h>

static struct user *
user_from_row(struct req *r, PGresult *res)
{
	struct user *u = arena_zalloc(&r->arena, sizeof(*u));

	u->id = db_long(res, 0, 0);
	u->id_str = db_str(res, 0, 0);
	u->email = db_str(res, 0, 1);
	u->role = db_str(res, 0, 2);
	u->status = db_str(res, 0, 3);
	u->first_name = db_str(res, 0, 4);
	u->last_name = db_str(res, 0, 5);
	u->gender = db_str(res, 0, 6);
	u->birth_date = db_str(res, 0, 7);
	u->phone = db_str(res, 0, 8);
	u->street = db_str(res, 0, 9);
	u->postal_code = db_str(res, 0, 10);
	u->country = db_str(res, 0, 11);
	u->city_insee = db_str(res, 0, 12);
	u->city_name = db_str(res, 0, 13);
	u->created = db_str(res, 0, 14);
	return u;
}

static void
session_cookie_clear(struct req *r)
{
	resp_cookie(r, "sid", "", 0);
}

int
session_load(struct req *r)
{
	const char *sid = req_cookie(r, "sid");
	redisReply *rep;
	PGresult *res;
	long uid = 0, created = 0;

	r->sid[0] = '\0';
	r->user = NULL;
	if (!sid || !token_wellformed(sid, strlen(sid)))
		return 0;
	rep = kv(r, "HMGET sess:%s uid created", sid);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_STRING) {
		session_cookie_clear(r);	/* expired or unknown */
		return 0;
	}
	uid = strtol(rep->element[0]->str, NULL, 10);
	created = strtol(rep->element[1]->str, NULL, 10);
	if (uid <= 0 || time(NULL) - created > SESSION_MAX_SECONDS) {
		kv(r, "DEL sess:%s", sid);
		session_cookie_clear(r);
		return 0;
	}
	res = q(r, STMT_USER_BY_ID, arena_printf(&r->arena, "%ld", uid));
	if (!res)
		return -1;
	if (PQntuples(res) != 1) {
		kv(r, "DEL sess:%s", sid);
		session_cookie_clear(r);
		return 0;
	}
	if (!kv(r, "EXPIRE sess:%s %ld", sid, SESSION_IDLE_SECONDS))
		return -1;
	snprintf(r->sid, sizeof(r->sid), "%s", sid);
	r->user = user_from_row(r, res);
	return 0;
}

int
session_start(struct req *r, long uid)
{
	char sid[TOKEN_LEN + 1];
	char uidbuf[24], now[24];

	if (r->sid[0])
		kv(r, "DEL sess:%s", r->sid);
	token_new(sid);
	snprintf(uidbuf, sizeof(uidbuf), "%ld", uid);
	snprintf(now, sizeof(now), "%ld", (long)time(NULL));
	if (!kv(r, "HSET sess:%s uid %s created %s", sid, uidbuf, now) ||
	    !kv(r, "EXPIRE sess:%s %ld", sid, SESSION_IDLE_SECONDS) ||
	    !kv(r, "SADD usess:%s %s", uidbuf, sid) ||
	    !kv(r, "EXPIRE usess:%s %ld", uidbuf, SESSION_MAX_SECONDS))
		return -1;
	snprintf(r->sid, sizeof(r->sid), "%s", sid);
	resp_cookie(r, "sid", sid, -1);
	return 0;
}

void
session_end(struct req *r)
{
	if (r->sid[0]) {
		kv(r, "DEL sess:%s", r->sid);
		if (r->user)
			kv(r, "SREM usess:%s %s", r->user->id_str, r->sid);
	}
	r->sid[0] = '\0';
	r->user = NULL;
	session_cookie_clear(r);
}

int
sessions_revoke(struct req *r, long uid, int keep_current)
{
	redisReply *rep = kv(r, "SMEMBERS usess:%ld", uid);

	if (!rep)
		return -1;
	for (size_t i = 0; i < rep->elements; i++) {
		const char *s = rep->element[i]->str;

		if (!s || (keep_current && !strcmp(s, r->sid)))
			continue;
		kv(r, "DEL sess:%s", s);
		kv(r, "SREM usess:%ld %s", uid, s);
	}
	return 0;
}

/*
 * The token in a form is mask || (HMAC(cookie) XOR mask) with a fresh
 * random mask per response, so a compressed page never repeats the same
 * secret bytes (BREACH), while any of these tokens checks out.
 */
#define CSRF_RAW 32
#define CSRF_LEN 86	/* base64url of 64 bytes, no padding */

const char *
csrf_token(struct req *r)
{
	const char *c = req_cookie(r, "csrf");
	unsigned char mac[CSRF_RAW], both[2 * CSRF_RAW];
	char fresh[TOKEN_LEN + 1];
	char *tok;

	if (r->csrf)
		return r->csrf;
	if (!c || !token_wellformed(c, strlen(c))) {
		token_new(fresh);
		resp_cookie(r, "csrf", fresh, -1);
		c = fresh;
	}
	hmac_raw(r->app->cfg.secret, "csrf", c, mac);
	randombytes_buf(both, CSRF_RAW);
	for (int i = 0; i < CSRF_RAW; i++)
		both[CSRF_RAW + i] = mac[i] ^ both[i];
	tok = arena_alloc(&r->arena, CSRF_LEN + 1);
	sodium_bin2base64(tok, CSRF_LEN + 1, both, sizeof(both),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	r->csrf = tok;
	return tok;
}

int
csrf_valid(struct req *r)
{
	const char *c = req_cookie(r, "csrf"), *sent = req_form(r, "_csrf");
	unsigned char mac[CSRF_RAW], both[2 * CSRF_RAW];
	size_t n;

	if (!c || !sent || !token_wellformed(c, strlen(c)) ||
	    strlen(sent) != CSRF_LEN ||
	    sodium_base642bin(both, sizeof(both), sent, CSRF_LEN, NULL, &n,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n != sizeof(both))
		return 0;
	hmac_raw(r->app->cfg.secret, "csrf", c, mac);
	for (int i = 0; i < CSRF_RAW; i++)
		both[CSRF_RAW + i] ^= both[i];
	return sodium_memcmp(both + CSRF_RAW, mac, CSRF_RAW) == 0;
}

void
flash_set(struct req *r, const char *msg)
{
	if (r->sid[0])
		kv(r, "HSET sess:%s flash %s", r->sid, msg);
}

const char *
flash_take(struct req *r)
{
	redisReply *rep;

	if (!r->sid[0])
		return NULL;
	rep = kv(r, "HGET sess:%s flash", r->sid);
	if (!rep || rep->type != REDIS_REPLY_STRING)
		return NULL;
	kv(r, "HDEL sess:%s flash", r->sid);
	return arena_strdup(&r->arena, rep->str);
}
