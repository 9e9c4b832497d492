#include "../core/common.h"
#include "../core/log.h"
#include "session.h"

#include <time.h>

static struct user *
user_from_row(struct req *r, PGresult *res)
{
	struct user *u = arena_zalloc(&r->arena, sizeof(*u));

	u->id = db_long(res, 0, USER_ID);
	u->id_str = db_str(res, 0, USER_ID);
	u->email = db_str(res, 0, USER_EMAIL);
	u->role = db_str(res, 0, USER_ROLE);
	u->status = db_str(res, 0, USER_STATUS);
	u->first_name = db_str(res, 0, USER_FIRST_NAME);
	u->last_name = db_str(res, 0, USER_LAST_NAME);
	u->gender = db_str(res, 0, USER_GENDER);
	u->birth_date = db_str(res, 0, USER_BIRTH_DATE);
	u->phone = db_str(res, 0, USER_PHONE);
	u->street = db_str(res, 0, USER_STREET);
	u->postal_code = db_str(res, 0, USER_POSTAL_CODE);
	u->country = db_str(res, 0, USER_COUNTRY);
	u->city_insee = db_str(res, 0, USER_CITY_INSEE);
	u->city_name = db_str(res, 0, USER_CITY_NAME);
	u->created = db_str(res, 0, USER_CREATED);
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

	r->sid = "";
	r->user = NULL;
	r->roles = 0;
	if (!sid || !token_wellformed(sid, strlen(sid)))
		return 0;
	rep = kv(r, "HMGET sess:%s uid created mfa", sid);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 3 ||
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
	r->sid = arena_strdup(&r->arena, sid);
	r->user = user_from_row(r, res);
	r->roles = 0;
	if (!strcmp(r->user->role, "admin"))	/* issue 13: second factor */
		r->roles = rep->element[2]->type == REDIS_REPLY_STRING ?
		    ROLE_ADMIN : ROLE_ADMIN_PENDING;
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
	r->sid = arena_strdup(&r->arena, sid);
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
	r->sid = "";
	r->user = NULL;
	r->roles = 0;
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

/* ---- the back-office's second factor (issue 13, admin accounts) ----- */

int
session_second_factor(struct req *r)
{
	char sid[TOKEN_LEN + 1];
	redisReply *rep;
	const char *created;

	if (!r->sid[0] || !r->user)
		return -1;
	rep = kv(r, "HGET sess:%s created", r->sid);
	if (!rep || rep->type != REDIS_REPLY_STRING)
		return -1;
	created = arena_strdup(&r->arena, rep->str);
	token_new(sid);
	if (!kv(r, "HSET sess:%s uid %s created %s mfa 1", sid, r->user->id_str,
	    created) ||
	    !kv(r, "EXPIRE sess:%s %ld", sid, SESSION_IDLE_SECONDS) ||
	    !kv(r, "SADD usess:%s %s", r->user->id_str, sid) ||
	    !kv(r, "EXPIRE usess:%s %ld", r->user->id_str, SESSION_MAX_SECONDS))
		return -1;
	kv(r, "DEL sess:%s", r->sid);
	kv(r, "SREM usess:%s %s", r->user->id_str, r->sid);
	r->sid = arena_strdup(&r->arena, sid);
	r->roles = (r->roles & ~(unsigned)ROLE_ADMIN_PENDING) | ROLE_ADMIN;
	resp_cookie(r, "sid", sid, -1);
	return 0;
}
