/*
 * admin_committees: the committees in the back-office (/admin/committees).
 * The list (pending first, tabs by status) and the delete are a resource
 * (admin.h); a committee's screen shows it and approves or refuses it
 * with a reason. The creator is mailed either way; on approval the
 * creator becomes its supervisor in the same statement. Every decision
 * and its audit record commit together. The name of an approved
 * committee is changed from its edit page (committees.c), audited too.
 */
#include "../core/common.h"
#include "../infra/outbox.h"
#include "admin.h"
#include "features.h"
#include "media.h"

#define REASON_MAX 1000

static const char *const status_tabs[][2] = {
	{ "pending", "En attente" }, { "approved", "Validés" },
	{ "refused", "Refusés" }, { NULL, NULL }
};

static const struct resource_filter status_filter = { "status",
	status_tabs };

static const char *
status_label(const char *status)
{
	for (size_t i = 0; status_tabs[i][0]; i++)
		if (!strcmp(status_tabs[i][0], status))
			return status_tabs[i][1];
	return status;
}

/* Name (to its screen), city, status, creator, created. */
static void
committee_cells(struct req *r, const PGresult *res, int i,
    const char **cells)
{
	cells[0] = link_html(r, arena_printf(&r->arena, "/admin/committees/%s",
	    db_str(res, i, ACL_ID)), db_str(res, i, ACL_NAME));
	cells[1] = html_text(r, db_str(res, i, ACL_CITY));
	cells[2] = html_text(r, status_label(db_str(res, i, ACL_STATUS)));
	cells[3] = html_text(r, db_str(res, i, ACL_CREATOR));
	cells[4] = html_text(r, db_str(res, i, ACL_CREATED));
}

const struct resource admin_committees = {
	.type = "committee",
	.title = "Comités",
	.list = STMT_ADMIN_COMMITTEES,
	.heads = { "Nom", "Ville", "État", "Créé par", "Créé le" },
	.cells = committee_cells,
	.filter = &status_filter,
	.count_label = "comité(s)",
	.caption = "Comités, ceux en attente d'abord",
	.paged = 1,
	.empty = "Aucun comité.",
	.del = STMT_ADMIN_COMMITTEE_DELETE,
	.removed = "Le comité « %s » est supprimé.",
};

static const struct form_field refuse_fields[] = {
	{ "reason", F_REQUIRED | F_MULTILINE, .max = REASON_MAX, .msg = {
	    [VALID_MISSING] = "Indiquez la raison du refus : elle est "
		"envoyée au créateur du comité.",
	    [VALID_TOO_LONG] = "La raison doit comporter au plus 1000 "
		"caractères." } },
	{ NULL }
};

/* The committee's screen with the refusal form f, at status. 404; 503. */
static int
committee_screen(struct form *f, int status)
{
	struct req *r = f->r;
	struct media_ref m;
	PGresult *res;
	int rc;
	static const struct { const char *name; int col; } cols[] = {
		{ "id", AC_ID }, { "slug", AC_SLUG }, { "name", AC_NAME },
		{ "status", AC_STATUS }, { "address", AC_ADDRESS },
		{ "country", AC_COUNTRY }, { "website", AC_WEBSITE },
		{ "facebook", AC_FACEBOOK }, { "twitter", AC_TWITTER },
		{ "refusal", AC_REFUSAL }, { "creator", AC_CREATOR },
		{ "created", AC_CREATED }, { "approved", AC_APPROVED },
		{ "members", AC_MEMBERS },
	};

	if ((rc = admin_load(r, STMT_ADMIN_COMMITTEE, &res)))
		return rc;
	admin_chrome(r, &f->v, "/admin/committees");
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		view_str(&f->v, cols[i].name, db_str(res, 0, cols[i].col));
	view_str(&f->v, "status_label", status_label(db_str(res, 0,
	    AC_STATUS)));
	view_raw_html_already_safe(&f->v, "description",
	    db_str(res, 0, AC_DESCRIPTION_HTML));
	media_ref_read(&m, res, 0, AC_MEDIA);
	view_raw_html_already_safe(&f->v, "photo", media_html(r, &m, "card",
	    "20rem", 0));
	return form_render(f, status, "admin_committee",
	    db_str(res, 0, AC_NAME));
}

/* GET /admin/committees/{id}: the committee, approve and refuse. 200;
 * 404; 503. */
int
admin_committee_get(struct req *r)
{
	struct form f;

	form_init(&f, r, refuse_fields);
	return committee_screen(&f, 200);
}

/* A decision, as its statement and its mail say it. */
struct decision {
	const char *action;	/* audit */
	const char *tpl;	/* the creator's mail */
	const char *subject;	/* %s: the name */
	const char *notice;	/* %s: the name */
	const char *already;	/* nothing changed */
};

static const struct decision approval = { "committee.approve",
	"committee_approved", "Votre comité « %s » est validé",
	"Le comité « %s » est validé.", "Ce comité était déjà validé." };
static const struct decision refusal = { "committee.refuse",
	"committee_refused", "Votre comité « %s » n'a pas été validé",
	"Le comité « %s » est refusé.", "Ce comité était déjà refusé." };

/* The creator's mail (in the open transaction) for decided row res. */
static int
mail_decision(struct req *r, const PGresult *res, const struct decision *d,
    const char *reason)
{
	struct view v;

	if (db_long(res, 0, DECIDED_UID) <= 0)
		return 0;	/* the creator left */
	view_init(&v, &r->arena, 1);
	view_str(&v, "first_name", db_str(res, 0, DECIDED_FIRST_NAME));
	view_str(&v, "name", db_str(res, 0, DECIDED_NAME));
	view_str(&v, "reason", reason ? reason : "");
	view_str(&v, "link", arena_printf(&r->arena, "%s/committees/%s",
	    r->cfg->base_url, db_str(res, 0, DECIDED_SLUG)));
	return outbox_add(r, db_long(res, 0, DECIDED_UID),
	    db_str(res, 0, DECIDED_EMAIL), arena_printf(&r->arena, d->subject,
	    db_str(res, 0, DECIDED_NAME)), d->tpl, &v);
}

/*
 * The end of a decision, in the transaction its statement opened (res:
 * its row, none when nothing changed): the audit record, the creator's
 * mail, the commit; 303 back to the screen with a notice. 404; 503.
 */
static int
decision_end(struct req *r, PGresult *res, const struct decision *d,
    const char *reason)
{
	const char *notice;
	PGresult *row;
	int rc;

	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		if ((rc = admin_load(r, STMT_ADMIN_COMMITTEE, &row)))
			return rc;
		notice = d->already;
	} else if (audit(r, d->action, "committee", req_id_long(r),
	    db_str(res, 0, DECIDED_NAME)) < 0 ||
	    mail_decision(r, res, d, reason) < 0 ||
	    db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	} else
		notice = arena_printf(&r->arena, d->notice,
		    db_str(res, 0, DECIDED_NAME));
	flash_set(r, notice);
	return resp_redirect(r, arena_printf(&r->arena, "/admin/committees/%s",
	    r->params[0]));
}

/*
 * POST /admin/committees/{id}/approve: the committee is approved, its
 * creator becomes its supervisor and is mailed; audited. 303 to its
 * screen; 404; 503.
 */
int
admin_committee_approve_post(struct req *r)
{
	PGresult *res;

	if (!req_id(r))
		return 404;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_ADMIN_COMMITTEE_APPROVE, r->params[0]))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	return decision_end(r, res, &approval, NULL);
}

/*
 * POST /admin/committees/{id}/refuse (reason, required): the committee is
 * refused (an approved one leaves the directory and the search), its
 * creator mailed with the reason; audited. 303 to its screen; 422 without
 * a reason; 409 when its creator already has another open committee;
 * 404; 503.
 */
int
admin_committee_refuse_post(struct req *r)
{
	struct form f;
	PGresult *res;

	if (!req_id(r))
		return 404;
	form_init(&f, r, refuse_fields);
	if (form_read(&f))
		return committee_screen(&f, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	if (!(res = q(r, STMT_ADMIN_COMMITTEE_REFUSE, r->params[0],
	    form_get(&f, "reason")))) {
		int taken = db_unique_violation(&r->app->db);

		db_rollback(&r->app->db);
		if (!taken)
			return unavailable(r);
		form_error(&f, "reason", "Le créateur de ce comité en a déjà "
		    "un autre en attente ou refusé : supprimez plutôt "
		    "celui-ci.");
		return committee_screen(&f, 409);
	}
	return decision_end(r, res, &refusal, form_get(&f, "reason"));
}
