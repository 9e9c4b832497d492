/*
 * volunteer: what the organisation, mission and application pages of
 * issue 11 share: finding the object of a route and the viewer's roles
 * on *that* object (core/volstate.h: VS_MANAGER of its organisation,
 * VS_REFERENT of its département, VS_ADMIN, VS_VOLUNTEER of the
 * application). Every handler authorises from these roles, never from a
 * form field.
 */
#ifndef CIVITAS_VOLUNTEER_H
#define CIVITAS_VOLUNTEER_H

#include "../core/volstate.h"
#include "../infra/app.h"

struct vol_org {
	long id;
	const char *id_str, *uuid, *slug, *name, *departement, *legal_kind;
	const char *status_name;
	int status;		/* ORG_* */
	long created_by;
	unsigned roles;		/* VS_MANAGER | VS_REFERENT | VS_ADMIN */
};

struct vol_mission {
	struct vol_org org;
	long id;
	const char *id_str, *uuid, *slug, *title, *status_name;
	int status;		/* MIS_* */
	int online, remote, has_slots;
	long places, places_taken, min_age;
	unsigned roles;		/* the organisation's */
};

struct vol_application {
	struct vol_org org;
	long mission_id;
	const char *mission_id_str, *mission_slug, *mission_title;
	long id, user_id, slot_id;
	const char *id_str, *status_name;
	int status;		/* APP_* */
	unsigned roles;		/* the organisation's, | VS_VOLUNTEER */
};

/* The object named by key (a slug; an organisation also by id, an
 * application by id only), with r->user's roles. 1 found, 0 not found,
 * -1 PostgreSQL unavailable. Found is not allowed: the caller checks
 * the roles (and that a draft or a mission offline is shown only to
 * those who may see it: vol_*_visible). */
int vol_org_find(struct req *r, const char *key, struct vol_org *o);
int vol_mission_find(struct req *r, const char *slug, struct vol_mission *m);
int vol_application_find(struct req *r, const char *id,
    struct vol_application *a);

/* May r->user see it at all? A validated organisation and an online
 * mission are public; otherwise its managers, the referents of its
 * département and admins. An application: its volunteer and the
 * organisation's managers (referents and admins read, never write). */
int vol_org_visible(const struct vol_org *o);
int vol_mission_visible(const struct vol_mission *m);
int vol_application_visible(const struct vol_application *a);

/* Mail each person of STMT_VOL_MANAGERS or STMT_VOL_REFERENTS (arg: the
 * organisation's id, the département) with tpl, except member `skip` (0:
 * nobody). v holds the values the mail shows; `name_var` ("first_name",
 * "manager") is set to each person's first name in turn. The subject is
 * the same for all. 0, or -1 (the caller rolls back). */
int vol_mail_people(struct req *r, enum stmt s, const char *arg, long skip,
    const char *subject, const char *tpl, struct view *v,
    const char *name_var);

#endif
