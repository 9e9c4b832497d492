/*
 * mission_state: the states of a mission and their moderation.
 *
 *	POST /missions/{slug}/state           action submit|cancel|complete
 *	                                      (its managers)
 *	GET  /moderation/missions             the missions to moderate
 *	POST /moderation/missions/{slug}      action validate|report, reason
 *	                                      (referents of its département,
 *	                                      admins)
 *
 * Who may make which change is core/volstate.c's table (vs_mission),
 * read with the viewer's roles on *that* mission; the change is applied
 * by STMT_MIS_STATE, guarded by the state read (409 when it moved). In
 * the same transaction: the mails (managers on validation and report,
 * the département's referents on submission), and the applications a
 * cancelled or reported mission leaves open are cancelled (reason
 * mission_cancelled or mission_reported), those of a completed one
 * declined (mission_terminated), each volunteer mailed.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "features.h"
#include "missions.h"

#define REASON_MAX 1000

int
mission_of_route(struct req *r, struct vol_mission *m)
{
	int rc = vol_mission_find(r, r->params[0], m);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_mission_visible(m))
		return not_found(r);
	return 0;
}

/* Is this change made from the moderation route (else the managers')? */
static int
moderation_change(const struct vs_change *c)
{
	return (c->who & (VS_REFERENT | VS_ADMIN)) != 0;
}

void
mission_actions_view(struct req *r, struct view *v,
    const struct vol_mission *m)
{
	struct view_rows rows;
	const struct vs_change *c;

	view_rows_init(&rows, v);
	for (size_t i = 0; i < vs_mission.nchanges; i++) {
		const struct vs_change *ch = &vs_mission.changes[i];

		if (vs_find(&vs_mission, m->status, ch->name, m->roles &
		    ~VS_SYSTEM, &c) != VS_OK)
			continue;
		view_rows_add(&rows, 4, ch->name, ch->label,
		    arena_printf(&r->arena, moderation_change(ch) ?
		    "/moderation/missions/%s" : "/missions/%s/state", m->slug),
		    ch->reason ? "1" : "");
	}
	view_rows_set(v, "actions", &rows);
}

int
mission_mail_managers(struct req *r, const char *org_id, const char *title,
    const char *slug, const char *reason, const char *tpl,
    const char *subject)
{
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "mission", title);
	view_str(&v, "reason", reason ? reason : "");
	view_str(&v, "link", arena_printf(&r->arena, "%s/missions/%s",
	    r->cfg->base_url, slug));
	return vol_mail_people(r, STMT_VOL_MANAGERS, org_id, 0,
	    arena_printf(&r->arena, subject, title), tpl, &v, "first_name");
}

/* The département's referents about a submitted mission. */
static int
mail_referents(struct req *r, const struct vol_mission *m)
{
	struct view v;

	view_init(&v, &r->arena, 1);
	view_str(&v, "mission", m->title);
	view_str(&v, "organisation", m->org.name);
	view_str(&v, "link", arena_printf(&r->arena,
	    "%s/moderation/missions", r->cfg->base_url));
	return vol_mail_people(r, STMT_VOL_REFERENTS, m->org.departement, 0,
	    arena_printf(&r->arena, "Mission à valider : « %s »", m->title),
	    "mis_submitted", &v, "first_name");
}

/* Close the applications m leaves open (to, reason) and mail each
 * volunteer with tpl. 0, or -1. */
static int
close_applications(struct req *r, const struct vol_mission *m,
    const char *to, const char *reason, const char *tpl, const char *subject)
{
	PGresult *res = q(r, STMT_MIS_CLOSE_APPLICATIONS, m->id_str, to,
	    reason);

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		struct view v;

		view_init(&v, &r->arena, 1);
		view_str(&v, "first_name", db_str(res, i, MISCA_FIRST_NAME));
		view_str(&v, "mission", m->title);
		view_str(&v, "organisation", m->org.name);
		view_str(&v, "link", arena_printf(&r->arena, "%s/missions",
		    r->cfg->base_url));
		if (outbox_add(r, db_long(res, i, MISCA_USER_ID), db_str(res, i,
		    MISCA_EMAIL), arena_printf(&r->arena, subject, m->title), tpl,
		    &v) < 0)
			return -1;
	}
	return 0;
}

/* What follows a change, in its transaction. 0, or -1. */
static int
change_effects(struct req *r, const struct vol_mission *m,
    const struct vs_change *c, const char *reason)
{
	switch (c->to) {
	case MIS_PENDING:
		return mail_referents(r, m);
	case MIS_VALIDATED:
		return mission_mail_managers(r, m->org.id_str, m->title,
		    m->slug, NULL, "mis_validated", "Votre mission « %s » est "
		    "validée");
	case MIS_REPORTED:
		if (mission_mail_managers(r, m->org.id_str, m->title, m->slug,
		    reason, "mis_reported", "Votre mission « %s » a été "
		    "signalée") < 0)
			return -1;
		return close_applications(r, m, "cancelled", "mission_reported",
		    "mis_app_cancelled", "Mission annulée : « %s »");
	case MIS_CANCELLED:
		return close_applications(r, m, "cancelled", "mission_cancelled",
		    "mis_app_cancelled", "Mission annulée : « %s »");
	case MIS_COMPLETED:
		return close_applications(r, m, "refused", "mission_terminated",
		    MISSION_MAIL_TERMINATED, MISSION_TERMINATED_SUBJECT);
	default:
		return 0;
	}
}

static const char *const notices[MIS__MAX] = {
	[MIS_PENDING] = "La mission est envoyée pour validation.",
	[MIS_VALIDATED] = "La mission est validée.",
	[MIS_COMPLETED] = "La mission est terminée.",
	[MIS_REPORTED] = "La mission est signalée.",
	[MIS_CANCELLED] = "La mission est annulée.",
};

static const struct form_field state_fields[] = {
	{ "action", F_REQUIRED, .max = 20, .msg = {
	    [VALID_MISSING] = "Choisissez une action.",
	    [VALID_TOO_LONG] = "Cette action n'existe pas." } },
	{ "reason", F_MULTILINE, .max = REASON_MAX, .msg = {
	    [VALID_TOO_LONG] = "La raison doit comporter au plus 1000 "
		"caractères." } },
	{ NULL }
};

/* The confirmation page of a change with its form (a missing reason). */
static int
state_page(struct form *f, const struct vol_mission *m, int status)
{
	view_str(&f->v, "title", m->title);
	view_str(&f->v, "slug", m->slug);
	view_str(&f->v, "post_to", f->r->path);
	return form_render(f, status, "mission_state", m->title);
}

/*
 * A change of state posted on route kind moderation (1) or the
 * managers' (0). 303 to the mission with a notice; 400 (an action that
 * does not exist, or not of this route); 403 (not for this viewer);
 * 404; 409 (not from the mission's state, or it moved meanwhile); 422
 * (a report without its reason); 503.
 */
static int
mission_change(struct req *r, int moderation)
{
	struct vol_mission m;
	struct form f;
	const struct vs_change *c;
	enum vs_verdict verdict;
	const char *reason;
	PGresult *res;
	int rc;

	if ((rc = mission_of_route(r, &m)))
		return rc;
	form_init(&f, r, state_fields);
	if (form_read(&f))
		return state_page(&f, &m, 422);
	verdict = vs_find(&vs_mission, m.status, form_get(&f, "action"),
	    m.roles & ~VS_SYSTEM, &c);
	if (verdict == VS_UNKNOWN || (c && moderation_change(c) != moderation))
		return render_error(r, 400, vs_refusal(VS_UNKNOWN));
	if (verdict == VS_FORBIDDEN)
		return render_error(r, 403, vs_refusal(verdict));
	if (verdict == VS_NOT_NOW)
		return render_error(r, 409, vs_refusal(verdict));
	reason = form_get(&f, "reason");
	if (c->reason && !*reason) {
		form_error(&f, "reason", "Indiquez la raison : elle est "
		    "envoyée aux responsables de l'organisation.");
		return state_page(&f, &m, 422);
	}
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_MIS_STATE,
	    m.id_str, vs_mission.states[m.status], vs_mission.states[c->to],
	    c->reason ? reason : "")))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return render_error(r, 409, "La mission a changé d'état "
		    "entre-temps : rechargez la page.");
	}
	if (change_effects(r, &m, c, reason) < 0 ||
	    db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, notices[c->to]);
	return resp_redirect(r, arena_printf(&r->arena, "/missions/%s",
	    m.slug));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/* POST /missions/{slug}/state (logged in; action submit|cancel|complete):
 * as mission_change. */
int
mission_state_post(struct req *r)
{
	return mission_change(r, 0);
}

/* POST /moderation/missions/{slug} (logged in; action validate|report,
 * reason for a report): as mission_change. */
int
moderation_mission_post(struct req *r)
{
	return mission_change(r, 1);
}

/*
 * GET /moderation/missions (?status=pending|reported; logged in): the
 * missions to moderate, of the member's départements (referents) or all
 * (admins), oldest submission first. 200; 400 (another status); 403
 * (neither referent nor admin); 503.
 */
int
moderation_missions_get(struct req *r)
{
	const char *status = req_query(r, "status");
	int admin = (r->roles & ROLE_ADMIN) != 0;
	struct view v;
	struct view_rows rows;
	PGresult *res;

	if (!status || !*status)
		status = "pending";
	if (strcmp(status, "pending") && strcmp(status, "reported"))
		return render_error(r, 400, "Cet état n'existe pas.");
	if (!admin) {
		if (!(res = q(r, STMT_MIS_IS_REFERENT, r->user->id_str)))
			return unavailable(r);
		if (!db_bool(res, 0, VALUE))
			return render_error(r, 403, NULL);
	}
	if (!(res = q(r, STMT_MIS_MODERATION, r->user->id_str, admin ? "t" :
	    "f", status)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 6, db_str(res, i, MISMO_SLUG),
		    db_str(res, i, MISMO_TITLE), db_str(res, i, MISMO_ORG),
		    db_str(res, i, MISMO_DEPARTEMENT), db_str(res, i,
		    MISMO_SUBMITTED), vs_label(&vs_organisation, vs_state(
		    &vs_organisation, db_str(res, i, MISMO_ORG_STATUS))));
	view_rows_set(&v, "missions", &rows);
	view_int(&v, "has_missions", PQntuples(res) > 0);
	view_int(&v, "reported", !strcmp(status, "reported"));
	view_int(&v, "admin", admin);
	return render(r, 200, "moderation_missions", &v,
	    "Missions à modérer");
}
