/*
 * session: logged-in state in Redis, CSRF tokens, one-shot notices.
 *
 * A session is the Redis hash "sess:<id>" (uid, created, and mfa once an
 * admin passed the second factor: issue 13) with an idle TTL;
 * the id is 256 random bits (libsodium) in an HttpOnly, SameSite=Lax cookie,
 * Secure when BASE_URL is https. Expiry is enforced by Redis (idle) and by
 * C (absolute age). A new id is issued at every login. "usess:<uid>" lists a
 * member's sessions so a password change or deletion can end them all.
 *
 * The session hook (session_load) runs before the handlers of routes that
 * ask for it; CSRF lives in csrf.h.
 */
#ifndef CIVITAS_SESSION_H
#define CIVITAS_SESSION_H

#include "app.h"

#define SESSION_IDLE_SECONDS (14L * 24 * 3600)
#define SESSION_MAX_SECONDS (30L * 24 * 3600)

/* The member of a session (r->user), loaded with it; every string in the
 * request's arena. */
struct user {
	long id;
	const char *id_str;
	const char *email;
	const char *role;
	const char *status;
	const char *first_name;
	const char *last_name;
	const char *gender;
	const char *birth_date;
	const char *phone;
	const char *street;
	const char *postal_code;
	const char *country;
	const char *city_insee;
	const char *city_name;
	const char *created;
};

/* The worker's session hook: r->sid, r->user and r->roles from the
 * cookie. 0 ok (maybe anonymous), -1 when Redis or PostgreSQL is
 * unavailable. */
int session_load(struct req *r);
int session_start(struct req *r, long uid);
void session_end(struct req *r);
/* End every session of uid except the current one (when keep is set). */
int sessions_revoke(struct req *r, long uid, int keep_current);

/*
 * issue 13, admin accounts: the session passed the back-office's second
 * factor. It goes on under a new id (session fixation: an id planted
 * before the second factor is worth nothing after it), with the same
 * creation time (the absolute expiry stands) and the mark "mfa" that
 * session_load turns into ROLE_ADMIN. 0, or -1 (Redis).
 */
int session_second_factor(struct req *r);

/* A message for the next page of a logged-in member. */
void flash_set(struct req *r, const char *msg);
const char *flash_take(struct req *r);

#endif
