/*
 * organisation_moderation: referents (of the organisation's
 * département) and admins validate, refuse or report organisations.
 *
 *	GET      /moderation/organisations        referents and admins
 *	GET/POST /moderation/organisations/{id}   action, reason
 *
 * Which decision is allowed, from which state and for whom is the table
 * vs_organisation (core/volstate.c); the roles are the viewer's on *that*
 * organisation (features/volunteer.h), never a form field. A referent
 * who manages the organisation does not moderate it. The decision is one
 * UPDATE guarded by the state the request read: two referents deciding
 * at once, one wins and the other gets a 409. The managers are mailed in
 * the decision's transaction.
 */
#include "../core/common.h"
#include "../infra/form.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "features.h"
#include "media.h"
#include "organisations.h"

#define REASON_MAX 1000

static const char *const tabs[][2] = {
	{ "pending", "En attente" }, { "reported", "Signalées" },
	{ "validated", "Validées" }, { "refused", "Refusées" },
	{ NULL, NULL }
};

/* The roles that moderate: a referent who manages the organisation is
 * only its manager here (admins keep theirs). */
static unsigned
moderator_roles(const struct vol_org *o)
{
	unsigned who = o->roles & (VS_REFERENT | VS_ADMIN);

	if ((o->roles & VS_MANAGER) && !(o->roles & VS_ADMIN))
		who &= ~(unsigned)VS_REFERENT;
	return who;
}

/* May r->user moderate at all (an admin, or a referent somewhere)? 1,
 * 0, -1 (503). */
static int
is_moderator(struct req *r)
{
	PGresult *res;

	if (r->roles & ROLE_ADMIN)
		return 1;
	if (!(res = q(r, STMT_ORG_IS_REFERENT, r->user->id_str)))
		return -1;
	return db_bool(res, 0, VALUE);
}

static int
not_moderator(struct req *r)
{
	return message_page(r, 403, "Accès réservé", "La modération des "
	    "organisations est réservée aux référents et aux "
	    "administrateurs.", NULL, NULL);
}

/*
 * GET /moderation/organisations (status: pending, reported, validated,
 * refused; pending by default): the organisations of the referent's
 * départements (all of them for an admin). 200; 403 neither referent nor
 * admin; 404 an unknown status; 503.
 */
int
moderation_organisations_get(struct req *r)
{
	const char *status = req_query(r, "status");
	const char *flash = flash_take(r);
	struct view_rows rows;
	struct view v;
	PGresult *res;
	size_t t = 0;
	int rc;

	if ((rc = is_moderator(r)) < 0)
		return unavailable(r);
	if (rc == 0)
		return not_moderator(r);
	if (!status)
		status = "pending";
	while (tabs[t][0] && strcmp(tabs[t][0], status))
		t++;
	if (!tabs[t][0])
		return 404;
	if (!(res = q(r, STMT_ORG_MODERATION, r->user->id_str,
	    (r->roles & ROLE_ADMIN) ? "true" : "false", status)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (size_t i = 0; tabs[i][0]; i++)
		view_rows_add(&rows, 3, tabs[i][0], tabs[i][1],
		    i == t ? "1" : "");
	view_rows_set(&v, "tabs", &rows);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 5, db_str(res, i, OMO_ID),
		    db_str(res, i, OMO_NAME), db_str(res, i, OMO_CITY),
		    db_str(res, i, OMO_DEPARTEMENT), db_str(res, i,
		    OMO_SUBMITTED));
	view_rows_set(&v, "organisations", &rows);
	view_int(&v, "count", PQntuples(res));
	view_str(&v, "tab_label", tabs[t][1]);
	view_str(&v, "notice", flash ? flash : "");
	return render(r, 200, "moderation_organisations", &v,
	    "Modération des organisations");
}

static const struct form_field decision_fields[] = {
	{ "action", F_REQUIRED, .max = 20, .msg = {
	    [VALID_MISSING] = "Choisissez une décision." } },
	{ "reason", F_MULTILINE, .max = REASON_MAX, .msg = {
	    [VALID_TOO_LONG] = "La raison doit comporter au plus 1000 "
		"caractères." } },
	{ NULL }
};

/* The organisation of the route that r->user moderates, into o: 0, or
 * the status answered (404 unknown or a draft; 403 not theirs; 503). */
static int
moderated(struct req *r, struct vol_org *o)
{
	int rc;

	if (!req_id(r))
		return 404;
	if ((rc = vol_org_find(r, r->params[0], o)) < 0)
		return unavailable(r);
	if (rc == 0 || o->status == ORG_DRAFT)
		return 404;
	if (!moderator_roles(o))
		return message_page(r, 403, "Accès réservé", "Seuls les "
		    "référents de son département et les administrateurs "
		    "décident de cette organisation.", NULL, NULL);
	return 0;
}

/* The screen of o with the decision form f, at status. */
static int
screen(struct form *f, const struct vol_org *o, int status)
{
	struct req *r = f->r;
	unsigned who = moderator_roles(o);
	struct view_rows rows;
	struct media_ref m;
	PGresult *res;
	static const struct { const char *name; int col; } cols[] = {
		{ "website", OPG_WEBSITE }, { "city", OPG_CITY },
		{ "postal_code", OPG_POSTAL_CODE }, { "domains", OPG_DOMAINS },
		{ "siret", OPG_SIRET }, { "rna", OPG_RNA },
		{ "street", OPG_STREET }, { "reason_stored", OPG_REASON },
		{ "creator", OPG_CREATOR }, { "submitted", OPG_SUBMITTED },
		{ "validated", OPG_VALIDATED },
	};

	if (!(res = q(r, STMT_ORG_PAGE, o->id_str)) || PQntuples(res) != 1)
		return unavailable(r);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		view_str(&f->v, cols[i].name, db_str(res, 0, cols[i].col));
	view_str(&f->v, "id", o->id_str);
	view_str(&f->v, "slug", o->slug);
	view_str(&f->v, "name", o->name);
	view_str(&f->v, "departement", o->departement);
	view_str(&f->v, "status", o->status_name);
	view_str(&f->v, "status_label", vs_label(&vs_organisation, o->status));
	view_str(&f->v, "legal_kind", org_legal_kind_label(o->legal_kind));
	view_raw_html_already_safe(&f->v, "description",
	    db_str(res, 0, OPG_DESCRIPTION_HTML));
	media_ref_read(&m, res, 0, OPG_MEDIA);
	view_raw_html_already_safe(&f->v, "logo", media_html(r, &m, "thumb",
	    "10rem", 0));
	/* The buttons: the changes the table allows now, for these roles. */
	view_rows_init(&rows, &f->v);
	for (size_t i = 0; i < vs_organisation.nchanges; i++) {
		const struct vs_change *c;
		const char *name = vs_organisation.changes[i].name;

		if (vs_find(&vs_organisation, o->status, name, who, &c) == VS_OK)
			view_rows_add(&rows, 3, c->name, c->label,
			    c->reason ? "1" : "");
	}
	view_rows_set(&f->v, "actions", &rows);
	{
		const char *flash = flash_take(r);

		view_str(&f->v, "notice", flash ? flash : "");
	}
	return form_render(f, status, "moderation_organisation", o->name);
}

/* GET /moderation/organisations/{id}: the organisation and the decisions
 * open to the viewer. 200; 403; 404; 503. */
int
moderation_organisation_get(struct req *r)
{
	struct vol_org o;
	struct form f;
	int rc;

	if ((rc = moderated(r, &o)))
		return rc;
	form_init(&f, r, decision_fields);
	return screen(&f, &o, 200);
}

/* The managers' mail of a decision (in the open transaction). */
static int
mail_decision(struct req *r, const struct vol_org *o,
    const struct vs_change *c, const char *reason, const char *slug)
{
	static const char *const subjects[ORG__MAX] = {
		[ORG_VALIDATED] = "Votre organisation « %s » est validée",
		[ORG_REFUSED] = "Votre organisation « %s » n'a pas été validée",
		[ORG_REPORTED] = "Votre organisation « %s » a été signalée",
	};
	static const char *const tpls[ORG__MAX] = {
		[ORG_VALIDATED] = "org_validated", [ORG_REFUSED] = "org_refused",
		[ORG_REPORTED] = "org_reported",
	};
	struct view v;

	if (!tpls[c->to])
		return 0;
	view_init(&v, &r->arena, 1);
	view_str(&v, "name", o->name);
	view_str(&v, "reason", reason);
	view_str(&v, "link", arena_printf(&r->arena, "%s/organisations/%s%s",
	    r->cfg->base_url, slug, c->to == ORG_VALIDATED ? "" : "/manage"));
	return vol_mail_people(r, STMT_VOL_MANAGERS, o->id_str, 0,
	    arena_printf(&r->arena, subjects[c->to], o->name), tpls[c->to], &v,
	    "first_name");
}

/*
 * POST /moderation/organisations/{id} (action: validate, refuse, report;
 * reason, required to refuse or report): the decision, the managers
 * mailed, audited. 303 back to the screen; 422 no reason, or an action
 * that does not exist; 409 not possible from the current state (also
 * when another decision came first); 403 not for this viewer (a referent
 * of another département, a manager); 404; 503.
 */
int
moderation_organisation_post(struct req *r)
{
	const struct vs_change *c;
	enum vs_verdict verdict;
	struct vol_org o;
	struct form f;
	PGresult *res;
	int rc;

	if ((rc = moderated(r, &o)))
		return rc;
	form_init(&f, r, decision_fields);
	if (form_read(&f))
		return screen(&f, &o, 422);
	verdict = vs_find(&vs_organisation, o.status, form_get(&f, "action"),
	    moderator_roles(&o), &c);
	if (verdict != VS_OK) {
		form_error(&f, "action", vs_refusal(verdict));
		return screen(&f, &o, verdict == VS_UNKNOWN ? 422 :
		    verdict == VS_NOT_NOW ? 409 : 403);
	}
	if (c->reason && !*form_get(&f, "reason")) {
		form_error(&f, "reason", "Indiquez la raison : elle est envoyée "
		    "aux responsables de l'organisation.");
		return screen(&f, &o, 422);
	}
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_ORG_DECIDE, o.id_str, o.status_name,
	    vs_organisation.states[c->to], c->reason ? form_get(&f, "reason") :
	    "")))
		goto fail;
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		form_error(&f, "action", "Une autre décision a été prise entre-"
		    "temps : voici l'état actuel de l'organisation.");
		if ((rc = moderated(r, &o)))
			return rc;
		return screen(&f, &o, 409);
	}
	if (audit(r, arena_printf(&r->arena, "organisation.%s", c->name),
	    "organisation", o.id, o.name) < 0 ||
	    mail_decision(r, &o, c, c->reason ? form_get(&f, "reason") : "",
	    db_str(res, 0, ODE_SLUG)) < 0 || db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, "« %s » : %s.", o.name,
	    vs_label(&vs_organisation, c->to)));
	return resp_redirect(r, arena_printf(&r->arena,
	    "/moderation/organisations/%s", o.id_str));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}
