/*
 * committees: what the committee pages, the host tools and the events of a
 * committee share: finding a committee and the viewer's role in it.
 *
 * Authorisation is per object and checked in C on every request: the
 * router only knows "logged in" (R_AUTH) and "admin" (R_ADMIN); whether
 * the member hosts *this* committee is read with the committee itself.
 */
#ifndef CIVITAS_COMMITTEES_H
#define CIVITAS_COMMITTEES_H

#include "features.h"

/* The member's role in a committee, in increasing power. */
enum committee_role {
	CR_NONE,		/* anonymous, or not a follower */
	CR_FOLLOWER,
	CR_HOST,		/* a co-host ("co-animateur") */
	CR_SUPERVISOR		/* the creator, once approved ("animateur") */
};

struct committee {
	long id;
	const char *id_str;
	const char *slug;
	const char *name;
	const char *status;	/* pending, approved, refused */
	enum committee_role role;	/* of r->user */
	int creator;		/* r->user created it */
	int admin;		/* r->user is an admin */
};

/* The committee of slug as r->user may see it (r->user may be NULL): an
 * approved committee for everyone, a pending or refused one for its
 * creator and admins only. 1 found, 0 not found (or not visible: answer
 * 404, never 403, so that its existence does not leak), -1 when
 * PostgreSQL is unavailable. */
int committee_find(struct req *r, const char *slug, struct committee *c);

/* A role as PostgreSQL stores it ('' for none). */
enum committee_role committee_role_of(const char *role);

/* Host tools: hosts, the supervisor, and admins. */
int committee_can_manage(const struct committee *c);
/* The committee of the route ({slug}, r->params[0]) that r->user may
 * manage: 0 (*c filled), else the status the handler answers: 404, 403,
 * or 503 (already answered). */
int committee_managed(struct req *r, struct committee *c);
/* Promote and demote co-hosts: the supervisor, and admins. */
int committee_can_supervise(const struct committee *c);

#endif
