/*
 * admin_site: what shapes the site around the articles, in the
 * back-office: categories (/admin/categories), home blocks
 * (/admin/home-blocks) and redirections (/admin/redirections).
 */
#include "../core/common.h"
#include "../infra/session.h"
#include "admin.h"
#include "features.h"

#define PATH_MAX_LEN 2000

/* ---------------------------------------------------------------- */
/* Categories, home blocks, redirections: a list with a form to add   */
/* one, and an edit page each. A 422 on the list's form re-renders    */
/* the list with the values.                                          */

/* Optional integer field name in [-1e6, 1e6], "0" when empty. */
static const char *
form_position(struct form *f, const char *name)
{
	const char *s = form_text(f, name, 12);
	long n;

	if (!*s)
		return "0";
	if (parse_long(s, -1000000, 1000000, &n) < 0) {
		form_error(f, name, "Indiquez un nombre entier (0 en premier).");
		return s;
	}
	return arena_printf(&f->r->arena, "%ld", n);
}

/* Run an insert or update that returns the id, its audit record in the
 * same transaction. 1 done; 0 a unique constraint refused it (field
 * `unique_field` marked); 404 when no row; -1 PostgreSQL failed. */
static int
write_row(struct form *f, PGresult *res, const char *action,
    const char *type, const char *label, const char *unique_field,
    const char *unique_msg)
{
	struct req *r = f->r;

	if (!res && db_unique_violation(&r->app->db)) {
		db_rollback(&r->app->db);
		form_error(f, unique_field, unique_msg);
		return 0;
	}
	if (!res)
		return -1;
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (audit(r, action, type, db_long(res, 0, 0), label) < 0 ||
	    db_commit(&r->app->db) < 0)
		return -1;
	return 1;
}

static const char *const category_fields[] = {
	"name", "slug", "description", "position", NULL
};

struct category {
	const char *id, *name, *slug, *description, *position;
};

static void
category_values(struct form *f, const struct category *c)
{
	form_value(f, "name", c->name);
	form_value(f, "slug", c->slug);
	form_value(f, "description", c->description);
	form_value(f, "position", c->position);
}

/* The list with the "new category" form (values in f). */
static int
categories_page(struct form *f, int status)
{
	struct req *r = f->r;
	struct view_rows rows;
	PGresult *res = q(r, STMT_ADMIN_CATEGORIES);
	const char *flash;

	if (!res)
		return unavailable(r);
	flash = flash_take(r);
	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(r, "/admin/categories"));
	if (flash)
		view_str(&f->v, "notice", flash);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add_html(&rows, 1, 4, link_html(r,
		    arena_printf(&r->arena, "/admin/categories/%s",
		    db_str(res, i, 0)), db_str(res, i, 1)), db_str(res, i, 2),
		    db_str(res, i, 3), db_str(res, i, 4));
	view_rows_set(&f->v, "categories", &rows);
	view_int(&f->v, "empty", PQntuples(res) == 0);
	if (form_include(f, "admin_category_fields", "fields") < 0)
		return 500;
	return form_render(f, status, "admin_categories", "Catégories");
}

static int
category_page(struct form *f, const struct category *c, int status)
{
	struct req *r = f->r;

	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(r, "/admin/categories"));
	view_str(&f->v, "id", c->id);
	view_str(&f->v, "public_url", arena_printf(&r->arena,
	    "/articles/category/%s", c->slug));
	if (form_include(f, "admin_category_fields", "fields") < 0)
		return 500;
	return form_render(f, status, "admin_category",
	    "Modifier la catégorie");
}

int
admin_categories_get(struct req *r)
{
	struct form f;

	form_init(&f, r, category_fields);
	form_value(&f, "position", "0");
	return categories_page(&f, 200);
}

static int
category_load(struct req *r, struct category *c)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_ADMIN_CATEGORY, id)))
		return unavailable(r);
	if (PQntuples(res) != 1)
		return 404;
	c->id = db_str(res, 0, 0);
	c->name = db_str(res, 0, 1);
	c->slug = db_str(res, 0, 2);
	c->description = db_str(res, 0, 3);
	c->position = db_str(res, 0, 4);
	return 0;
}

int
admin_category_get(struct req *r)
{
	struct form f;
	struct category c;
	const char *flash;
	int rc;

	if ((rc = category_load(r, &c)))
		return rc;
	form_init(&f, r, category_fields);
	category_values(&f, &c);
	if ((flash = flash_take(r)))
		view_str(&f.v, "notice", flash);
	return category_page(&f, &c, 200);
}

/* Check the posted category; -1 when PostgreSQL failed. */
static int
category_read(struct form *f, struct category *c, const char *self)
{
	const char *typed = form_text(f, "slug", SLUG_MAX * 2);
	int failed = 0;

	c->name = form_text(f, "name", 101);
	c->description = form_text(f, "description", 1001);
	c->position = form_position(f, "position");
	c->slug = typed;
	category_values(f, c);
	if (!*c->name)
		form_error(f, "name", "Donnez un nom à la catégorie.");
	else if (too_long(c->name, 100))
		form_error(f, "name", "Le nom doit faire au plus 100 "
		    "caractères.");
	if (too_long(c->description, 1000))
		form_error(f, "description", "La description doit faire au "
		    "plus 1000 caractères.");
	if (*c->name || *typed) {
		const char *s = form_slug(f, STMT_ADMIN_CATEGORY_SLUGS, typed,
		    c->name, self, &failed);

		if (failed)
			return -1;
		if (s)
			c->slug = s;
	}
	return 0;
}

/* POST /admin/categories: name, slug, description, position. 303 to the
 * list; 422 with the list; 503. */
int
admin_category_create_post(struct req *r)
{
	struct form f;
	struct category c = { 0 };
	int rc;

	form_init(&f, r, category_fields);
	if (category_read(&f, &c, NULL) < 0)
		return unavailable(r);
	if (f.errors)
		return categories_page(&f, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_CATEGORY_INSERT, c.name, c.slug,
	    c.description, c.position), "category.create", "category", c.name,
	    "slug", "Cette adresse est déjà utilisée.");
	if (rc == 0)
		return categories_page(&f, 422);
	if (rc < 0)
		return unavailable(r);
	flash_set(r, arena_printf(&r->arena, "La catégorie « %s » est créée.",
	    c.name));
	return resp_redirect(r, "/admin/categories");
}

/* POST /admin/categories/{id}: 303 back; 422; 404; 503. */
int
admin_category_post(struct req *r)
{
	struct form f;
	struct category cur, c = { 0 };
	int rc;

	if ((rc = category_load(r, &cur)))
		return rc;
	form_init(&f, r, category_fields);
	if (category_read(&f, &c, cur.id) < 0)
		return unavailable(r);
	c.id = cur.id;
	if (f.errors)
		return category_page(&f, &cur, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_CATEGORY_UPDATE, cur.id, c.name,
	    c.slug, c.description, c.position), "category.update", "category",
	    c.name, "slug", "Cette adresse est déjà utilisée.");
	if (rc == 0)
		return category_page(&f, &cur, 422);
	if (rc < 0)
		return unavailable(r);
	if (rc == 404)
		return 404;
	flash_set(r, "La catégorie est enregistrée.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/admin/categories/%s", cur.id));
}

/* Articles of a deleted category stay, without category (SET NULL). */
int
admin_category_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_CATEGORY_DELETE, "category.delete",
	    "category", "/admin/categories",
	    "La catégorie « %s » est supprimée.");
}

/* Home blocks */

static const char *const block_fields[] = {
	"title", "body", "link", "media_id", "position", "visible", NULL
};

struct block {
	const char *id, *title, *body, *link, *media_id, *position;
	int visible;
};

static int
block_values(struct form *f, const struct block *b)
{
	PGresult *media = q(f->r, STMT_ADMIN_MEDIA_OPTIONS);

	form_value(f, "title", b->title);
	form_value(f, "body", b->body);
	form_value(f, "link", b->link);
	form_value(f, "position", b->position);
	view_int(&f->v, "visible", b->visible);
	if (!media)
		return -1;
	view_raw_html_already_safe(&f->v, "media_options",
	    options_html(f->r, media, b->media_id, "Aucune"));
	return form_include(f, "admin_block_fields", "fields") < 0 ? -1 : 0;
}

static int
blocks_page(struct form *f, const struct block *b, int status)
{
	struct req *r = f->r;
	struct view_rows rows;
	PGresult *res = q(r, STMT_ADMIN_BLOCKS);
	const char *flash;

	if (!res || block_values(f, b) < 0)
		return unavailable(r);
	flash = flash_take(r);
	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(r, "/admin/home-blocks"));
	if (flash)
		view_str(&f->v, "notice", flash);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add_html(&rows, 1, 4, link_html(r,
		    arena_printf(&r->arena, "/admin/home-blocks/%s",
		    db_str(res, i, 0)), db_str(res, i, 1)), db_str(res, i, 2),
		    db_str(res, i, 3), db_bool(res, i, 4) ? "oui" : "non");
	view_rows_set(&f->v, "blocks", &rows);
	view_int(&f->v, "empty", PQntuples(res) == 0);
	return form_render(f, status, "admin_blocks", "Blocs d'accueil");
}

static int
block_page(struct form *f, const struct block *b, const char *id,
    int status)
{
	const char *flash = flash_take(f->r);

	if (block_values(f, b) < 0)
		return unavailable(f->r);
	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(f->r, "/admin/home-blocks"));
	if (flash)
		view_str(&f->v, "notice", flash);
	view_str(&f->v, "id", id);
	return form_render(f, status, "admin_block", "Modifier le bloc");
}

int
admin_blocks_get(struct req *r)
{
	struct form f;
	struct block b = { NULL, "", "", "", "", "0", 1 };

	form_init(&f, r, block_fields);
	return blocks_page(&f, &b, 200);
}

static int
block_load(struct req *r, struct block *b)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_ADMIN_BLOCK, id)))
		return unavailable(r);
	if (PQntuples(res) != 1)
		return 404;
	b->id = db_str(res, 0, 0);
	b->title = db_str(res, 0, 1);
	b->body = db_str(res, 0, 2);
	b->link = db_str(res, 0, 3);
	b->media_id = db_str(res, 0, 4);
	b->position = db_str(res, 0, 5);
	b->visible = db_bool(res, 0, 6);
	return 0;
}

int
admin_block_get(struct req *r)
{
	struct form f;
	struct block b;
	int rc;

	if ((rc = block_load(r, &b)))
		return rc;
	form_init(&f, r, block_fields);
	return block_page(&f, &b, b.id, 200);
}

/* A path of ours ("/..." but not "//" nor "/\") or an https:// URL, with
 * no space or control character. allow_url: https:// allowed. */
static int
valid_target(const char *s, int allow_url)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	if (s[0] == '/')
		return s[1] != '/' && s[1] != '\\';
	return allow_url && !strncmp(s, "https://", 8) && s[8] &&
	    s[8] != '/' && s[8] != '\\';
}

/* Check the posted block; -1 when PostgreSQL failed. */
static int
block_read(struct form *f, struct block *b)
{
	PGresult *media = q(f->r, STMT_ADMIN_MEDIA_OPTIONS);

	if (!media)
		return -1;
	b->title = form_text(f, "title", TITLE_MAX + 1);
	b->body = form_text(f, "body", 1001);
	b->link = form_text(f, "link", PATH_MAX_LEN + 1);
	b->media_id = form_text(f, "media_id", 20);
	b->position = form_position(f, "position");
	b->visible = req_form(f->r, "visible") != NULL;
	if (!*b->title)
		form_error(f, "title", "Donnez un titre au bloc.");
	else if (too_long(b->title, TITLE_MAX))
		form_error(f, "title", "Le titre doit faire au plus 200 "
		    "caractères.");
	if (too_long(b->body, 1000))
		form_error(f, "body", "Le texte doit faire au plus 1000 "
		    "caractères.");
	if (*b->link && (too_long(b->link, PATH_MAX_LEN) ||
	    !valid_target(b->link, 1)))
		form_error(f, "link", "Indiquez une adresse du site "
		    "(commençant par /) ou une adresse https://.");
	if (*b->media_id && !option_exists(media, b->media_id))
		form_error(f, "media_id", "Cette image n'existe pas.");
	return 0;
}

/* POST /admin/home-blocks: title, body, link, media_id, position,
 * visible. 303 to the list; 422; 503. */
int
admin_block_create_post(struct req *r)
{
	struct form f;
	struct block b = { 0 };
	int rc;

	form_init(&f, r, block_fields);
	if (block_read(&f, &b) < 0)
		return unavailable(r);
	if (f.errors)
		return blocks_page(&f, &b, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_BLOCK_INSERT, b.title, b.body,
	    b.link, b.media_id, b.position, b.visible ? "true" : "false"),
	    "home_block.create", "home_block", b.title, "title", "");
	if (rc <= 0)
		return unavailable(r);
	flash_set(r, arena_printf(&r->arena, "Le bloc « %s » est créé.",
	    b.title));
	return resp_redirect(r, "/admin/home-blocks");
}

int
admin_block_post(struct req *r)
{
	struct form f;
	struct block cur, b = { 0 };
	int rc;

	if ((rc = block_load(r, &cur)))
		return rc;
	form_init(&f, r, block_fields);
	if (block_read(&f, &b) < 0)
		return unavailable(r);
	if (f.errors)
		return block_page(&f, &b, cur.id, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_BLOCK_UPDATE, cur.id, b.title,
	    b.body, b.link, b.media_id, b.position,
	    b.visible ? "true" : "false"), "home_block.update", "home_block",
	    b.title, "title", "");
	if (rc == 404)
		return 404;
	if (rc <= 0)
		return unavailable(r);
	flash_set(r, "Le bloc est enregistré.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/admin/home-blocks/%s", cur.id));
}

int
admin_block_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_BLOCK_DELETE, "home_block.delete",
	    "home_block", "/admin/home-blocks", "Le bloc « %s » est supprimé.");
}

/* Redirections */

static const char *const redirection_fields[] = {
	"from_path", "to_path", "code", NULL
};

struct redirection {
	const char *id, *from, *to, *code;
};

static void
redirection_values(struct form *f, const struct redirection *d)
{
	form_value(f, "from_path", d->from);
	form_value(f, "to_path", d->to);
	form_value(f, "code", d->code);
}

static int
redirections_page(struct form *f, int status)
{
	struct req *r = f->r;
	long pg = page_number(r);
	struct view_rows rows;
	PGresult *res = q(r, STMT_ADMIN_REDIRECTIONS,
	    arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE), offset_of(r, pg));
	const char *flash;

	if (!res)
		return unavailable(r);
	flash = flash_take(r);
	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(r, "/admin/redirections"));
	if (flash)
		view_str(&f->v, "notice", flash);
	view_rows_init(&rows, &f->v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add_html(&rows, 1, 4, link_html(r,
		    arena_printf(&r->arena, "/admin/redirections/%s",
		    db_str(res, i, 0)), db_str(res, i, 1)), db_str(res, i, 2),
		    db_str(res, i, 3), db_str(res, i, 4));
	view_rows_set(&f->v, "redirections", &rows);
	view_int(&f->v, "empty", PQntuples(res) == 0);
	view_pager(r, &f->v, "/admin/redirections", "", pg,
	    PQntuples(res) ? db_long(res, 0, 5) : 0);
	if (form_include(f, "admin_redirection_fields", "fields") < 0)
		return 500;
	return form_render(f, status, "admin_redirections", "Redirections");
}

static int
redirection_page(struct form *f, const char *id, int status)
{
	const char *flash = flash_take(f->r);

	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(f->r, "/admin/redirections"));
	if (flash)
		view_str(&f->v, "notice", flash);
	view_str(&f->v, "id", id);
	if (form_include(f, "admin_redirection_fields", "fields") < 0)
		return 500;
	return form_render(f, status, "admin_redirection",
	    "Modifier la redirection");
}

int
admin_redirections_get(struct req *r)
{
	struct form f;

	form_init(&f, r, redirection_fields);
	form_value(&f, "code", "301");
	return redirections_page(&f, 200);
}

static int
redirection_load(struct req *r, struct redirection *d)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_ADMIN_REDIRECTION, id)))
		return unavailable(r);
	if (PQntuples(res) != 1)
		return 404;
	d->id = db_str(res, 0, 0);
	d->from = db_str(res, 0, 1);
	d->to = db_str(res, 0, 2);
	d->code = db_str(res, 0, 3);
	return 0;
}

int
admin_redirection_get(struct req *r)
{
	struct form f;
	struct redirection d;
	int rc;

	if ((rc = redirection_load(r, &d)))
		return rc;
	form_init(&f, r, redirection_fields);
	redirection_values(&f, &d);
	return redirection_page(&f, d.id, 200);
}

static void
redirection_read(struct form *f, struct redirection *d)
{
	d->from = form_text(f, "from_path", PATH_MAX_LEN + 1);
	d->to = form_text(f, "to_path", PATH_MAX_LEN + 1);
	d->code = form_text(f, "code", 3);
	if (!*d->code)
		d->code = "301";
	redirection_values(f, d);
	if (!*d->from)
		form_error(f, "from_path", "Indiquez l'ancienne adresse.");
	else if (too_long(d->from, PATH_MAX_LEN) || !valid_target(d->from, 0) ||
	    !d->from[1] || strpbrk(d->from, "?#"))
		form_error(f, "from_path", "Indiquez un chemin du site "
		    "commençant par / (par exemple /ancienne-page), sans ? "
		    "ni #.");
	if (!*d->to)
		form_error(f, "to_path", "Indiquez la nouvelle adresse.");
	else if (too_long(d->to, PATH_MAX_LEN) || !valid_target(d->to, 1))
		form_error(f, "to_path", "Indiquez un chemin du site "
		    "commençant par / ou une adresse https://.");
	else if (!strcmp(d->from, d->to))
		form_error(f, "to_path", "La nouvelle adresse doit être "
		    "différente de l'ancienne.");
	if (strcmp(d->code, "301") && strcmp(d->code, "302"))
		form_error(f, "code", "Choisissez 301 (définitive) ou 302 "
		    "(temporaire).");
}

#define FROM_TAKEN "Une redirection existe déjà pour cette adresse."

/* POST /admin/redirections: from_path, to_path, code. 303 to the list;
 * 422 (a from_path already redirected included); 503. */
int
admin_redirection_create_post(struct req *r)
{
	struct form f;
	struct redirection d = { 0 };
	int rc;

	form_init(&f, r, redirection_fields);
	redirection_read(&f, &d);
	if (f.errors)
		return redirections_page(&f, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_REDIRECTION_INSERT, d.from, d.to,
	    d.code), "redirection.create", "redirection", d.from, "from_path",
	    FROM_TAKEN);
	if (rc == 0)
		return redirections_page(&f, 422);
	if (rc < 0)
		return unavailable(r);
	flash_set(r, arena_printf(&r->arena, "La redirection de %s est créée.",
	    d.from));
	return resp_redirect(r, "/admin/redirections");
}

int
admin_redirection_post(struct req *r)
{
	struct form f;
	struct redirection cur, d = { 0 };
	int rc;

	if ((rc = redirection_load(r, &cur)))
		return rc;
	form_init(&f, r, redirection_fields);
	redirection_read(&f, &d);
	if (f.errors)
		return redirection_page(&f, cur.id, 422);
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	rc = write_row(&f, q(r, STMT_ADMIN_REDIRECTION_UPDATE, cur.id, d.from,
	    d.to, d.code), "redirection.update", "redirection", d.from,
	    "from_path", FROM_TAKEN);
	if (rc == 0)
		return redirection_page(&f, cur.id, 422);
	if (rc == 404)
		return 404;
	if (rc < 0)
		return unavailable(r);
	flash_set(r, "La redirection est enregistrée.");
	return resp_redirect(r, arena_printf(&r->arena,
	    "/admin/redirections/%s", cur.id));
}

int
admin_redirection_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_REDIRECTION_DELETE,
	    "redirection.delete", "redirection", "/admin/redirections",
	    "La redirection de %s est supprimée.");
}
