/*
 * applications: the volunteer's side of issue 11 (applications.h):
 * applying to a mission (and its waiting list), the application's page
 * with its thread for both sides, the thread's messages, the changes of
 * state, and /account/missions.
 *
 * Authorisation: every handler finds its object with the viewer's roles
 * on *that* object (volunteer.h) and decides from them only; an object
 * the viewer may not see is a 404, whatever its id.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "applications.h"
#include "features.h"
#include "manage.h"
#include "volunteer.h"

/* -- reasons ------------------------------------------------------------- */

struct reason {
	const char *value, *label;
};

/* A manager refusing, and the volunteer cancelling; then the
 * platform's (no one picks them). */
static const struct reason refuse_reasons[] = {
	{ "requirements_not_fulfilled", "Les prérequis ne sont pas remplis" },
	{ "no_response", "Le ou la bénévole ne répond pas" },
	{ "mission_terminated", "La mission est terminée" },
	{ "other", "Autre raison" },
	{ NULL, NULL }
};
static const struct reason cancel_reasons[] = {
	{ "not_available", "Je ne suis plus disponible" },
	{ "no_response", "L'organisation ne m'a pas répondu" },
	{ "requirements_not_fulfilled", "Je ne remplis pas les prérequis" },
	{ "other", "Autre raison" },
	{ NULL, NULL }
};
static const struct reason platform_reasons[] = {
	{ "mission_cancelled", "La mission a été annulée" },
	{ "mission_reported", "La mission a été retirée par la modération" },
	{ "account_deleted", "Le compte a été supprimé" },
	{ NULL, NULL }
};

static const char *
reason_in(const struct reason *list, const char *value)
{
	for (; value && list->value; list++)
		if (!strcmp(list->value, value))
			return list->label;
	return NULL;
}

const char *
application_reason_label(const char *status, const char *reason)
{
	const char *s;

	if ((s = reason_in(platform_reasons, reason)) ||
	    (s = reason_in(!strcmp(status, "cancelled") ? cancel_reasons :
	    refuse_reasons, reason)))
		return s;
	return "";
}

/* The reasons a person may pick for change c ("refuse", "cancel"). */
static const struct reason *
reasons_of(const struct vs_change *c)
{
	return !strcmp(c->name, "refuse") ? refuse_reasons : cancel_reasons;
}

/* -- mails --------------------------------------------------------------- */

/* The values every mail of application id shows (text view). */
static PGresult *
mail_view(struct req *r, const char *id, struct view *v)
{
	PGresult *res = q(r, STMT_APP_MAIL, id);

	if (!res || PQntuples(res) != 1)
		return NULL;
	view_init(v, &r->arena, 1);
	view_str(v, "first_name", db_str(res, 0, AML_FIRST_NAME));
	view_str(v, "volunteer", db_str(res, 0, AML_VOL_SHORT));
	view_str(v, "status", db_str(res, 0, AML_STATUS));
	view_str(v, "status_label", vs_label(&vs_application, vs_state(
	    &vs_application, db_str(res, 0, AML_STATUS))));
	view_str(v, "reason", application_reason_label(db_str(res, 0,
	    AML_STATUS), db_str(res, 0, AML_REASON)));
	view_str(v, "title", db_str(res, 0, AML_MISSION_TITLE));
	view_str(v, "organisation", db_str(res, 0, AML_ORG_NAME));
	view_str(v, "slot", db_str(res, 0, AML_SLOT));
	view_str(v, "link", arena_printf(&r->arena, "%s/applications/%s",
	    r->app->cfg.base_url, id));
	view_str(v, "mission_link", arena_printf(&r->arena, "%s/missions/%s",
	    r->app->cfg.base_url, db_str(res, 0, AML_MISSION_SLUG)));
	return res;
}

static const char *
status_subject(const char *status, int promoted)
{
	if (promoted)
		return "Une place s'est libérée";
	if (!strcmp(status, "waiting"))
		return "Candidature envoyée";
	if (!strcmp(status, "queued"))
		return "Liste d'attente";
	if (!strcmp(status, "in_progress"))
		return "Candidature en cours de traitement";
	if (!strcmp(status, "validated"))
		return "Candidature validée";
	if (!strcmp(status, "refused"))
		return "Candidature non retenue";
	return "Candidature annulée";
}

/* Mail the volunteer of application id its current status (message:
 * the organisation's first reply, or NULL); promoted: "a place is
 * free". */
static int
mail_volunteer(struct req *r, const char *id, const char *message,
    int promoted)
{
	struct view v;
	PGresult *res = mail_view(r, id, &v);

	if (!res)
		return -1;
	view_int(&v, "promoted", promoted);
	view_str(&v, "message", message ? message : "");
	return outbox_add(r, db_long(res, 0, AML_USER_ID), db_str(res, 0,
	    AML_EMAIL), arena_printf(&r->arena, "%s : %s",
	    status_subject(db_str(res, 0, AML_STATUS), promoted),
	    db_str(res, 0, AML_MISSION_TITLE)), promoted ? "app_promoted" :
	    "app_status", &v);
}

int
application_mail_volunteer(struct req *r, const char *id, const char *message)
{
	return mail_volunteer(r, id, message, 0);
}

int
application_mail_managers(struct req *r, const char *id, const char *tpl,
    const char *subject_prefix, const char *message, long except_uid)
{
	struct view v;
	PGresult *res = mail_view(r, id, &v);

	if (!res)
		return -1;
	view_str(&v, "message", message ? message : "");
	return vol_mail_people(r, STMT_VOL_MANAGERS, db_str(res, 0,
	    AML_ORG_ID), except_uid, arena_printf(&r->arena, "%s : %s",
	    subject_prefix, db_str(res, 0, AML_MISSION_TITLE)), tpl, &v,
	    "manager");
}

int
application_mail_changes(struct req *r, const PGresult *res, int col_id,
    int col_promoted)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (mail_volunteer(r, db_str(res, i, col_id), NULL,
		    db_bool(res, i, col_promoted)) < 0)
			return -1;
	return 0;
}

/* -- applying ------------------------------------------------------------ */

static const struct form_field apply_fields[] = {
	{ "motivation", F_REQUIRED | F_MULTILINE, 20, 2000, .msg = {
	    [VALID_MISSING] = "Veuillez écrire votre message de motivation.",
	    [VALID_TOO_SHORT] = "Votre message doit comporter au moins 20 "
		"caractères.",
	    [VALID_TOO_LONG] = "Votre message doit comporter au plus 2 000 "
		"caractères." } },
	{ "slot", 0, 0, 20 },
	{ "waitlist", F_CHECKBOX },
	{ "prereq_1", F_CHECKBOX },
	{ "prereq_2", F_CHECKBOX },
	{ "prereq_3", F_CHECKBOX },
	{ NULL }
};

/* The mission of {slug} if r->user may apply to it now: 0 and *m, or
 * the status answered (404 not visible, 403 own organisation or not a
 * confirmed member, 409 not online, 503). */
static int
apply_mission(struct req *r, struct vol_mission *m)
{
	int rc = vol_mission_find(r, r->params[0], m);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_mission_visible(m))
		return 404;
	if (m->roles & VS_MANAGER)
		return message_page(r, 403, "Candidature impossible",
		    "Vous gérez l'organisation de cette mission : vous ne "
		    "pouvez pas y candidater.", arena_printf(&r->arena,
		    "/missions/%s", m->slug), "Retour à la mission");
	if (strcmp(r->user->status, "active") != 0)
		return message_page(r, 403, "Compte à confirmer",
		    "Confirmez d'abord votre adresse e-mail (le lien vous a "
		    "été envoyé à l'inscription) pour candidater.",
		    "/signup/resend", "Recevoir un nouveau lien");
	if (!m->online)
		return message_page(r, 409, "Candidatures fermées",
		    "Cette mission ne prend pas de candidature.",
		    arena_printf(&r->arena, "/missions/%s", m->slug),
		    "Retour à la mission");
	return 0;
}

/* The form page: the mission, its slots and prerequisites; offer: the
 * mission (or the chosen slot) is full, the waiting list is proposed. */
static int
apply_page(struct form *f, const struct vol_mission *m, int status, int offer)
{
	struct req *r = f->r;
	PGresult *info = q(r, STMT_APP_MISSION, m->id_str);
	PGresult *pre = q(r, STMT_APP_PREREQS, m->id_str);
	PGresult *slots = q(r, STMT_APP_SLOTS, m->id_str);
	struct view_rows rows;
	const char *chosen = form_get(f, "slot");
	int full, any_free = 0;

	if (!info || !pre || !slots || PQntuples(info) != 1)
		return unavailable(r);
	if (db_bool(info, 0, AM_ENDED))
		return message_page(r, 409, "Candidatures fermées",
		    "Cette mission est terminée : elle ne prend plus de "
		    "candidature.", arena_printf(&r->arena, "/missions/%s",
		    m->slug), "Retour à la mission");
	full = db_long(info, 0, AM_PLACES_LEFT) <= 0;
	view_str(&f->v, "slug", m->slug);
	view_str(&f->v, "title", m->title);
	view_str(&f->v, "organisation", db_str(info, 0, AM_ORG_NAME));
	view_str(&f->v, "when", db_str(info, 0, AM_WHEN));
	view_int(&f->v, "left", db_long(info, 0, AM_PLACES_LEFT));
	view_int(&f->v, "places", m->places);
	view_int(&f->v, "min_age", m->min_age);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(slots); i++) {
		long left = db_long(slots, i, AS_LEFT);

		any_free |= left > 0;
		view_rows_add(&rows, 4, db_str(slots, i, AS_ID),
		    db_str(slots, i, AS_LABEL), left > 0 ?
		    arena_printf(&r->arena, "%ld place%s", left, left > 1 ?
		    "s" : "") : "complet, liste d'attente",
		    !strcmp(chosen, db_str(slots, i, AS_ID)) ? "1" : "");
	}
	view_rows_set(&f->v, "slots", &rows);
	view_int(&f->v, "has_slots", PQntuples(slots) > 0);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(pre); i++) {
		const char *name = arena_printf(&r->arena, "prereq_%s",
		    db_str(pre, i, AP_N));

		view_rows_add(&rows, 4, name, db_str(pre, i, AP_TEXT),
		    *form_get(f, name) ? "1" : "",
		    form_has_error(f, name) ? "1" : "");
	}
	view_rows_set(&f->v, "prereqs", &rows);
	view_int(&f->v, "full", full || (PQntuples(slots) > 0 && !any_free));
	view_int(&f->v, "offer", offer);
	return form_render(f, status, "apply", arena_printf(&r->arena,
	    "Candidater : %s", m->title));
}

/*
 * GET /missions/{slug}/apply: the application form (a confirmed member,
 * not a manager of the mission's organisation); a full mission offers
 * its waiting list. 200; 303 to login; 403; 404; 409 not online; 503.
 */
int
apply_get(struct req *r)
{
	struct vol_mission m;
	struct form f;
	int rc;

	if ((rc = apply_mission(r, &m)))
		return rc;
	form_init(&f, r, apply_fields);
	return apply_page(&f, &m, 200, 0);
}

/* The prerequisites each confirmed, the slot chosen when there are
 * slots: errors into f. The slot's id is *slot (NULL: none). */
static int
apply_check(struct req *r, struct form *f, const struct vol_mission *m,
    const char **slot)
{
	PGresult *pre = q(r, STMT_APP_PREREQS, m->id_str);
	const char *s = form_get(f, "slot");
	long id;

	if (!pre)
		return -1;
	for (int i = 0; i < PQntuples(pre); i++) {
		const char *name = arena_printf(&r->arena, "prereq_%s",
		    db_str(pre, i, AP_N));

		if (!*form_get(f, name))
			form_error(f, name, "Veuillez confirmer ce prérequis.");
	}
	*slot = NULL;
	if (!m->has_slots)
		return 0;
	if (parse_long(s, 1, LONG_MAX, &id) < 0)
		form_error(f, "slot", "Veuillez choisir un créneau.");
	else
		*slot = s;
	return 0;
}

/* What application_apply() refused, answered. */
static int
apply_refused(struct req *r, struct form *f, const struct vol_mission *m,
    const char *why)
{
	const char *back = arena_printf(&r->arena, "/missions/%s", m->slug);

	if (!strcmp(why, "full")) {
		view_str(&f->v, "banner", "Il n'y a plus de place : vous "
		    "pouvez rejoindre la liste d'attente, et vous serez "
		    "prévenu(e) par e-mail dès qu'une place se libère.");
		return apply_page(f, m, 409, 1);
	}
	if (!strcmp(why, "slot")) {
		form_error(f, "slot", "Ce créneau n'existe pas pour cette "
		    "mission.");
		return apply_page(f, m, 422, 0);
	}
	if (!strcmp(why, "duplicate"))
		return message_page(r, 409, "Candidature déjà envoyée",
		    "Vous avez déjà une candidature en cours pour cette "
		    "mission.", "/account/missions", "Voir mes missions");
	if (!strcmp(why, "own"))
		return message_page(r, 403, "Candidature impossible",
		    "Vous gérez l'organisation de cette mission : vous ne "
		    "pouvez pas y candidater.", back, "Retour à la mission");
	if (!strcmp(why, "too_young"))
		return message_page(r, 403, "Candidature impossible",
		    arena_printf(&r->arena, "Cette mission est ouverte à "
		    "partir de %ld ans.", m->min_age), back,
		    "Retour à la mission");
	return message_page(r, 409, "Candidatures fermées", "Cette mission "
	    "ne prend plus de candidature.", back, "Retour à la mission");
}

/*
 * POST /missions/{slug}/apply: motivation (20 to 2,000 characters), slot
 * (when the mission has slots), prereq_N (each prerequisite confirmed),
 * waitlist (accept the waiting list when full). One call of
 * application_apply() decides; the volunteer and the managers are
 * mailed in its transaction. 303 to the application; 422 (a field);
 * 409 full without waitlist (the form offers it), a second active
 * application, not online; 403 own organisation, too young,
 * unconfirmed; 404; 503.
 */
int
apply_post(struct req *r)
{
	struct vol_mission m;
	struct form f;
	const char *slot, *status, *id;
	PGresult *res;
	int rc;

	if ((rc = apply_mission(r, &m)))
		return rc;
	form_init(&f, r, apply_fields);
	form_read(&f);
	if (apply_check(r, &f, &m, &slot) < 0)
		return unavailable(r);
	if (f.errors)
		return apply_page(&f, &m, 422, 0);
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_APP_APPLY,
	    m.id_str, r->user->id_str, slot, form_get(&f, "motivation"),
	    *form_get(&f, "waitlist") ? "true" : "false")))
		goto fail;
	status = db_str(res, 0, AA_STATUS);
	id = db_str(res, 0, AA_ID);
	if (!strcmp(id, "0")) {
		db_rollback(&r->app->db);
		return apply_refused(r, &f, &m, status);
	}
	if (mail_volunteer(r, id, NULL, 0) < 0 ||
	    (!strcmp(status, "waiting") && application_mail_managers(r, id,
	    "app_new", "Nouvelle candidature", form_get(&f, "motivation"),
	    0) < 0) || db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, !strcmp(status, "queued") ? "La mission est complète : "
	    "vous êtes sur la liste d'attente. Vous serez prévenu(e) par "
	    "e-mail dès qu'une place se libère." : "Votre candidature est "
	    "envoyée. L'organisation va vous répondre ici.");
	return resp_redirect(r, arena_printf(&r->arena, "/applications/%s",
	    id));
fail:
	db_rollback(&r->app->db);
	view_str(&f.v, "banner", "Le service est momentanément indisponible : "
	    "votre candidature n'a pas été envoyée. Réessayez dans un "
	    "instant.");
	unavailable(r);
	return apply_page(&f, &m, 503, 0);
}

/* -- an application and its thread -------------------------------------- */

static const struct form_field message_fields[] = {
	{ "body", F_REQUIRED | F_MULTILINE, 1, 5000, .msg = {
	    [VALID_MISSING] = "Veuillez écrire votre message.",
	    [VALID_TOO_LONG] = "Le message doit comporter au plus 5 000 "
		"caractères." } },
	{ NULL }
};

static const struct form_field state_fields[] = {
	{ "action", F_REQUIRED, 1, 40 },
	{ "reason", 0, 0, 40 },
	{ NULL }
};

/* The application of the route's {id} if r->user may see it: 0 and *a,
 * or the status (404, 503). */
static int
application_of_route(struct req *r, struct vol_application *a)
{
	int rc = vol_application_find(r, r->params[0], a);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_application_visible(a))
		return 404;
	return 0;
}

/* The roles a person acts with (never the platform's). */
static unsigned
acting(const struct vol_application *a)
{
	return a->roles & ~(unsigned)VS_SYSTEM;
}

/* The changes r->user may make now, as forms (rows: action, label,
 * takes a reason) and the reasons of the one that takes one. */
static void
view_actions(struct form *f, const struct vol_application *a)
{
	struct view_rows rows, why;
	const struct vs_change *c, *reasoned = NULL;

	view_rows_init(&rows, &f->v);
	for (size_t i = 0; i < vs_application.nchanges; i++) {
		const struct vs_change *ch = &vs_application.changes[i];

		if (!*ch->label || vs_find(&vs_application, a->status,
		    ch->name, acting(a), &c) != VS_OK)
			continue;
		if (c->reason)
			reasoned = c;
		view_rows_add(&rows, 3, c->name, c->label, c->reason ? "1" : "");
	}
	view_rows_set(&f->v, "actions", &rows);
	view_rows_init(&why, &f->v);
	if (reasoned)
		for (const struct reason *p = reasons_of(reasoned); p->value;
		    p++)
			view_rows_add(&why, 3, p->value, p->label,
			    !strcmp(form_get(f, "reason"), p->value) ?
			    "1" : "");
	view_rows_set(&f->v, "reasons", &why);
}

static int
application_page(struct form *f, const struct vol_application *a,
    int status)
{
	struct req *r = f->r;
	PGresult *p = q(r, STMT_APP_PAGE, a->id_str);
	PGresult *msgs = q(r, STMT_APP_MESSAGES, a->id_str);
	const char *flash = flash_take(r);
	struct view_rows rows;
	int manager = (a->roles & (VS_MANAGER | VS_ADMIN | VS_REFERENT)) &&
	    !(a->roles & VS_VOLUNTEER);

	if (!p || !msgs || PQntuples(p) != 1)
		return unavailable(r);
	view_str(&f->v, "id", a->id_str);
	view_str(&f->v, "notice", flash ? flash : "");
	view_str(&f->v, "mission_slug", a->mission_slug);
	view_str(&f->v, "mission_title", a->mission_title);
	view_str(&f->v, "organisation", a->org.name);
	view_str(&f->v, "org_slug", db_str(p, 0, APG_ORG_SLUG));
	view_str(&f->v, "status", a->status_name);
	view_str(&f->v, "status_label", vs_label(&vs_application, a->status));
	view_str(&f->v, "reason", application_reason_label(
	    a->status_name, db_str(p, 0, APG_REASON)));
	view_str(&f->v, "motivation", db_str(p, 0, APG_MOTIVATION));
	view_str(&f->v, "created", db_str(p, 0, APG_CREATED));
	view_str(&f->v, "status_at", db_str(p, 0, APG_STATUS_AT));
	view_str(&f->v, "slot", db_str(p, 0, APG_SLOT));
	view_str(&f->v, "volunteer", manage_short_name(r, db_str(p, 0,
	    APG_FIRST_NAME), db_str(p, 0, APG_INITIAL)));
	view_int(&f->v, "manager", manager);
	view_int(&f->v, "can_write", (a->roles & (VS_VOLUNTEER |
	    VS_MANAGER)) != 0);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(msgs); i++) {
		int org = !strcmp(db_str(msgs, i, AMS_SIDE), "organisation");
		const char *who = *db_str(msgs, i, AMS_FIRST_NAME) ?
		    manage_short_name(r, db_str(msgs, i, AMS_FIRST_NAME),
		    db_str(msgs, i, AMS_INITIAL)) : "Compte supprimé";

		view_rows_add(&rows, 4, org ? arena_printf(&r->arena,
		    "%s (%s)", who, a->org.name) : who,
		    org ? "organisation" : "volunteer",
		    db_str(msgs, i, AMS_BODY), db_str(msgs, i, AMS_CREATED));
	}
	view_rows_set(&f->v, "messages", &rows);
	view_int(&f->v, "nmessages", PQntuples(msgs));
	view_actions(f, a);
	return form_render(f, status, "application", arena_printf(&r->arena,
	    "Candidature : %s", a->mission_title));
}

/*
 * GET /applications/{id}: the application, its thread and what the
 * viewer may do (its volunteer, the organisation's managers; referents
 * of its département and admins read). 200; 303 to login; 404 (unknown,
 * or not theirs); 503.
 */
int
application_get(struct req *r)
{
	struct vol_application a;
	struct form f;
	int rc;

	if ((rc = application_of_route(r, &a)))
		return rc;
	form_init(&f, r, message_fields);
	form_also(&f, state_fields);
	return application_page(&f, &a, 200);
}

/* After a message of `side`: the organisation's first reply puts a
 * waiting application in progress (mailed with the message); otherwise
 * the other side is mailed, at most once an hour per thread and side. */
static int
message_mails(struct req *r, const struct vol_application *a, int org,
    const char *body)
{
	PGresult *res, *mark;

	if (org && a->status == APP_WAITING &&
	    vs_allowed(&vs_application, APP_WAITING, APP_IN_PROGRESS,
	    VS_SYSTEM)) {
		if (!(res = q(r, STMT_APP_CHANGE, a->id_str, "waiting",
		    "in_progress", NULL)))
			return -1;
		if (PQntuples(res) > 0) {
			/* The hour of the volunteer's thread mail starts. */
			if (!q(r, STMT_APP_THREAD_MARK, a->id_str, "volunteer"))
				return -1;
			return mail_volunteer(r, a->id_str, body, 0);
		}
	}
	if (!(mark = q(r, STMT_APP_THREAD_MARK, a->id_str, org ? "volunteer" :
	    "organisation")))
		return -1;
	if (PQntuples(mark) == 0)
		return 0;
	if (org) {
		struct view v;
		PGresult *m = mail_view(r, a->id_str, &v);

		if (!m)
			return -1;
		view_str(&v, "author", a->org.name);
		view_str(&v, "message", body);
		view_str(&v, "to", db_str(m, 0, AML_FIRST_NAME));
		return outbox_add(r, db_long(m, 0, AML_USER_ID), db_str(m, 0,
		    AML_EMAIL), arena_printf(&r->arena, "Nouveau message : %s",
		    a->mission_title), "app_message", &v);
	}
	return application_mail_managers(r, a->id_str, "app_message_org",
	    "Nouveau message d'un bénévole", body, r->user->id);
}

/*
 * POST /applications/{id}/messages: body (1 to 5,000 characters), by
 * the volunteer or a manager of the organisation. The first reply of the
 * organisation puts a waiting application in progress. 303 to the
 * thread; 422 (the page, the message as typed); 403 (a referent or an
 * admin: they read only); 404; 503.
 */
int
application_message_post(struct req *r)
{
	struct vol_application a;
	struct form f;
	int rc, org;

	if ((rc = application_of_route(r, &a)))
		return rc;
	if (!(a.roles & (VS_VOLUNTEER | VS_MANAGER)))
		return 403;
	org = !(a.roles & VS_VOLUNTEER);
	form_init(&f, r, message_fields);
	form_also(&f, state_fields);
	if (form_read(&f))
		return application_page(&f, &a, 422);
	if (db_begin(&r->app->db) < 0 || !q(r, STMT_APP_MESSAGE_ADD, a.id_str,
	    r->user->id_str, org ? "organisation" : "volunteer",
	    form_get(&f, "body")) || message_mails(r, &a, org,
	    form_get(&f, "body")) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, "Message envoyé.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/applications/%s#messages", a.id_str));
}

/*
 * POST /applications/{id}/state: action (a change of core/volstate's
 * table the viewer's roles allow from the current status), reason (for
 * refuse and cancel, from their list). One compare-and-set
 * (application_change) applies it and promotes the waiting list when a
 * place is freed; the volunteer (and, for a cancel, the managers; each
 * promoted volunteer) are mailed in its transaction. 303 to the page;
 * 400 unknown action; 403 not for these roles; 409 not from this status,
 * or changed meanwhile; 422 reason missing or not in the list; 404; 503.
 */
int
application_state_post(struct req *r)
{
	const struct vs_change *c;
	struct vol_application a;
	enum vs_verdict v;
	struct form f;
	const char *reason = NULL;
	PGresult *res;
	int rc;

	if ((rc = application_of_route(r, &a)))
		return rc;
	form_init(&f, r, state_fields);
	form_also(&f, message_fields);
	form_read(&f);
	v = vs_find(&vs_application, a.status, form_get(&f, "action"),
	    acting(&a), &c);
	if (v != VS_OK) {
		const char *back = arena_printf(&r->arena, "/applications/%s",
		    a.id_str);

		return message_page(r, v == VS_UNKNOWN ? 400 : v == VS_NOT_NOW ?
		    409 : 403, "Action impossible", vs_refusal(v), back,
		    "Retour à la candidature");
	}
	if (c->reason && !reason_in(reasons_of(c), reason =
	    form_get(&f, "reason"))) {
		form_error(&f, "reason", "Veuillez choisir une raison dans la "
		    "liste.");
		return application_page(&f, &a, 422);
	}
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_APP_CHANGE,
	    a.id_str, a.status_name, vs_application.states[c->to], reason)))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return message_page(r, 409, "Candidature déjà modifiée",
		    "Cette candidature a changé entre-temps : rechargez la page "
		    "pour voir son état.", arena_printf(&r->arena,
		    "/applications/%s", a.id_str), "Recharger");
	}
	if (application_mail_changes(r, res, APC_ID, APC_PROMOTED) < 0 ||
	    (c->to == APP_CANCELLED && application_mail_managers(r, a.id_str,
	    "app_cancelled", "Candidature annulée par le bénévole", NULL,
	    0) < 0) || db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, "Candidature : %s.",
	    vs_label(&vs_application, c->to)));
	return resp_redirect(r, arena_printf(&r->arena, "/applications/%s",
	    a.id_str));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/*
 * GET /account/missions: the member's applications, newest first, with
 * their status and a link to each thread. 200; 303 to login; 503.
 */
int
account_missions_get(struct req *r)
{
	PGresult *res = q(r, STMT_APP_ACCOUNT, r->user->id_str);
	const char *flash = flash_take(r);
	struct view_rows rows;
	struct view v;

	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "notice", flash ? flash : "");
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *reason = application_reason_label(db_str(res, i,
		    AMI_STATUS), db_str(res, i, AMI_REASON));

		view_rows_add(&rows, 8, db_str(res, i, AMI_ID),
		    db_str(res, i, AMI_MISSION_SLUG),
		    db_str(res, i, AMI_MISSION_TITLE),
		    db_str(res, i, AMI_ORG_NAME),
		    vs_label(&vs_application, vs_state(&vs_application,
		    db_str(res, i, AMI_STATUS))), reason,
		    db_str(res, i, AMI_CREATED), db_str(res, i, AMI_SLOT));
	}
	view_rows_set(&v, "applications", &rows);
	view_int(&v, "n", PQntuples(res));
	return render(r, 200, "account_missions", &v, "Mes missions");
}
