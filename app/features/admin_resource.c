/*
 * admin_resource: the one code path of every back-office resource (see
 * admin.h): the list with its new form, the edit page, create, update and
 * delete, each driven by the resource row its route carries; the editors
 * of articles and pages (struct editor); and the start-up check that every
 * row's statements fit it.
 */
#include "../core/common.h"
#include "../core/log.h"
#include "admin.h"
#include "convince.h"
#include "features.h"


static const struct resource *
resource_of(const struct req *r)
{
	return r->route->data;
}

/* The list's path from the route's pattern: "/admin/x" of
 * "/admin/x/{id}/delete". */
static const char *
resource_path(struct req *r)
{
	const char *p = r->route->pattern, *brace = strstr(p, "/{");

	return brace ? arena_strndup(&r->arena, p, (size_t)(brace - p)) : p;
}

static size_t
nheads(const struct resource *res)
{
	size_t n = 0;

	while (n < ARRAY_SIZE(res->heads) && res->heads[n])
		n++;
	return n;
}

int
admin_load(struct req *r, enum stmt stmt, PGresult **row)
{
	const char *id = req_id(r);

	if (!id)
		return 404;
	if (!(*row = q(r, stmt, id)))
		return unavailable(r);
	return PQntuples(*row) == 1 ? 0 : 404;
}

/* ?page=N (1 when absent or wrong). */
static long
page_number(struct req *r)
{
	const char *s = req_query(r, "page");
	long n;

	if (!s || parse_long(s, 1, 100000, &n) < 0)
		return 1;
	return n;
}

/* The list's tab (filter value), "" for all or when unknown. */
static const char *
filter_value(struct req *r, const struct resource *res)
{
	const char *v = res->filter ? req_query(r, res->filter->param) : NULL;

	for (size_t k = 0; v && res->filter->tabs[k][0]; k++)
		if (!strcmp(v, res->filter->tabs[k][0]))
			return v;
	return "";
}

static void
view_tabs(struct req *r, struct view *v, const struct resource *res,
    const char *path, const char *current)
{
	struct view_rows tabs;

	view_rows_init(&tabs, v);
	for (size_t k = 0; res->filter && res->filter->tabs[k][0]; k++) {
		const char *val = res->filter->tabs[k][0];
		const char *href = *val ? arena_printf(&r->arena, "%s?%s=%s",
		    path, res->filter->param, val) : path;

		view_rows_add_html(&tabs, 1, 1, strcmp(current, val) ?
		    link_html(r, href, res->filter->tabs[k][1]) :
		    arena_printf(&r->arena, "<a href=\"%s\" aria-current="
		    "\"page\">%s</a>", href, res->filter->tabs[k][1]));
	}
	view_rows_set(v, "tabs", &tabs);
	view_int(v, "has_tabs", res->filter != NULL);
}

/* "Page précédente / suivante" links; query: extra "k=v&amp;". */
static void
view_pager(struct req *r, struct view *v, const char *path,
    const char *query, long page, long last)
{
	view_raw_html_already_safe(v, "prev", page > 1 ?
	    arena_printf(&r->arena, "<a rel=\"prev\" href=\"%s?%spage=%ld\">"
	    "Page précédente</a>", path, query, MIN(page - 1, last)) : "");
	view_raw_html_already_safe(v, "next", page < last ?
	    arena_printf(&r->arena, "<a rel=\"next\" href=\"%s?%spage=%ld\">"
	    "Page suivante</a>", path, query, page + 1) : "");
}

/* "12 article(s), les plus récents d'abord — page 1 sur 1" */
static const char *
caption(struct req *r, const struct resource *res, long total, long page,
    long last)
{
	const char *c = res->caption ? res->caption : "";

	if (res->count_label)
		c = arena_printf(&r->arena, "%ld %s%s%s", total,
		    res->count_label, *c ? ", " : "", c);
	if (res->paged)
		c = arena_printf(&r->arena, "%s — page %ld sur %ld", c, page,
		    last);
	return c;
}

/* A list row as shown: the first column links to the edit page. */
static void
list_row(struct req *r, const struct resource *res, const char *path,
    const PGresult *pg, int i, struct view_rows *rows)
{
	const char *cells[ARRAY_SIZE(res->heads)];
	size_t n = nheads(res);

	if (res->cells)
		res->cells(r, pg, i, cells);
	else
		for (size_t k = 0; k < n; k++) {
			const char *s = db_str(pg, i, RESOURCE_ID + 1 + (int)k);

			if (k == 0 && res->get)
				s = link_html(r, arena_printf(&r->arena,
				    "%s/%s", path, db_str(pg, i, RESOURCE_ID)), s);
			else if (res->code_cols & (1u << k))
				s = arena_printf(&r->arena, "<code>%s</code>",
				    html_text(r, s));
			else
				s = html_text(r, s);
			cells[k] = s;
		}
	view_rows_add_cells(rows, ~0u, (int)n, cells);
}

int
resource_list(struct req *r, const struct resource *res, const char *path,
    struct form *f, int status)
{
	const char *filter = filter_value(r, res);
	const char *limit = arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE);
	long page = page_number(r), total = 0, last;
	const char *offset = arena_printf(&r->arena, "%ld",
	    (page - 1) * ADMIN_PAGE_SIZE);
	struct view own, *v = f ? &f->v : &own;
	struct view_rows heads, rows;
	PGresult *pg = res->filter ? q(r, res->list, filter, limit, offset) :
	    q(r, res->list, limit, offset);

	if (!pg || (f && res->view && res->view(f) < 0))
		return unavailable(r);
	if (!f)
		view_init(&own, &r->arena, 0);
	admin_chrome(r, v, path);
	view_rows_init(&heads, v);
	for (size_t k = 0; k < nheads(res); k++)
		view_rows_add(&heads, 1, res->heads[k]);
	view_rows_set(v, "heads", &heads);
	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(pg); i++) {
		list_row(r, res, path, pg, i, &rows);
		total = db_long(pg, i, PQnfields(pg) - 1);
	}
	view_rows_set(v, "rows", &rows);
	last = MAX(1, (total + ADMIN_PAGE_SIZE - 1) / ADMIN_PAGE_SIZE);
	view_int(v, "empty", PQntuples(pg) == 0);
	view_int(v, "total", total);
	view_str(v, "heading", res->title);
	view_str(v, "empty_text", res->empty);
	view_str(v, "caption", caption(r, res, total, page, last));
	view_str(v, "path", path);
	view_str(v, "new_link", res->new_link ? res->new_link : "");
	view_str(v, "new_label", res->new_label ? res->new_label : "");
	view_tabs(r, v, res, path, filter);
	view_pager(r, v, path, *filter ? arena_printf(&r->arena, "%s=%s&amp;",
	    res->filter->param, filter) : "", page, last);
	view_int(v, "has_form", f != NULL);
	if (!f)
		return render(r, status, res->list_tpl ? res->list_tpl :
		    "admin_list", v, res->title);
	view_str(v, "form_id", res->form_id);
	view_str(v, "new_title", res->new_title);
	view_str(v, "create_label", res->create_label);
	if (res->fields_tpl && form_include(f, res->fields_tpl, "fields") < 0)
		return 500;
	return form_render(f, status, res->list_tpl ? res->list_tpl :
	    "admin_list", res->title);
}

/* The edit page of row (res->get's) with the values of f. */
static int
edit_page(struct form *f, const struct resource *res, const char *path,
    const PGresult *row, int status)
{
	struct req *r = f->r;
	const char *id = db_str(row, 0, RESOURCE_ID);

	if (res->view && res->view(f) < 0)
		return unavailable(r);
	admin_chrome(r, &f->v, path);
	view_str(&f->v, "heading", res->edit_title);
	view_str(&f->v, "path", path);
	view_str(&f->v, "id", id);
	view_str(&f->v, "form_id", res->form_id);
	view_str(&f->v, "back_label", res->back_label);
	view_str(&f->v, "public_url", res->public_url ?
	    res->public_url(r, row) : "");
	view_str(&f->v, "view_label", res->view_label ? res->view_label : "");
	view_str(&f->v, "delete_label", res->delete_label);
	view_str(&f->v, "delete_note", res->delete_note ?
	    res->delete_note : "");
	if (form_include(f, res->fields_tpl, "fields") < 0)
		return 500;
	return form_render(f, status, "admin_edit", res->edit_title);
}

/* The row {id} by get (the id, then each field of the form in order),
 * the form's values set from it: 0; 404; 503. */
static int
admin_form_load(struct req *r, enum stmt get, struct form *f, PGresult **row)
{
	int rc;

	if ((rc = admin_load(r, get, row)))
		return rc;
	for (size_t i = 0; i < f->nread; i++)
		form_set(f, f->fields[i]->name, db_str(*row, 0,
		    RESOURCE_ID + 1 + (int)i));
	return 0;
}

/* Read and check the posted form; self: the row being edited (NULL for
 * a new one). 0, or -1 when PostgreSQL failed. */
static int
resource_read(struct form *f, const struct resource *res, const char *self)
{
	form_read(f);
	if (res->slug_from && form_slug(f, res->slugs, res->slug_from,
	    self) < 0)
		return -1;
	return res->check ? res->check(f) : 0;
}

/*
 * Insert (id NULL) or update row id with the form's values, and its
 * audit record, in one transaction: the row's id, or NULL with *status
 * set: 422 (a unique constraint refused it: the field is marked), 404
 * (no such row), 503.
 */
static const char *
resource_write(struct form *f, const struct resource *res, const char *id,
    int *status)
{
	struct req *r = f->r;
	const char **params = arena_alloc(&r->arena,
	    (f->nread + 1) * sizeof(*params));
	const char *label = form_get(f, res->label_field);
	size_t n = 0;
	PGresult *pg;

	*status = 503;
	if (id)
		params[n++] = id;
	for (size_t i = 0; i < f->nread; i++)
		params[n++] = f->val[i];
	if (db_begin(&r->app->db) < 0)
		return NULL;
	pg = db_exec_array(&r->app->db, &r->arena, id ? res->update :
	    res->insert, (int)n, params);
	if (!pg && db_unique_violation(&r->app->db)) {
		db_rollback(&r->app->db);
		form_error(f, res->unique_field, res->unique_msg);
		*status = 422;
		return NULL;
	}
	if (pg && PQntuples(pg) != 1) {
		db_rollback(&r->app->db);
		*status = 404;
		return NULL;
	}
	if (!pg || audit(r, arena_printf(&r->arena, "%s.%s", res->type,
	    id ? "update" : "create"), res->type, db_long(pg, 0, RETURNING_ID),
	    label) < 0 || db_commit(&r->app->db) < 0)
		return NULL;
	return db_str(pg, 0, RETURNING_ID);
}

/* GET /admin/X: the list and the new form. 200; 503. */
int
resource_list_get(struct req *r)
{
	const struct resource *res = resource_of(r);
	struct form f;

	if (!res->fields)
		return resource_list(r, res, resource_path(r), NULL, 200);
	form_init(&f, r, res->fields);
	return resource_list(r, res, resource_path(r), &f, 200);
}

/* POST /admin/X: the fields. 303 to the list with a notice; 422 with
 * the list and the form as typed; 503. */
int
resource_create_post(struct req *r)
{
	const struct resource *res = resource_of(r);
	const char *path = resource_path(r);
	struct form f;
	int status;

	form_init(&f, r, res->fields);
	if (resource_read(&f, res, NULL) < 0)
		return unavailable(r);
	if (!f.errors && resource_write(&f, res, NULL, &status)) {
		flash_set(r, arena_printf(&r->arena, res->created,
		    form_get(&f, res->label_field)));
		return resp_redirect(r, path);
	}
	if (!f.errors)
		return status == 503 ? unavailable(r) : status;
	return resource_list(r, res, path, &f, 422);
}

/* GET /admin/X/{id}: the edit page. 200; 404; 503. */
int
resource_edit_get(struct req *r)
{
	const struct resource *res = resource_of(r);
	struct form f;
	PGresult *row;
	int rc;

	form_init(&f, r, res->fields);
	if ((rc = admin_form_load(r, res->get, &f, &row)))
		return rc;
	return edit_page(&f, res, resource_path(r), row, 200);
}

/* POST /admin/X/{id}: the fields. 303 back with a notice; 422; 404;
 * 503. */
int
resource_update_post(struct req *r)
{
	const struct resource *res = resource_of(r);
	const char *path = resource_path(r);
	struct form f;
	PGresult *row;
	int rc, status;

	if ((rc = admin_load(r, res->get, &row)))
		return rc;
	form_init(&f, r, res->fields);
	if (resource_read(&f, res, r->params[0]) < 0)
		return unavailable(r);
	if (!f.errors && resource_write(&f, res, r->params[0], &status)) {
		flash_set(r, arena_printf(&r->arena, res->saved,
		    form_get(&f, res->label_field)));
		return resp_redirect(r, arena_printf(&r->arena, "%s/%s", path,
		    r->params[0]));
	}
	if (!f.errors)
		return status == 503 ? unavailable(r) : status;
	return edit_page(&f, res, path, row, 422);
}

/* POST /admin/X/{id}/delete: 303 to the list with a notice; 404; 503. */
int
resource_delete_post(struct req *r)
{
	const struct resource *res = resource_of(r);
	const char *id = req_id(r);
	PGresult *pg;

	if (!id)
		return 404;
	if (db_begin(&r->app->db) < 0 || !(pg = q(r, res->del, id)))
		return unavailable(r);
	if (PQntuples(pg) != 1) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (audit(r, arena_printf(&r->arena, "%s.delete", res->type),
	    res->type, req_id_long(r), db_str(pg, 0, LABEL)) < 0 ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	if (res->deleted)
		res->deleted(r, req_id_long(r));
	flash_set(r, arena_printf(&r->arena, res->removed,
	    db_str(pg, 0, LABEL)));
	return resp_redirect(r, resource_path(r));
}

/* ---- editors ------------------------------------------------------ */

enum { PUB_STATE, PUB_FROZEN, PUB_UPDATED, PUB_AUTHOR, PUB_CREATED,
	PUB__NCOLS };

static const struct pub new_pub = { NULL, "draft", 0, "", "", "", "" };

int
editor_page(struct form *f, const struct editor *e, const struct pub *p,
    int status)
{
	struct req *r = f->r;

	if (e->view && e->view(f) < 0)
		return unavailable(r);
	admin_chrome(r, &f->v, e->path);
	view_int(&f->v, "is_new", p->id == NULL);
	view_str(&f->v, "id", p->id ? p->id : "");
	view_str(&f->v, "action_url", p->id ? arena_printf(&r->arena,
	    "%s/%s", e->path, p->id) : e->path);
	view_str(&f->v, "state", p->state);
	view_str(&f->v, "state_label", state_label(p->state));
	view_int(&f->v, "frozen", p->frozen);
	view_str(&f->v, "public_url", p->id && !strcmp(p->state, "published") ?
	    arena_printf(&r->arena, "%s%s", e->public_path, p->slug) : "");
	view_str(&f->v, "author", p->author);
	view_str(&f->v, "created", p->created);
	view_str(&f->v, "updated", p->updated);
	return form_render(f, status, e->tpl, p->id ? e->edit_title :
	    e->new_title);
}

int
editor_new(struct req *r)
{
	const struct editor *e = r->route->data;
	struct form f;

	form_init(&f, r, e->fields);
	if (r->method == HTTP_POST)
		return e->post(r, &f, &new_pub);
	return editor_page(&f, e, &new_pub, 200);
}

int
editor_edit(struct req *r)
{
	const struct editor *e = r->route->data;
	struct form f;
	struct pub p;
	PGresult *row;
	int rc, meta;

	form_init(&f, r, e->fields);
	if ((rc = admin_form_load(r, e->get, &f, &row)))
		return rc;
	meta = RESOURCE_ID + 1 + (int)f.nread;
	p.id = db_str(row, 0, RESOURCE_ID);
	p.slug = form_get(&f, "slug");
	p.state = db_str(row, 0, meta + PUB_STATE);
	p.frozen = db_bool(row, 0, meta + PUB_FROZEN);
	p.updated = db_str(row, 0, meta + PUB_UPDATED);
	p.author = db_str(row, 0, meta + PUB_AUTHOR);
	p.created = db_str(row, 0, meta + PUB_CREATED);
	if (r->method == HTTP_POST)
		return e->post(r, &f, &p);
	return editor_page(&f, e, &p, 200);
}

/* ---- the declarations checked ------------------------------------- */

static const struct resource *const resources[] = {
	&admin_articles, &admin_pages, &admin_categories, &admin_blocks,
	&admin_redirections, &admin_media, &admin_audit,
	/* events */
	&admin_event_categories, &admin_events,
	&admin_committees,	/* committees */
	&admin_convince,	/* convince (issue 10) */
};

static const struct editor *const editors[] = { &article_editor,
	&page_editor };

/* One misfit of res: logs it and returns 1. */
static int
misfit(const struct resource *res, enum stmt s, const char *what, int want,
    int got)
{
	if (want == got)
		return 0;
	log_error("resource %s: %s has %d %s, its row wants %d", res->type,
	    stmt_defs[s].name, got, what, want);
	return 1;
}

int
resources_check(void)
{
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
		const struct resource *res = resources[i];
		int nf = 0;

		while (res->fields && res->fields[nf].name)
			nf++;
		bad += misfit(res, res->list, "parameters", res->filter ? 3 : 2,
		    stmt_defs[res->list].nparams);
		if (!res->cells)
			bad += misfit(res, res->list, "columns",
			    (int)nheads(res) + 2, stmt_defs[res->list].ncols);
		if (res->get)
			bad += misfit(res, res->get, "columns", nf + 1,
			    stmt_defs[res->get].ncols);
		if (res->insert)
			bad += misfit(res, res->insert, "parameters", nf,
			    stmt_defs[res->insert].nparams);
		if (res->update)
			bad += misfit(res, res->update, "parameters", nf + 1,
			    stmt_defs[res->update].nparams);
		if (res->del)
			bad += misfit(res, res->del, "parameters", 1,
			    stmt_defs[res->del].nparams);
	}
	for (size_t i = 0; i < ARRAY_SIZE(editors); i++) {
		const struct editor *e = editors[i];
		int nf = 0;

		while (e->fields[nf].name)
			nf++;
		if (stmt_defs[e->get].ncols != nf + 1 + PUB__NCOLS) {
			log_error("editor %s: %s has %d columns, its row wants "
			    "%d", e->type, stmt_defs[e->get].name,
			    stmt_defs[e->get].ncols, nf + 1 + PUB__NCOLS);
			bad++;
		}
	}
	return bad ? -1 : 0;
}
