/*
 * applications_manage: the applications of an organisation for its
 * managers (applications.h): by state, "to process" (waiting for more
 * than 7 days), by mission, 50 a page; bulk validate or refuse; CSV.
 *
 * Every handler starts with org_managed(): the organisation of {slug}
 * and the viewer's roles on *it* (a manager of it, or an admin; else 403,
 * or 404 when the viewer may not even see it). Every statement after
 * that is keyed on the organisation's id, so an application id of
 * another organisation is not found and changes nothing. Volunteers
 * appear as first name and initial; no address or phone is read.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../infra/csv.h"
#include "applications.h"
#include "features.h"
#include "manage.h"
#include "volunteer.h"

/* The organisation of {slug} if r->user manages it: 0 and *o, or the
 * status answered. */
static int
org_managed(struct req *r, struct vol_org *o)
{
	int rc = vol_org_find(r, r->params[0], o);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0 || !vol_org_visible(o))
		return 404;
	if (!(o->roles & (VS_MANAGER | VS_ADMIN)))
		return 403;
	return 0;
}

/* The list's filters from the query: state ("" or a status), todo,
 * mission (a slug, "" for all). 0, or 400 when malformed. */
struct filters {
	const char *state, *mission;
	int todo;
};

static int
filters_read(struct req *r, struct filters *fl)
{
	const char *s = req_query(r, "state"), *t = req_query(r, "todo");
	const char *m = req_query(r, "mission");

	fl->state = s ? s : "";
	fl->mission = m ? m : "";
	fl->todo = t && !strcmp(t, "1");
	if (*fl->state && vs_state(&vs_application, fl->state) < 0)
		return 400;
	if (t && *t && strcmp(t, "1") != 0)
		return 400;
	if (strlen(fl->mission) > 200)
		return 400;
	return 0;
}

static PGresult *
list_query(struct req *r, const struct vol_org *o, const struct filters *fl,
    long limit, long offset)
{
	return q(r, STMT_APP_ORG_LIST, o->id_str, fl->state,
	    fl->todo ? "true" : "false", fl->mission,
	    arena_printf(&r->arena, "%ld", limit),
	    arena_printf(&r->arena, "%ld", offset));
}

/* The query string of the filters (for links), "" when none. */
static const char *
filters_query(struct req *r, const struct filters *fl)
{
	const char *s;
	struct buf b;

	buf_init(&b, 1024);
	if (*fl->state) {
		buf_puts(&b, "&state=");
		url_encode(&b, fl->state);
	}
	if (fl->todo)
		buf_puts(&b, "&todo=1");
	if (*fl->mission) {
		buf_puts(&b, "&mission=");
		url_encode(&b, fl->mission);
	}
	s = arena_strndup(&r->arena, b.len ? b.data + 1 : "",
	    b.len ? b.len - 1 : 0);
	buf_release(&b);
	return s;
}

/* The tabs: every state with its count, then "to process". */
static void
view_tabs(struct req *r, struct view *v, const PGresult *counts,
    const struct filters *fl)
{
	struct view_rows rows;
	long all = 0, todo = 0;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(counts); i++)
		if (!strcmp(db_str(counts, i, AOC_STATUS), "todo"))
			todo = db_long(counts, i, AOC_N);
		else
			all += db_long(counts, i, AOC_N);
	view_rows_add(&rows, 4, "", "Toutes", arena_printf(&r->arena, "%ld",
	    all), !*fl->state && !fl->todo ? "1" : "");
	for (size_t s = 0; s < vs_application.nstates; s++) {
		long n = 0;

		for (int i = 0; i < PQntuples(counts); i++)
			if (!strcmp(db_str(counts, i, AOC_STATUS),
			    vs_application.states[s]))
				n = db_long(counts, i, AOC_N);
		view_rows_add(&rows, 4, arena_printf(&r->arena, "state=%s",
		    vs_application.states[s]), vs_application.labels[s],
		    arena_printf(&r->arena, "%ld", n),
		    !strcmp(fl->state, vs_application.states[s]) &&
		    !fl->todo ? "1" : "");
	}
	view_rows_add(&rows, 4, "todo=1", "À traiter (plus de 7 jours)",
	    arena_printf(&r->arena, "%ld", todo), fl->todo ? "1" : "");
	view_rows_set(v, "tabs", &rows);
}

static const char *const bulk_reason_values[] = {
	"requirements_not_fulfilled", "no_response", "mission_terminated",
	"other", NULL
};

/*
 * GET /organisations/{slug}/applications: state (a status), todo=1
 * (waiting for more than 7 days), mission (a slug of the
 * organisation's), page (50 a page, oldest first); the volunteers as
 * first name and initial; checkboxes app_{id} for the bulk form. 200;
 * 303 to login; 400 a malformed filter; 403 not a manager of it; 404
 * (unknown, or a page past the end); 503.
 */
int
org_applications_get(struct req *r)
{
	struct view_rows rows;
	struct filters fl;
	struct vol_org o;
	struct view v;
	PGresult *res, *counts, *missions;
	long page = query_page(r), total, pages;
	const char *flash, *qs;
	int rc;

	if ((rc = org_managed(r, &o)))
		return rc;
	if ((rc = filters_read(r, &fl)))
		return rc;
	if (page == 0)
		return 400;
	if (!(res = list_query(r, &o, &fl, APPLICATIONS_PER_PAGE,
	    (page - 1) * APPLICATIONS_PER_PAGE)) ||
	    !(counts = q(r, STMT_APP_ORG_COUNTS, o.id_str)) ||
	    !(missions = q(r, STMT_APP_ORG_MISSIONS, o.id_str)))
		return unavailable(r);
	total = PQntuples(res) ? db_long(res, 0, AO_TOTAL) : 0;
	pages = (total + APPLICATIONS_PER_PAGE - 1) / APPLICATIONS_PER_PAGE;
	if (page > 1 && page > pages)
		return 404;
	flash = flash_take(r);
	qs = filters_query(r, &fl);
	view_init(&v, &r->arena, 0);
	view_str(&v, "csrf", csrf_token(r));
	view_str(&v, "notice", flash ? flash : "");
	view_str(&v, "name", o.name);
	view_str(&v, "slug", o.slug);
	view_str(&v, "qs", qs);
	view_str(&v, "mission", fl.mission);
	view_str(&v, "state", fl.state);
	view_int(&v, "todo", fl.todo);
	view_int(&v, "total", total);
	view_int(&v, "can_bulk", (o.roles & VS_MANAGER) != 0);
	view_tabs(r, &v, counts, &fl);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(missions); i++)
		view_rows_add(&rows, 3, db_str(missions, i, AOM_SLUG),
		    db_str(missions, i, AOM_TITLE), !strcmp(fl.mission,
		    db_str(missions, i, AOM_SLUG)) ? "1" : "");
	view_rows_set(&v, "missions", &rows);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *st = db_str(res, i, AO_STATUS);
		int open = !strcmp(st, "waiting") || !strcmp(st, "in_progress");
		const char *reason = application_reason_label(st,
		    db_str(res, i, AO_REASON));

		view_rows_add(&rows, 9, db_str(res, i, AO_ID),
		    manage_short_name(r, db_str(res, i, AO_FIRST_NAME),
		    db_str(res, i, AO_INITIAL)),
		    db_str(res, i, AO_MISSION_SLUG),
		    db_str(res, i, AO_MISSION_TITLE), db_str(res, i, AO_SLOT),
		    *reason ? arena_printf(&r->arena, "%s (%s)",
		    vs_label(&vs_application, vs_state(&vs_application, st)),
		    reason) : vs_label(&vs_application,
		    vs_state(&vs_application, st)),
		    db_str(res, i, AO_CREATED), open ? "1" : "",
		    db_bool(res, i, AO_TODO) ? "1" : "");
	}
	view_rows_set(&v, "applications", &rows);
	view_int(&v, "n", PQntuples(res));
	if (pagination(r, &v, page > 1 ? arena_printf(&r->arena,
	    "?%s%spage=%ld", qs, *qs ? "&" : "", page - 1) : "",
	    page < pages ? arena_printf(&r->arena, "?%s%spage=%ld", qs,
	    *qs ? "&" : "", page + 1) : "", page, pages) < 0)
		return 500;
	return render(r, 200, "org_applications", &v, arena_printf(&r->arena,
	    "Candidatures : %s", o.name));
}

/* One application of the bulk: from its status read in the
 * organisation's scope, the change (vs_find, as a manager), applied by
 * compare-and-set and mailed. 1 changed, 0 skipped (not this
 * organisation's, or not from its status, or changed meanwhile), -1
 * PostgreSQL failed. */
static int
bulk_one(struct req *r, const struct vol_org *o, const char *id,
    const char *action, const char *reason)
{
	const struct vs_change *c;
	PGresult *st, *res;
	int from;

	if (!(st = q(r, STMT_APP_IN_ORG, id, o->id_str)))
		return -1;
	if (PQntuples(st) == 0)
		return 0;
	from = vs_state(&vs_application, db_str(st, 0, VALUE));
	if (vs_find(&vs_application, from, action, o->roles & VS_MANAGER,
	    &c) != VS_OK)
		return 0;
	if (!(res = q(r, STMT_APP_CHANGE, id, db_str(st, 0, VALUE),
	    vs_application.states[c->to], c->reason ? reason : NULL)))
		return -1;
	if (PQntuples(res) == 0)
		return 0;
	return application_mail_changes(r, res, APC_ID, APC_PROMOTED) < 0 ?
	    -1 : 1;
}

/*
 * POST /organisations/{slug}/applications/bulk: action (validate or
 * refuse), reason (for refuse: from the list), app_{id}=1 for each
 * application (at most one page's). Each is changed as a manager would
 * change it alone (core/volstate, compare-and-set), in one transaction
 * with its mails; ids of other organisations and applications not in a
 * state for it are counted as skipped. Only managers act (an admin
 * reads). 303 back to the list with a notice; 403; 404; 422 (no
 * application ticked, unknown action, reason missing); 503.
 */
int
org_applications_bulk_post(struct req *r)
{
	const char *action = req_form(r, "action"), *reason =
	    req_form(r, "reason");
	struct vol_org o;
	int rc, done = 0, skipped = 0, n = 0;

	if ((rc = org_managed(r, &o)))
		return rc;
	if (!(o.roles & VS_MANAGER))
		return 403;
	if (!action || (strcmp(action, "validate") && strcmp(action,
	    "refuse")))
		return message_page(r, 422, "Action inconnue", "Choisissez "
		    "« Valider » ou « Refuser ».", arena_printf(&r->arena,
		    "/organisations/%s/applications", o.slug), "Retour");
	if (!strcmp(action, "refuse")) {
		int known = 0;

		for (size_t i = 0; reason && bulk_reason_values[i]; i++)
			known |= !strcmp(reason, bulk_reason_values[i]);
		if (!known)
			return message_page(r, 422, "Raison manquante",
			    "Pour refuser, choisissez une raison dans la "
			    "liste.", arena_printf(&r->arena,
			    "/organisations/%s/applications", o.slug),
			    "Retour");
	}
	if (db_begin(&r->app->db) < 0)
		goto fail;
	for (size_t i = 0; i < r->form.n; i++) {
		const struct field *fd = &r->form.v[i];
		long id;

		if (strncmp(fd->name, "app_", 4) != 0 ||
		    strcmp(fd->value, "1") != 0)
			continue;
		n++;
		if (parse_long(fd->name + 4, 1, LONG_MAX, &id) < 0) {
			skipped++;
			continue;
		}
		if ((rc = bulk_one(r, &o, fd->name + 4, action, reason)) < 0)
			goto fail;
		rc ? done++ : skipped++;
	}
	if (n == 0) {
		db_rollback(&r->app->db);
		return message_page(r, 422, "Aucune candidature choisie",
		    "Cochez au moins une candidature.", arena_printf(
		    &r->arena, "/organisations/%s/applications", o.slug),
		    "Retour");
	}
	if (db_commit(&r->app->db) < 0)
		goto fail;
	flash_set(r, arena_printf(&r->arena, "Candidatures %s : %d.%s",
	    !strcmp(action, "validate") ? "validées" : "refusées", done,
	    skipped ? arena_printf(&r->arena, " Ignorées : %d (déjà "
	    "traitées ou introuvables).", skipped) : ""));
	return resp_redirect(r, arena_printf(&r->arena,
	    "/organisations/%s/applications", o.slug));
fail:
	db_rollback(&r->app->db);
	return unavailable(r);
}

/*
 * GET /organisations/{slug}/applications.csv: the filters of the list,
 * every row: first name, initial, mission, slot, status, reason, date
 * (csv.h; never an address or a phone). 200; 303 to login; 400; 403;
 * 404; 503.
 */
int
org_applications_csv_get(struct req *r)
{
	static const char *const head[] = { "Numéro", "Prénom",
		"Nom (initiale)", "Mission", "Créneau", "Statut", "Raison",
		"Candidature" };
	struct filters fl;
	struct vol_org o;
	PGresult *res;
	struct buf b;
	int rc;

	if ((rc = org_managed(r, &o)))
		return rc;
	if ((rc = filters_read(r, &fl)))
		return rc;
	if (!(res = list_query(r, &o, &fl, 100000, 0)))
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	csv_begin(&b);
	csv_row(&b, ARRAY_SIZE(head), head);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *st = db_str(res, i, AO_STATUS);
		const char *cells[] = { db_str(res, i, AO_ID),
			db_str(res, i, AO_FIRST_NAME),
			db_str(res, i, AO_INITIAL),
			db_str(res, i, AO_MISSION_TITLE),
			db_str(res, i, AO_SLOT),
			vs_label(&vs_application, vs_state(&vs_application,
			    st)),
			application_reason_label(st, db_str(res, i,
			    AO_REASON)),
			db_str(res, i, AO_CREATED_ISO) };

		if (csv_row(&b, ARRAY_SIZE(cells), cells) < 0) {
			buf_release(&b);
			return 500;
		}
	}
	return manage_csv_response(r, &b, arena_printf(&r->arena,
	    "candidatures-%s.csv", o.slug));
}
