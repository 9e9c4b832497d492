/*
 * admin_referents: the referents in the back-office (/admin/referents).
 * An admin gives a département to a member found by e-mail, or takes it
 * back; each change is audited in its transaction. A member with at least
 * one département writes to it at /referent/campaigns (campaigns.h).
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const struct form_field grant_fields[] = {
	{ "email", F_REQUIRED, .max = 255, .valid = valid_email, .msg = {
	    [VALID_MISSING] = "Indiquez l'adresse e-mail du membre.",
	    [VALID_INVALID] = "Cette adresse e-mail n'est pas valide.",
	    [VALID_TOO_LONG] = "Cette adresse e-mail n'est pas valide." } },
	{ "departement", F_REQUIRED, .max = 3, .msg = {
	    [VALID_MISSING] = "Choisissez un département.",
	    [VALID_TOO_LONG] = "Choisissez un département de la liste." } },
	{ NULL }
};

static const struct form_field revoke_fields[] = {
	{ "departement", F_REQUIRED, .max = 3 },
	{ NULL }
};

/* The page: the referents and their départements, the grant form f. */
static int
referents_page(struct form *f, int status)
{
	struct req *r = f->r;
	PGresult *res = q(r, STMT_REFERENTS), *deps = q(r, STMT_DEPARTEMENTS);
	const char *sel = form_get(f, "departement");
	struct view_rows rows;
	struct buf b;

	if (!res || !deps)
		return unavailable(r);
	admin_chrome(r, &f->v, "/admin/referents");
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 5, db_str(res, i, RFR_USER_ID),
		    db_str(res, i, RFR_NAME), db_str(res, i, RFR_EMAIL),
		    db_str(res, i, RFR_CODE), db_str(res, i, RFR_DEPARTEMENT));
	view_rows_set(&f->v, "rows", &rows);
	view_int(&f->v, "empty", PQntuples(res) == 0);
	buf_init(&b, 64 * 1024);
	buf_printf(&b, "<option value=\"\"%s>Choisir…</option>", *sel ? "" :
	    " selected");
	for (int i = 0; i < PQntuples(deps); i++) {
		const char *code = db_str(deps, i, PLACE_CODE);

		buf_printf(&b, "<option value=\"%s\"%s>%s — %s</option>",
		    html_text(r, code), strcmp(code, sel) ? "" : " selected",
		    html_text(r, code), html_text(r, db_str(deps, i,
		    PLACE_NAME)));
	}
	view_raw_html_already_safe(&f->v, "options", arena_strndup(&r->arena,
	    b.data, b.len));
	buf_release(&b);
	return form_render(f, status, "admin_referents", "Référents");
}

/* GET /admin/referents: the list and the form. 200; 503. */
int
admin_referents_get(struct req *r)
{
	struct form f;

	form_init(&f, r, grant_fields);
	return referents_page(&f, 200);
}

/* Is code a département of the table? 1, 0, or -1 (503). */
static int
departement_exists(struct req *r, const char *code)
{
	PGresult *deps = q(r, STMT_DEPARTEMENTS);

	if (!deps)
		return -1;
	for (int i = 0; i < PQntuples(deps); i++)
		if (!strcmp(db_str(deps, i, PLACE_CODE), code))
			return 1;
	return 0;
}

/*
 * POST /admin/referents: email, departement. The active member of that
 * address becomes referent of it (again: nothing changes); audited. 303
 * back with a notice; 422 (no such member, no such département); 503.
 */
int
admin_referents_post(struct req *r)
{
	struct form f;
	PGresult *res;
	int known;

	form_init(&f, r, grant_fields);
	form_read(&f);
	if (!form_has_error(&f, "departement")) {
		if ((known = departement_exists(r, form_get(&f,
		    "departement"))) < 0)
			return unavailable(r);
		if (!known)
			form_error(&f, "departement", "Choisissez un "
			    "département de la liste.");
	}
	if (f.errors)
		return referents_page(&f, 422);
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_REFERENT_GRANT,
	    form_get(&f, "email"), form_get(&f, "departement"),
	    r->user->id_str))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		form_error(&f, "email", "Aucun membre actif n'a cette adresse.");
		return referents_page(&f, 422);
	}
	if ((db_bool(res, 0, RGR_NEW) && audit(r, "referent.grant", "user",
	    db_long(res, 0, RGR_USER_ID), arena_printf(&r->arena, "%s : %s",
	    db_str(res, 0, RGR_NAME), form_get(&f, "departement"))) < 0) ||
	    db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, arena_printf(&r->arena, "%s est référent du département "
	    "%s.", db_str(res, 0, RGR_NAME), form_get(&f, "departement")));
	return resp_redirect(r, "/admin/referents");
}

/*
 * POST /admin/referents/{id}/revoke: departement. Member {id} is no
 * longer referent of it; audited. 303 back with a notice; 404 (not a
 * referent of it); 503.
 */
int
admin_referent_revoke_post(struct req *r)
{
	struct form f;
	PGresult *res;

	if (!req_id(r))
		return 404;
	form_init(&f, r, revoke_fields);
	if (form_read(&f))
		return 404;
	if (db_begin(&r->app->db) < 0 || !(res = q(r, STMT_REFERENT_REVOKE,
	    r->params[0], form_get(&f, "departement")))) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	if (PQntuples(res) == 0) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (audit(r, "referent.revoke", "user", req_id_long(r),
	    arena_printf(&r->arena, "%s : %s", db_str(res, 0, LABEL),
	    form_get(&f, "departement"))) < 0 || db_commit(&r->app->db) < 0) {
		db_rollback(&r->app->db);
		return unavailable(r);
	}
	flash_set(r, arena_printf(&r->arena, "%s n'est plus référent du "
	    "département %s.", db_str(res, 0, LABEL),
	    form_get(&f, "departement")));
	return resp_redirect(r, "/admin/referents");
}
