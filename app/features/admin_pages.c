/*
 * admin_pages: the back-office's pages (/admin/pages): the list (a
 * resource, admin.h) and the editor: create, edit, publish, unpublish. A
 * published page keeps its slug: unpublish it to change its address.
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const char *const page_actions[] = { "save", "publish", "unpublish",
	NULL };

static const struct form_field page_fields[] = {
	{ "title", F_REQUIRED, .max = TITLE_MAX, .msg = {
	    [VALID_MISSING] = "Donnez un titre à la page.",
	    [VALID_TOO_LONG] = "Le titre doit faire au plus 200 caractères." } },
	{ "slug", 0, .valid = valid_slug, .msg = {
	    [VALID_INVALID] = "Cette adresse doit contenir des lettres ou des "
		"chiffres." } },
	{ "body", F_MULTILINE, .max = BODY_MAX, .msg = {
	    [VALID_TOO_LONG] = "Le texte est trop long." } },
	{ "action", 0, .choices = page_actions, .fallback = "save", .msg = {
	    [VALID_INVALID] = "Action inconnue." } },
	{ NULL }
};

/* Title, address, state, date, and the preview and public links. */
static void
page_cells(struct req *r, const PGresult *res, int i, const char **cells)
{
	const char *id = db_str(res, i, PL_ID), *st = db_str(res, i, PL_STATE);
	const char *links = link_html(r, arena_printf(&r->arena,
	    "/admin/pages/%s/preview", id), "Aperçu");

	if (!strcmp(st, "published"))
		links = arena_printf(&r->arena, "%s · %s", links,
		    link_html(r, db_str(res, i, PL_PATH), "Voir"));
	cells[0] = link_html(r, arena_printf(&r->arena, "/admin/pages/%s", id),
	    db_str(res, i, PL_TITLE));
	cells[1] = arena_printf(&r->arena, "<code>%s</code>", html_text(r,
	    db_str(res, i, PL_PATH)));
	cells[2] = html_text(r, state_label(st));
	cells[3] = html_text(r, db_str(res, i, PL_UPDATED));
	cells[4] = links;
}

const struct resource admin_pages = {
	.type = "page",
	.title = "Pages",
	.list = STMT_ADMIN_PAGES,
	.heads = { "Titre", "Adresse", "État", "Modifiée", "Liens" },
	.count_label = "page(s)",
	.paged = 1,
	.empty = "Aucune page.",
	.cells = page_cells,
	.new_link = "/admin/pages/new",
	.new_label = "Créer une page",
	.del = STMT_ADMIN_PAGE_DELETE,
	.removed = "La page « %s » est supprimée.",
};

/*
 * POST /admin/pages (new) and POST /admin/pages/{id}: title, slug, body,
 * action = save | publish | unpublish. 303 to the page's form with a
 * notice; 422; 404; 503.
 */
static int
page_post(struct req *r, struct form *f, const struct pub *p)
{
	const char *html, *st, *id;
	int act, status;
	PGresult *res;

	form_read(f);
	act = pub_action(f);
	if (pub_slug(f, p->id, p->frozen ? p->slug : NULL, "Cette page est "
	    "publiée : dépubliez-la pour changer son adresse.",
	    STMT_ADMIN_PAGE_SLUGS) < 0)
		return unavailable(r);
	if (f->errors)
		return editor_page(f, &page_editor, p, 422);
	if (!(html = render_body(r, form_get(f, "body"))))
		return 500;
	st = act == ACT_PUBLISH ? "published" : act == ACT_UNPUBLISH ?
	    "draft" : p->state;
	if (db_begin(&r->app->db) < 0)
		return unavailable(r);
	res = p->id ? q(r, STMT_ADMIN_PAGE_UPDATE, p->id, form_get(f, "title"),
	    form_get(f, "slug"), form_get(f, "body"), html, st) :
	    q(r, STMT_ADMIN_PAGE_INSERT, form_get(f, "title"),
	    form_get(f, "slug"), form_get(f, "body"), html, st);
	if (!(id = pub_write(f, res, "page", p->id, act, &status)))
		return status == 422 ? editor_page(f, &page_editor, p, 422) :
		    status == 503 ? unavailable(r) : status;
	flash_set(r, act == ACT_PUBLISH ? "La page est publiée." :
	    act == ACT_UNPUBLISH ? "La page est dépubliée : elle n'est plus "
	    "visible." : "La page est enregistrée.");
	return resp_redirect(r, arena_printf(&r->arena, "/admin/pages/%s", id));
}

const struct editor page_editor = {
	.type = "page",
	.path = "/admin/pages",
	.public_path = "/pages/",
	.fields = page_fields,
	.get = STMT_ADMIN_PAGE,
	.tpl = "admin_page",
	.new_title = "Nouvelle page",
	.edit_title = "Modifier la page",
	.post = page_post,
};
