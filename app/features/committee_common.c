/*
 * committee_common: finding a committee and the viewer's role in it
 * (committees.h).
 */
#include "../core/common.h"
#include "committees.h"

enum committee_role
committee_role_of(const char *role)
{
	if (!strcmp(role, "supervisor"))
		return CR_SUPERVISOR;
	if (!strcmp(role, "host"))
		return CR_HOST;
	if (!strcmp(role, "follower"))
		return CR_FOLLOWER;
	return CR_NONE;
}

int
committee_find(struct req *r, const char *slug, struct committee *c)
{
	const char *uid = r->user ? r->user->id_str : "0";
	PGresult *res = q(r, STMT_COMMITTEE_FIND, slug, uid);

	memset(c, 0, sizeof(*c));
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	c->id_str = db_str(res, 0, COMMITTEE_ID);
	c->id = strtol(c->id_str, NULL, 10);
	c->slug = db_str(res, 0, COMMITTEE_SLUG);
	c->name = db_str(res, 0, COMMITTEE_NAME);
	c->status = db_str(res, 0, COMMITTEE_STATUS);
	c->role = committee_role_of(db_str(res, 0, COMMITTEE_ROLE));
	c->admin = (r->roles & ROLE_ADMIN) != 0;
	c->creator = r->user && r->user->id == strtol(db_str(res, 0,
	    COMMITTEE_CREATED_BY), NULL, 10);
	if (strcmp(c->status, "approved") && !c->creator && !c->admin)
		return 0;
	return 1;
}

int
committee_can_manage(const struct committee *c)
{
	return c->admin || c->role >= CR_HOST;
}

int
committee_can_supervise(const struct committee *c)
{
	return c->admin || c->role == CR_SUPERVISOR;
}

int
committee_managed(struct req *r, struct committee *c)
{
	int rc = committee_find(r, r->params[0], c);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return 404;
	return committee_can_manage(c) ? 0 : 403;
}
