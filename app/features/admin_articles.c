/*
 * admin_articles: the back-office's articles (/admin/articles): list,
 * form, create, edit, publish, schedule, unpublish, delete.
 *
 * States of an article: 'draft' or 'published' are stored; "scheduled" is
 * a published article whose published_at is still in the future. Times in
 * forms and lists are Europe/Paris wall-clock times (converted in SQL).
 * A slug is made from the title when left empty, and never changes again
 * once the article was first published (its URL may have been shared).
 */
#include "../core/common.h"
#include "../infra/session.h"
#include "admin.h"
#include "features.h"

#include <ctype.h>

#define SUMMARY_MAX 500

/* ---------------------------------------------------------------- */
/* Dates typed in forms: "YYYY-MM-DDTHH:MM[:SS]", a real time.        */

static int
digits(const char *s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

static int
valid_local_datetime(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, mo, d, h, mi, sec = 0;
	size_t len = strlen(s);

	if ((len != 16 && len != 19) || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
	    digits(s, 4, &y) || digits(s + 5, 2, &mo) ||
	    digits(s + 8, 2, &d) || digits(s + 11, 2, &h) ||
	    digits(s + 14, 2, &mi) ||
	    (len == 19 && (s[16] != ':' || digits(s + 17, 2, &sec))))
		return 0;
	if (y < 2000 || y > 2200 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 59)
		return 0;
	if (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)))
		return 0;
	return 1;
}

/* ---------------------------------------------------------------- */
/* Articles                                                            */

static const char *const article_fields[] = {
	"title", "slug", "summary", "body", "category_id", "media_id",
	"featured", "published_at", "action", NULL
};

/* GET /admin/articles?status=&page=: 200; 503. */
int
admin_articles_get(struct req *r)
{
	static const char *const filters[][2] = {
		{ "", "Tous" }, { "draft", "Brouillons" },
		{ "scheduled", "Programmés" }, { "published", "Publiés" },
	};
	const char *status = req_query(r, "status");
	long page = page_number(r);
	struct view v;
	struct view_rows rows, tabs;
	PGresult *res;
	size_t k;

	for (k = 0; status && k < ARRAY_SIZE(filters); k++)
		if (!strcmp(status, filters[k][0]))
			break;
	if (!status || k == ARRAY_SIZE(filters))
		status = "";
	res = q(r, STMT_ADMIN_ARTICLES, status,
	    arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE), offset_of(r, page));
	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/articles");
	view_rows_init(&tabs, &v);
	for (k = 0; k < ARRAY_SIZE(filters); k++) {
		const char *href = *filters[k][0] ? arena_printf(&r->arena,
		    "/admin/articles?status=%s", filters[k][0]) :
		    "/admin/articles";

		view_rows_add_html(&tabs, 1, 1, strcmp(status, filters[k][0]) ?
		    link_html(r, href, filters[k][1]) : arena_printf(&r->arena,
		    "<a href=\"%s\" aria-current=\"page\">%s</a>", href,
		    filters[k][1]));
	}
	view_rows_set(&v, "tabs", &tabs);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *id = db_str(res, i, 0), *state = db_str(res, i, 3);
		const char *links = link_html(r, arena_printf(&r->arena,
		    "/admin/articles/%s/preview", id), "Aperçu");

		if (!strcmp(state, "published"))
			links = arena_printf(&r->arena, "%s · %s", links,
			    link_html(r, arena_printf(&r->arena, "/articles/%s",
			    db_str(res, i, 2)), "Voir"));
		view_rows_add_html(&rows, 1 | 1 << 5, 6, link_html(r,
		    arena_printf(&r->arena, "/admin/articles/%s", id),
		    db_str(res, i, 1)), state_label(state), db_str(res, i, 4),
		    db_str(res, i, 5), db_str(res, i, 6), links);
	}
	view_rows_set(&v, "articles", &rows);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_pager(r, &v, "/admin/articles", *status ? arena_printf(&r->arena,
	    "status=%s&amp;", status) : "", page,
	    PQntuples(res) ? db_long(res, 0, 7) : 0);
	return render(r, 200, "admin_articles", &v, "Articles");
}

/* An article as the form shows it. */
struct article {
	const char *id;		/* NULL: not created yet */
	const char *title, *slug, *summary, *body;
	const char *category_id, *media_id, *published_at;
	int featured;
	const char *state;	/* draft | scheduled | published */
	int frozen;		/* published once: the slug is fixed */
	const char *stored_slug;	/* the slug readers know, "" if new */
	const char *author, *created, *updated;
};

static void
article_from_row(struct article *a, const PGresult *res)
{
	a->id = db_str(res, 0, 0);
	a->title = db_str(res, 0, 1);
	a->slug = a->stored_slug = db_str(res, 0, 2);
	a->summary = db_str(res, 0, 3);
	a->body = db_str(res, 0, 4);
	a->category_id = db_str(res, 0, 5);
	a->media_id = db_str(res, 0, 6);
	a->featured = db_bool(res, 0, 7);
	a->state = db_str(res, 0, 8);
	a->published_at = db_str(res, 0, 9);
	a->frozen = db_bool(res, 0, 10);
	a->author = db_str(res, 0, 11);
	a->created = db_str(res, 0, 12);
	a->updated = db_str(res, 0, 13);
}

static int
article_form(struct form *f, const struct article *a, const PGresult *cats,
    const PGresult *media, int status)
{
	struct req *r = f->r;
	const char *flash = flash_take(r);

	view_raw_html_already_safe(&f->v, "nav",
	    admin_nav(r, "/admin/articles"));
	if (flash)
		view_str(&f->v, "notice", flash);
	form_value(f, "title", a->title);
	form_value(f, "slug", a->slug);
	form_value(f, "summary", a->summary);
	form_value(f, "body", a->body);
	form_value(f, "published_at", a->published_at);
	view_int(&f->v, "featured", a->featured);
	view_raw_html_already_safe(&f->v, "category_options",
	    options_html(r, cats, a->category_id, "Aucune"));
	view_raw_html_already_safe(&f->v, "media_options",
	    options_html(r, media, a->media_id, "Aucune"));
	view_int(&f->v, "is_new", a->id == NULL);
	view_str(&f->v, "id", a->id ? a->id : "");
	view_str(&f->v, "action_url", a->id ? arena_printf(&r->arena,
	    "/admin/articles/%s", a->id) : "/admin/articles");
	view_str(&f->v, "state", a->state);
	view_str(&f->v, "state_label", state_label(a->state));
	view_int(&f->v, "frozen", a->frozen);
	view_str(&f->v, "public_url", a->id && !strcmp(a->state, "published") ?
	    arena_printf(&r->arena, "/articles/%s", a->stored_slug) : "");
	view_str(&f->v, "author", a->author ? a->author : "");
	view_str(&f->v, "created", a->created ? a->created : "");
	view_str(&f->v, "updated", a->updated ? a->updated : "");
	return form_render(f, status, "admin_article",
	    a->id ? "Modifier l'article" : "Nouvel article");
}

/* The lists the article form offers; -1 when PostgreSQL failed. */
static int
article_options(struct req *r, PGresult **cats, PGresult **media)
{
	*cats = q(r, STMT_ADMIN_CATEGORY_OPTIONS);
	*media = q(r, STMT_ADMIN_MEDIA_OPTIONS);
	return *cats && *media ? 0 : -1;
}

/* Load article {id}: 0; 404; 503. */
static int
article_load(struct req *r, struct article *a)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_ADMIN_ARTICLE, id)))
		return unavailable(r);
	if (PQntuples(res) != 1)
		return 404;
	article_from_row(a, res);
	return 0;
}

int
admin_article_new_get(struct req *r)
{
	struct form f;
	struct article a = { .title = "", .slug = "", .summary = "",
	    .body = "", .category_id = "", .media_id = "",
	    .published_at = "", .state = "draft", .stored_slug = "" };
	PGresult *cats, *media;

	if (article_options(r, &cats, &media) < 0)
		return unavailable(r);
	form_init(&f, r, article_fields);
	return article_form(&f, &a, cats, media, 200);
}

int
admin_article_get(struct req *r)
{
	struct form f;
	struct article a;
	PGresult *cats, *media;
	int rc;

	if ((rc = article_load(r, &a)))
		return rc;
	if (article_options(r, &cats, &media) < 0)
		return unavailable(r);
	form_init(&f, r, article_fields);
	return article_form(&f, &a, cats, media, 200);
}

/*
 * Read and check the posted article into a (cur: the stored one, or NULL
 * for a new article). Field errors are marked on f. -1 when PostgreSQL
 * failed, else 0.
 */
static int
article_read(struct form *f, struct article *a, const struct article *cur,
    const PGresult *cats, const PGresult *media, int act)
{
	struct req *r = f->r;
	const char *typed_slug = form_text(f, "slug", SLUG_MAX * 2);
	int failed = 0;

	a->title = form_text(f, "title", TITLE_MAX + 1);
	a->summary = form_text(f, "summary", SUMMARY_MAX + 1);
	a->category_id = form_text(f, "category_id", 20);
	a->media_id = form_text(f, "media_id", 20);
	a->published_at = form_text(f, "published_at", 20);
	a->featured = req_form(r, "featured") != NULL;
	a->slug = typed_slug;
	if (!(a->body = form_body(r, "body", BODY_MAX))) {
		a->body = "";
		form_error(f, "body", "Le texte est trop long.");
	}
	if (!*a->title)
		form_error(f, "title", "Donnez un titre à l'article.");
	else if (too_long(a->title, TITLE_MAX))
		form_error(f, "title", "Le titre doit faire au plus 200 "
		    "caractères.");
	if (too_long(a->summary, SUMMARY_MAX))
		form_error(f, "summary", "Le résumé doit faire au plus 500 "
		    "caractères.");
	if (*a->category_id && !option_exists(cats, a->category_id))
		form_error(f, "category_id", "Cette catégorie n'existe pas.");
	if (*a->media_id && !option_exists(media, a->media_id))
		form_error(f, "media_id", "Cette image n'existe pas.");
	if (*a->published_at && !valid_local_datetime(a->published_at))
		form_error(f, "published_at", "Indiquez une date et une heure "
		    "valides (JJ/MM/AAAA HH:MM).");
	else if (act == ACT_SCHEDULE && !*a->published_at)
		form_error(f, "published_at", "Indiquez quand publier "
		    "l'article.");
	else if (act == ACT_SCHEDULE) {
		PGresult *res = q(r, STMT_ADMIN_IS_FUTURE, a->published_at);

		if (!res)
			return -1;
		if (!db_bool(res, 0, 0))
			form_error(f, "published_at", "Pour programmer, "
			    "choisissez une date à venir.");
	}
	if (cur && cur->frozen) {
		char s[SLUG_MAX + 1];

		slugify(typed_slug, s);
		if (*typed_slug && strcmp(s, cur->slug))
			form_error(f, "slug", "Cet article a déjà été publié : "
			    "son adresse ne peut plus changer.");
		else
			a->slug = cur->slug;
	} else if (*a->title || *typed_slug) {
		const char *s = form_slug(f, STMT_ADMIN_ARTICLE_SLUGS,
		    typed_slug, a->title, cur ? cur->id : NULL, &failed);

		if (failed)
			return -1;
		if (s)
			a->slug = s;
	}
	return 0;
}

static const char *const article_audit[] = {
	[ACT_SAVE] = "article.update", [ACT_PUBLISH] = "article.publish",
	[ACT_SCHEDULE] = "article.schedule",
	[ACT_UNPUBLISH] = "article.unpublish",
};

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
 * Write the checked article: insert (cur NULL) or update, with its audit
 * records, in one transaction. The new id, or NULL: *status says why
 * (422 after marking a slug taken meanwhile, 404, 503).
 */
static const char *
article_write(struct form *f, const struct article *a,
    const struct article *cur, int act, int *status)
{
	struct req *r = f->r;
	const char *html = render_body(r, a->body);
	const char *author = arena_printf(&r->arena, "%s %s",
	    r->user->first_name ? r->user->first_name : "",
	    r->user->last_name ? r->user->last_name : "");
	const char *st, *when;
	PGresult *res;
	const char *id;

	*status = 503;
	if (!html) {
		*status = 500;
		return NULL;
	}
	if (act == ACT_PUBLISH || act == ACT_SCHEDULE)
		st = "published";
	else if (act == ACT_UNPUBLISH || !cur)
		st = "draft";
	else
		st = strcmp(cur->state, "draft") ? "published" : "draft";
	when = act == ACT_PUBLISH ? "now" : act == ACT_SCHEDULE ? "at" :
	    !strcmp(st, "published") ? "keep" : "none";
	if (db_begin(&r->app->db) < 0)
		return NULL;
	if (!cur)
		res = q(r, STMT_ADMIN_ARTICLE_INSERT, a->title, a->slug,
		    a->summary, a->body, html, a->category_id, a->media_id,
		    r->user->id_str, author, a->featured ? "true" : "false", st,
		    when, *a->published_at ? a->published_at : NULL);
	else
		res = q(r, STMT_ADMIN_ARTICLE_UPDATE, cur->id, a->title,
		    a->slug, a->summary, a->body, html, a->category_id,
		    a->media_id, a->featured ? "true" : "false", st, when,
		    *a->published_at ? a->published_at : NULL, author);
	if (!res) {
		if (db_unique_violation(&r->app->db)) {
			db_rollback(&r->app->db);
			form_error(f, "slug", "Cette adresse est déjà utilisée.");
			*status = 422;
		}
		return NULL;
	}
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		*status = 404;
		return NULL;
	}
	id = db_str(res, 0, 0);
	if ((!cur && audit(r, "article.create", "article", db_long(res, 0, 0),
	    a->title) < 0) || ((cur || act == ACT_PUBLISH ||
	    act == ACT_SCHEDULE) && audit(r, article_audit[act], "article",
	    db_long(res, 0, 0), a->title) < 0) || db_commit(&r->app->db) < 0)
		return NULL;
	return id;
}

/*
 * POST /admin/articles (cur NULL) and POST /admin/articles/{id}: the
 * article fields and action = save | publish | schedule | unpublish.
 * 303 to the article's page with a notice; 422 with the form; 404; 503.
 */
static int
article_post(struct req *r, const struct article *cur)
{
	struct form f;
	struct article a = { 0 };
	PGresult *cats, *media;
	int act = parse_action(req_form(r, "action"), 1), status;
	const char *id;

	if (article_options(r, &cats, &media) < 0)
		return unavailable(r);
	form_init(&f, r, article_fields);
	if (act < 0) {
		form_error(&f, "action", "Action inconnue.");
		act = ACT_SAVE;
	}
	if (article_read(&f, &a, cur, cats, media, act) < 0)
		return unavailable(r);
	a.id = cur ? cur->id : NULL;
	a.state = cur ? cur->state : "draft";
	a.frozen = cur ? cur->frozen : 0;
	a.stored_slug = cur ? cur->stored_slug : "";
	if (cur) {
		a.author = cur->author;
		a.created = cur->created;
		a.updated = cur->updated;
	}
	if (f.errors)
		return article_form(&f, &a, cats, media, 422);
	if (!(id = article_write(&f, &a, cur, act, &status)))
		return status == 422 ? article_form(&f, &a, cats, media, 422) :
		    status == 503 ? unavailable(r) : status;
	flash_set(r, article_notice(r, act, a.published_at));
	return resp_redirect(r, arena_printf(&r->arena, "/admin/articles/%s",
	    id));
}

int
admin_article_create_post(struct req *r)
{
	return article_post(r, NULL);
}

int
admin_article_post(struct req *r)
{
	struct article cur;
	int rc;

	if ((rc = article_load(r, &cur)))
		return rc;
	return article_post(r, &cur);
}

/* POST /admin/articles/{id}/delete: 303 to the list; 404; 503. */
int
admin_article_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_ARTICLE_DELETE, "article.delete",
	    "article", "/admin/articles", "L'article « %s » est supprimé.");
}
