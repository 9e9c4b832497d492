/*
 * volunteer: the object of a route and the viewer's roles on it
 * (volunteer.h).
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "../infra/session.h"
#include "volunteer.h"

static const char *
viewer(const struct req *r)
{
	return r->user ? r->user->id_str : "0";
}

/* The organisation's columns, the same first ten of every shape. */
static void
org_read(const struct req *r, PGresult *res, struct vol_org *o)
{
	o->id_str = db_str(res, 0, VORG_ID);
	o->id = strtol(o->id_str, NULL, 10);
	o->uuid = db_str(res, 0, VORG_UUID);
	o->slug = db_str(res, 0, VORG_SLUG);
	o->name = db_str(res, 0, VORG_NAME);
	o->status_name = db_str(res, 0, VORG_STATUS);
	o->status = vs_state(&vs_organisation, o->status_name);
	o->departement = db_str(res, 0, VORG_DEPARTEMENT);
	o->legal_kind = db_str(res, 0, VORG_LEGAL_KIND);
	o->created_by = db_long(res, 0, VORG_CREATED_BY);
	o->roles = 0;
	if (db_bool(res, 0, VORG_MANAGER))
		o->roles |= VS_MANAGER;
	if (db_bool(res, 0, VORG_REFERENT))
		o->roles |= VS_REFERENT;
	if (r->roles & ROLE_ADMIN)
		o->roles |= VS_ADMIN;
}

int
vol_org_find(struct req *r, const char *key, struct vol_org *o)
{
	PGresult *res = q(r, STMT_VOL_ORG, key, viewer(r));

	memset(o, 0, sizeof(*o));
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	org_read(r, res, o);
	return 1;
}

int
vol_mission_find(struct req *r, const char *slug, struct vol_mission *m)
{
	PGresult *res = q(r, STMT_VOL_MISSION, slug, viewer(r));

	memset(m, 0, sizeof(*m));
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	org_read(r, res, &m->org);
	m->id_str = db_str(res, 0, VMIS_ID);
	m->id = strtol(m->id_str, NULL, 10);
	m->uuid = db_str(res, 0, VMIS_UUID);
	m->slug = db_str(res, 0, VMIS_SLUG);
	m->title = db_str(res, 0, VMIS_TITLE);
	m->status_name = db_str(res, 0, VMIS_STATUS);
	m->status = vs_state(&vs_mission, m->status_name);
	m->online = db_bool(res, 0, VMIS_ONLINE);
	m->remote = db_bool(res, 0, VMIS_REMOTE);
	m->has_slots = db_bool(res, 0, VMIS_HAS_SLOTS);
	m->places = db_long(res, 0, VMIS_PLACES);
	m->places_taken = db_long(res, 0, VMIS_PLACES_TAKEN);
	m->min_age = db_long(res, 0, VMIS_MIN_AGE);
	m->roles = m->org.roles;
	return 1;
}

int
vol_application_find(struct req *r, const char *id, struct vol_application *a)
{
	PGresult *res = q(r, STMT_VOL_APPLICATION, id, viewer(r));

	memset(a, 0, sizeof(*a));
	if (!res)
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	org_read(r, res, &a->org);
	a->mission_id_str = db_str(res, 0, VAPP_MISSION_ID);
	a->mission_id = strtol(a->mission_id_str, NULL, 10);
	a->mission_slug = db_str(res, 0, VAPP_MISSION_SLUG);
	a->mission_title = db_str(res, 0, VAPP_MISSION_TITLE);
	a->id_str = db_str(res, 0, VAPP_ID);
	a->id = strtol(a->id_str, NULL, 10);
	a->user_id = db_long(res, 0, VAPP_USER_ID);
	a->status_name = db_str(res, 0, VAPP_STATUS);
	a->status = vs_state(&vs_application, a->status_name);
	a->slot_id = db_long(res, 0, VAPP_SLOT_ID);
	a->roles = a->org.roles;
	if (r->user && r->user->id == a->user_id)
		a->roles |= VS_VOLUNTEER;
	return 1;
}

int
vol_org_visible(const struct vol_org *o)
{
	return o->status == ORG_VALIDATED ||
	    (o->roles & (VS_MANAGER | VS_REFERENT | VS_ADMIN));
}

int
vol_mission_visible(const struct vol_mission *m)
{
	return m->online ||
	    (m->roles & (VS_MANAGER | VS_REFERENT | VS_ADMIN));
}

int
vol_application_visible(const struct vol_application *a)
{
	return (a->roles & (VS_VOLUNTEER | VS_MANAGER | VS_REFERENT |
	    VS_ADMIN)) != 0;
}

int
vol_mail_people(struct req *r, enum stmt s, const char *arg, long skip,
    const char *subject, const char *tpl, struct view *v,
    const char *name_var)
{
	PGresult *res = q(r, s, arg);

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		if (db_long(res, i, VP_ID) == skip)
			continue;
		view_str(v, name_var, db_str(res, i, VP_FIRST_NAME));
		if (outbox_add(r, db_long(res, i, VP_ID), db_str(res, i,
		    VP_EMAIL), subject, tpl, v) < 0)
			return -1;
	}
	return 0;
}
