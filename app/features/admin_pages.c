/*
 * admin_pages: the back-office's pages (/admin/pages): list, form,
 * create, edit, publish, unpublish, delete. A published page keeps its
 * slug: unpublish it to change its address.
 */
#include "../core/common.h"
#include "../infra/session.h"
#include "admin.h"
#include "features.h"

/* ---------------------------------------------------------------- */
/* Pages                                                               */

static const char *const page_fields[] = {
	"title", "slug", "body", "action", NULL
};

struct page {
	const char *id;		/* NULL: not created yet */
	const char *title, *slug, *body, *status, *updated;
	const char *stored_slug;	/* the slug readers know */
};

/* GET /admin/pages?page=N: 200; 503. */
int
admin_pages_get(struct req *r)
{
	long pg = page_number(r);
	struct view v;
	struct view_rows rows;
	PGresult *res = q(r, STMT_ADMIN_PAGES,
	    arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE), offset_of(r, pg));

	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/pages");
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_str(res, i, 0), *st = db_str(res, i, 3);
		const char *links = link_html(r, arena_printf(&r->arena,
		    "/admin/pages/%s/preview", id), "Aperçu");

		if (!strcmp(st, "published"))
			links = arena_printf(&r->arena, "%s · %s", links,
			    link_html(r, arena_printf(&r->arena, "/pages/%s",
			    db_str(res, i, 2)), "Voir"));
		view_rows_add_html(&rows, 1 | 1 << 4, 5, link_html(r,
		    arena_printf(&r->arena, "/admin/pages/%s", id),
		    db_str(res, i, 1)), db_str(res, i, 2), state_label(st),
		    db_str(res, i, 4), links);
	}
	view_rows_set(&v, "pages_rows", &rows);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_pager(r, &v, "/admin/pages", "", pg,
	    PQntuples(res) ? db_long(res, 0, 5) : 0);
	return render(r, 200, "admin_pages", &v, "Pages");
}

static int
page_form(struct form *f, const struct page *p, int status)
{
	struct req *r = f->r;
	const char *flash = flash_take(r);

	view_raw_html_already_safe(&f->v, "nav", admin_nav(r, "/admin/pages"));
	if (flash)
		view_str(&f->v, "notice", flash);
	form_value(f, "title", p->title);
	form_value(f, "slug", p->slug);
	form_value(f, "body", p->body);
	view_int(&f->v, "is_new", p->id == NULL);
	view_str(&f->v, "id", p->id ? p->id : "");
	view_str(&f->v, "action_url", p->id ? arena_printf(&r->arena,
	    "/admin/pages/%s", p->id) : "/admin/pages");
	view_str(&f->v, "state", p->status);
	view_str(&f->v, "state_label", state_label(p->status));
	view_int(&f->v, "frozen", !strcmp(p->status, "published"));
	view_str(&f->v, "public_url", p->id && !strcmp(p->status,
	    "published") ? arena_printf(&r->arena, "/pages/%s",
	    p->stored_slug) : "");
	view_str(&f->v, "updated", p->updated ? p->updated : "");
	return form_render(f, status, "admin_page",
	    p->id ? "Modifier la page" : "Nouvelle page");
}

static int
page_load(struct req *r, struct page *p)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_ADMIN_PAGE, id)))
		return unavailable(r);
	if (PQntuples(res) != 1)
		return 404;
	p->id = db_str(res, 0, 0);
	p->title = db_str(res, 0, 1);
	p->slug = p->stored_slug = db_str(res, 0, 2);
	p->body = db_str(res, 0, 3);
	p->status = db_str(res, 0, 4);
	p->updated = db_str(res, 0, 5);
	return 0;
}

int
admin_page_new_get(struct req *r)
{
	struct form f;
	struct page p = { NULL, "", "", "", "draft", NULL, "" };

	form_init(&f, r, page_fields);
	return page_form(&f, &p, 200);
}

int
admin_page_get(struct req *r)
{
	struct form f;
	struct page p;
	int rc;

	if ((rc = page_load(r, &p)))
		return rc;
	form_init(&f, r, page_fields);
	return page_form(&f, &p, 200);
}

/* Check the posted page into p; -1 when PostgreSQL failed. */
static int
page_read(struct form *f, struct page *p, const struct page *cur)
{
	const char *typed = form_text(f, "slug", SLUG_MAX * 2);
	int failed = 0;

	p->title = form_text(f, "title", TITLE_MAX + 1);
	p->slug = typed;
	if (!(p->body = form_body(f->r, "body", BODY_MAX))) {
		p->body = "";
		form_error(f, "body", "Le texte est trop long.");
	}
	if (!*p->title)
		form_error(f, "title", "Donnez un titre à la page.");
	else if (too_long(p->title, TITLE_MAX))
		form_error(f, "title", "Le titre doit faire au plus 200 "
		    "caractères.");
	if (cur && !strcmp(cur->status, "published")) {
		char s[SLUG_MAX + 1];

		slugify(typed, s);
		if (*typed && strcmp(s, cur->slug))
			form_error(f, "slug", "Cette page est publiée : "
			    "dépubliez-la pour changer son adresse.");
		else
			p->slug = cur->slug;
	} else if (*p->title || *typed) {
		const char *s = form_slug(f, STMT_ADMIN_PAGE_SLUGS, typed,
		    p->title, cur ? cur->id : NULL, &failed);

		if (failed)
			return -1;
		if (s)
			p->slug = s;
	}
	return 0;
}

static const char *const page_audit[] = {
	[ACT_SAVE] = "page.update", [ACT_PUBLISH] = "page.publish",
	[ACT_UNPUBLISH] = "page.unpublish",
};

/*
 * POST /admin/pages (cur NULL) and POST /admin/pages/{id}: title, slug,
 * body, action = save | publish | unpublish. 303 to the page's form with
 * a notice; 422; 404; 503.
 */
static int
page_post(struct req *r, const struct page *cur)
{
	struct form f;
	struct page p = { 0 };
	int act = parse_action(req_form(r, "action"), 0);
	const char *html, *st;
	PGresult *res;

	form_init(&f, r, page_fields);
	if (act < 0) {
		form_error(&f, "action", "Action inconnue.");
		act = ACT_SAVE;
	}
	if (page_read(&f, &p, cur) < 0)
		return unavailable(r);
	p.id = cur ? cur->id : NULL;
	p.status = cur ? cur->status : "draft";
	p.updated = cur ? cur->updated : NULL;
	p.stored_slug = cur ? cur->stored_slug : "";
	if (f.errors)
		return page_form(&f, &p, 422);
	if (!(html = render_body(r, p.body)))
		return 500;
	st = act == ACT_PUBLISH ? "published" : act == ACT_UNPUBLISH ?
	    "draft" : p.status;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	res = cur ? q(r, STMT_ADMIN_PAGE_UPDATE, cur->id, p.title, p.slug,
	    p.body, html, st) : q(r, STMT_ADMIN_PAGE_INSERT, p.title, p.slug,
	    p.body, html, st);
	if (!res && db_unique_violation(&r->app->db)) {
		db_rollback(&r->app->db);
		form_error(&f, "slug", "Cette adresse est déjà utilisée.");
		return page_form(&f, &p, 422);
	}
	if (!res)
		return unavailable(r);
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		return 404;
	}
	if ((!cur && audit(r, "page.create", "page", db_long(res, 0, 0),
	    p.title) < 0) || ((cur || act == ACT_PUBLISH) &&
	    audit(r, page_audit[act], "page", db_long(res, 0, 0),
	    p.title) < 0) || db_commit(&r->app->db) < 0)
		return unavailable(r);
	flash_set(r, act == ACT_PUBLISH ? "La page est publiée." :
	    act == ACT_UNPUBLISH ? "La page est dépubliée : elle n'est plus "
	    "visible." : "La page est enregistrée.");
	return resp_redirect(r, arena_printf(&r->arena, "/admin/pages/%s",
	    db_str(res, 0, 0)));
}

int
admin_page_create_post(struct req *r)
{
	return page_post(r, NULL);
}

int
admin_page_post(struct req *r)
{
	struct page cur;
	int rc;

	if ((rc = page_load(r, &cur)))
		return rc;
	return page_post(r, &cur);
}

int
admin_page_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_PAGE_DELETE, "page.delete", "page",
	    "/admin/pages", "La page « %s » est supprimée.");
}
