/*
 * admin_articles: the back-office's articles (/admin/articles): the list
 * (a resource, admin.h), and the editor with its publishing workflow:
 * create, edit, publish, schedule, unpublish.
 *
 * States of an article: 'draft' or 'published' are stored; "scheduled" is
 * a published article whose published_at is still in the future. Times in
 * forms and lists are Europe/Paris wall-clock times (converted in SQL).
 * A slug is made from the title when left empty, and never changes again
 * once the article was first published (its URL may have been shared).
 */
#include "../core/common.h"
#include "admin.h"
#include "features.h"

static const struct form_field article_fields[] = {
	{ "title", F_REQUIRED, .max = TITLE_MAX, .msg = {
	    [VALID_MISSING] = "Donnez un titre à l'article.",
	    [VALID_TOO_LONG] = "Le titre doit faire au plus 200 caractères." } },
	{ "slug", 0, .valid = valid_slug, .msg = {
	    [VALID_INVALID] = "Cette adresse doit contenir des lettres ou des "
		"chiffres." } },
	{ "summary", 0, .max = 500, .msg = {
	    [VALID_TOO_LONG] = "Le résumé doit faire au plus 500 "
		"caractères." } },
	{ "body", F_MULTILINE, .max = BODY_MAX, .msg = {
	    [VALID_TOO_LONG] = "Le texte est trop long." } },
	{ "category_id", 0, .valid = valid_id, .msg = {
	    [VALID_INVALID] = "Cette catégorie n'existe pas." } },
	{ "media_id", 0, .valid = valid_id, .msg = {
	    [VALID_INVALID] = "Cette image n'existe pas." } },
	{ "featured", F_CHECKBOX },
	{ "published_at", 0, .max = 19, .valid = valid_local_datetime, .msg = {
	    [VALID_INVALID] = "Indiquez une date et une heure valides "
		"(JJ/MM/AAAA HH:MM)." } },
	{ "action", 0, .choices = pub_actions, .fallback = "save", .msg = {
	    [VALID_INVALID] = "Action inconnue." } },
	{ NULL }
};

static const char *const article_tabs[][2] = {
	{ "", "Tous" }, { "draft", "Brouillons" },
	{ "scheduled", "Programmés" }, { "published", "Publiés" },
	{ NULL, NULL },
};

static const struct resource_filter article_filter = { "status",
	article_tabs };

/* Title, state, category, dates, and the preview and public links. */
static void
article_cells(struct req *r, const PGresult *res, int i, const char **cells)
{
	const char *id = db_str(res, i, AL_ID), *state = db_str(res, i, AL_STATE);
	const char *links = link_html(r, arena_printf(&r->arena,
	    "/admin/articles/%s/preview", id), "Aperçu");

	if (!strcmp(state, "published"))
		links = arena_printf(&r->arena, "%s · %s", links, link_html(r,
		    arena_printf(&r->arena, "/articles/%s", db_str(res, i,
		    AL_SLUG)), "Voir"));
	cells[0] = link_html(r, arena_printf(&r->arena, "/admin/articles/%s",
	    id), db_str(res, i, AL_TITLE));
	cells[1] = html_text(r, state_label(state));
	cells[2] = html_text(r, db_str(res, i, AL_CATEGORY));
	cells[3] = html_text(r, db_str(res, i, AL_PUBLISHED));
	cells[4] = html_text(r, db_str(res, i, AL_UPDATED));
	cells[5] = links;
}

const struct resource admin_articles = {
	.type = "article",
	.title = "Articles",
	.list = STMT_ADMIN_ARTICLES,
	.heads = { "Titre", "État", "Catégorie", "Publication", "Modifié",
	    "Liens" },
	.count_label = "article(s)",
	.caption = "les plus récents d'abord",
	.paged = 1,
	.empty = "Aucun article.",
	.cells = article_cells,
	.filter = &article_filter,
	.new_link = "/admin/articles/new",
	.new_label = "Écrire un article",
	.del = STMT_ADMIN_ARTICLE_DELETE,
	.removed = "L'article « %s » est supprimé.",
};

/* The lists the editor offers. */
static int
article_view(struct form *f)
{
	struct req *r = f->r;
	PGresult *cats = q(r, STMT_ADMIN_CATEGORY_OPTIONS);
	PGresult *media = q(r, STMT_ADMIN_MEDIA_OPTIONS);

	if (!cats || !media)
		return -1;
	view_raw_html_already_safe(&f->v, "category_options",
	    options_html(r, cats, form_get(f, "category_id"), "Aucune"));
	view_raw_html_already_safe(&f->v, "media_options",
	    options_html(r, media, form_get(f, "media_id"), "Aucune"));
	return 0;
}

/* The checks that need the database or the action: the chosen category
 * and picture exist, a schedule is ahead, the slug is free (or frozen).
 * -1 when PostgreSQL failed, else 0. */
static int
article_check(struct form *f, const struct pub *a, int act)
{
	struct req *r = f->r;
	const char *at = form_get(f, "published_at");
	PGresult *cats = q(r, STMT_ADMIN_CATEGORY_OPTIONS);
	PGresult *media = q(r, STMT_ADMIN_MEDIA_OPTIONS), *future;

	if (!cats || !media)
		return -1;
	if (*form_get(f, "category_id") && !option_exists(cats,
	    form_get(f, "category_id")))
		form_error(f, "category_id", "Cette catégorie n'existe pas.");
	if (*form_get(f, "media_id") && !option_exists(media,
	    form_get(f, "media_id")))
		form_error(f, "media_id", "Cette image n'existe pas.");
	if (act == ACT_SCHEDULE && !*at)
		form_error(f, "published_at", "Indiquez quand publier "
		    "l'article.");
	else if (act == ACT_SCHEDULE && !form_has_error(f, "published_at")) {
		if (!(future = q(r, STMT_ADMIN_IS_FUTURE, at)))
			return -1;
		if (!db_bool(future, 0, VALUE))
			form_error(f, "published_at", "Pour programmer, "
			    "choisissez une date à venir.");
	}
	return pub_slug(f, a->id, a->frozen ? a->slug : NULL, "Cet article a "
	    "déjà été publié : son adresse ne peut plus changer.",
	    STMT_ADMIN_ARTICLE_SLUGS);
}

static const char *
article_notice(struct req *r, int act, const char *at)
{
	switch (act) {
	case ACT_PUBLISH:
		return "L'article est publié.";
	case ACT_SCHEDULE:
		return arena_printf(&r->arena, "L'article est programmé pour "
		    "le %.2s/%.2s/%.4s à %.5s.", at + 8, at + 5, at, at + 11);
	case ACT_UNPUBLISH:
		return "L'article est dépublié : il n'est plus visible.";
	default:
		return "L'article est enregistré.";
	}
}

/*
 * Write the checked article: insert (a->id NULL) or update, with its
 * audit records, in one transaction. The article's id, or NULL with
 * *status set (422 after marking a slug taken meanwhile, 404, 500, 503).
 */
static const char *
article_write(struct form *f, const struct pub *a, int act, int *status)
{
	struct req *r = f->r;
	const char *html = render_body(r, form_get(f, "body"));
	const char *author = arena_printf(&r->arena, "%s %s",
	    r->user->first_name, r->user->last_name);
	const char *at = *form_get(f, "published_at") ?
	    form_get(f, "published_at") : NULL;
	const char *st, *when;
	PGresult *res;

	*status = 500;
	if (!html)
		return NULL;
	if (act == ACT_PUBLISH || act == ACT_SCHEDULE)
		st = "published";
	else if (act == ACT_UNPUBLISH || !a->id)
		st = "draft";
	else
		st = strcmp(a->state, "draft") ? "published" : "draft";
	when = act == ACT_PUBLISH ? "now" : act == ACT_SCHEDULE ? "at" :
	    !strcmp(st, "published") ? "keep" : "none";
	*status = 503;
	if (db_begin(&r->app->db) < 0)
		return NULL;
	if (!a->id)
		res = q(r, STMT_ADMIN_ARTICLE_INSERT, form_get(f, "title"),
		    form_get(f, "slug"), form_get(f, "summary"),
		    form_get(f, "body"), html, form_get(f, "category_id"),
		    form_get(f, "media_id"), r->user->id_str, author,
		    form_get(f, "featured"), st, when, at);
	else
		res = q(r, STMT_ADMIN_ARTICLE_UPDATE, a->id,
		    form_get(f, "title"), form_get(f, "slug"),
		    form_get(f, "summary"), form_get(f, "body"), html,
		    form_get(f, "category_id"), form_get(f, "media_id"),
		    form_get(f, "featured"), st, when, at, author);
	return pub_write(f, res, "article", a->id, act, status);
}

/*
 * POST /admin/articles (new) and POST /admin/articles/{id}: the article
 * fields and action = save | publish | schedule | unpublish.
 * 303 to the article's page with a notice; 422 with the form; 404; 503.
 */
static int
article_post(struct req *r, struct form *f, const struct pub *a)
{
	const char *id;
	int act, status;

	form_read(f);
	act = pub_action(f);
	if (article_check(f, a, act) < 0)
		return unavailable(r);
	if (f->errors)
		return editor_page(f, &article_editor, a, 422);
	if (!(id = article_write(f, a, act, &status)))
		return status == 422 ? editor_page(f, &article_editor, a, 422) :
		    status == 503 ? unavailable(r) : status;
	flash_set(r, article_notice(r, act, form_get(f, "published_at")));
	return resp_redirect(r, arena_printf(&r->arena, "/admin/articles/%s",
	    id));
}

const struct editor article_editor = {
	.type = "article",
	.path = "/admin/articles",
	.public_path = "/articles/",
	.fields = article_fields,
	.get = STMT_ADMIN_ARTICLE,
	.tpl = "admin_article",
	.new_title = "Nouvel article",
	.edit_title = "Modifier l'article",
	.view = article_view,
	.post = article_post,
};
