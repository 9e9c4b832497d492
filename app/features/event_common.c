/*
 * event_common: finding an event and the viewer's right to manage it
 * (events.h).
 */
#include "../core/common.h"
#include "events.h"

int
event_find(struct req *r, const char *slug, struct event *e)
{
	const char *uid = r->user ? r->user->id_str : "0";
	PGresult *res = q(r, STMT_EVENT_FIND, slug, uid);

	memset(e, 0, sizeof(*e));
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	e->id_str = db_str(res, 0, EVENT_ID);
	e->id = strtol(e->id_str, NULL, 10);
	e->slug = db_str(res, 0, EVENT_SLUG);
	e->name = db_str(res, 0, EVENT_NAME);
	e->status = db_str(res, 0, EVENT_STATUS);
	e->past = db_bool(res, 0, EVENT_PAST);
	e->committee_id = db_long(res, 0, EVENT_COMMITTEE_ID);
	e->committee_slug = db_str(res, 0, EVENT_COMMITTEE_SLUG);
	e->role = committee_role_of(db_str(res, 0, EVENT_ROLE));
	e->admin = (r->roles & ROLE_ADMIN) != 0;
	e->organizer = r->user && r->user->id == db_long(res, 0,
	    EVENT_ORGANIZER_ID);
	if (e->committee_id && strcmp(db_str(res, 0, EVENT_COMMITTEE_STATUS),
	    "approved") && !e->admin)
		return 0;
	return 1;
}

int
event_can_manage(const struct event *e)
{
	return e->admin || e->organizer || e->role >= CR_HOST;
}

int
event_managed(struct req *r, struct event *e)
{
	int rc = event_find(r, r->params[0], e);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return 404;
	return event_can_manage(e) ? 0 : 403;
}
