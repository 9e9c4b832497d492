/*
 * content: the public site. The homepage, the article lists, articles,
 * pages, the feed, the sitemap, robots.txt, the 404 page with the
 * redirections before it, and the back-office previews.
 *
 * Every public answer is the same for everyone (R_CACHEABLE: no cookie is
 * read or set) and says "public, max-age=5": nginx keeps a page 5 s, so an
 * edit shows within seconds. Nothing is cached in the worker: visibility
 * (status = 'published' AND published_at <= now()) is evaluated by each
 * query, so a scheduled article appears by itself at its time.
 *
 * Article and page bodies are HTML sanitised at save time (admin_articles.c, admin_pages.c)
 * and pushed as they are; every other string is escaped.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "features.h"
#include "media.h"

#include <limits.h>
#include <time.h>

#define PUB_CACHE "public, max-age=5"
#define PER_PAGE 12
#define MAX_PAGE 100000L

static const char *
abs_url(struct req *r, const char *path)
{
	return arena_printf(&r->arena, "%s%s", r->app->cfg.base_url, path);
}

/* <meta> and <link> markup into b, every value escaped. */
static void
head_tag(struct buf *b, const char *tag, const char *attr, const char *name,
    const char *vattr, const char *value)
{
	buf_printf(b, "<%s %s=\"%s\" %s=\"", tag, attr, name, vattr);
	html_escape(b, value);
	buf_puts(b, "\">\n");
}

static void
head_meta(struct buf *b, const char *prop, const char *value)
{
	head_tag(b, "meta", !strncmp(prop, "og:", 3) ||
	    !strncmp(prop, "article:", 8) ? "property" : "name", prop,
	    "content", value);
}

/* The canonical link of a public page; description as given. */
static void
head_canonical(struct req *r, const char *path, const char *description)
{
	struct buf b;

	buf_init(&b, 16 * 1024);
	head_tag(&b, "link", "rel", "canonical", "href", abs_url(r, path));
	r->head_html = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	if (description && *description)
		r->description = description;
}

/*
 * Cards for the articles of res from row `from`: 0 slug, 1 title,
 * 2 summary, 3 date, 4 iso date, 5 category slug, 6 category name,
 * 7 the image (raw HTML).
 */
static void
card_rows(struct req *r, struct view *v, const char *name,
    const PGresult *res, int from, const char *preset, const char *sizes)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = from; res && i < PQntuples(res); i++) {
		struct media_ref m;

		media_ref_read(&m, res, i, CARD_MEDIA);
		view_rows_add_html(&rows, 1u << 7, 8, db_str(res, i, CARD_SLUG),
		    db_str(res, i, CARD_TITLE), db_str(res, i, CARD_SUMMARY),
		    db_str(res, i, CARD_DATE), db_str(res, i, CARD_ISO),
		    db_str(res, i, CARD_CAT_SLUG), db_str(res, i, CARD_CAT_NAME),
		    media_html(r, &m, preset, sizes, 0));
	}
	view_rows_set(v, name, &rows);
}

#define CARD_SIZES "(min-width: 60em) 18rem, (min-width: 40em) 45vw, 100vw"

/* Home blocks: 0 title, 1 body, 2 link, 3 image (raw HTML). */
static void
block_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		struct media_ref m;

		media_ref_read(&m, res, i, HOME_BLOCK_MEDIA);
		view_rows_add_html(&rows, 1u << 3, 4, db_str(res, i,
		    HOME_BLOCK_TITLE), db_str(res, i, HOME_BLOCK_BODY),
		    db_str(res, i, HOME_BLOCK_LINK),
		    media_html(r, &m, "thumb", "10rem", 0));
	}
	view_rows_set(v, "blocks", &rows);
	view_int(v, "has_blocks", PQntuples(res) > 0);
}

/*
 * GET /: the featured article (its hero image loaded at once), the 12
 * latest others (lazy card images), the visible home blocks and the call
 * to join. 200; 503.
 */
int
home_get(struct req *r)
{
	PGresult *feat, *latest, *blocks;
	struct view v;
	struct media_ref m;
	int has = 0;

	if (!(feat = q(r, STMT_PUB_FEATURED)) ||
	    !(latest = q(r, STMT_PUB_LATEST, PQntuples(feat) ?
	    db_str(feat, 0, CARD_ID) : "0", "12")) ||
	    !(blocks = q(r, STMT_PUB_HOME_BLOCKS)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	has = PQntuples(feat) > 0;
	view_int(&v, "has_featured", has);
	view_str(&v, "f_slug", has ? db_str(feat, 0, CARD_SLUG) : "");
	view_str(&v, "f_title", has ? db_str(feat, 0, CARD_TITLE) : "");
	view_str(&v, "f_summary", has ? db_str(feat, 0, CARD_SUMMARY) : "");
	view_str(&v, "f_date", has ? db_str(feat, 0, CARD_DATE) : "");
	view_str(&v, "f_iso", has ? db_str(feat, 0, CARD_ISO) : "");
	view_str(&v, "f_cat_slug", has ? db_str(feat, 0, CARD_CAT_SLUG) : "");
	view_str(&v, "f_cat_name", has ? db_str(feat, 0, CARD_CAT_NAME) : "");
	if (has)
		media_ref_read(&m, feat, 0, CARD_MEDIA);
	view_raw_html_already_safe(&v, "f_image", has ? media_html(r, &m,
	    "hero", "(min-width: 60em) 58rem, 100vw", 1) : "");
	card_rows(r, &v, "latest", latest, 0, "card", CARD_SIZES);
	view_int(&v, "has_latest", PQntuples(latest) > 0);
	block_rows(r, &v, blocks);
	head_canonical(r, "/", NULL);
	r->cache = PUB_CACHE;
	return render(r, 200, "home", &v, "Accueil");
}

long
query_page(struct req *r)
{
	const char *s = req_query(r, "page");
	long n;

	if (!s)
		return 1;
	if (parse_long(s, 1, MAX_PAGE, &n) < 0)
		return 0;
	return n;
}

static void
category_rows(struct view *v, const PGresult *cats, const char *current)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; cats && i < PQntuples(cats); i++)
		view_rows_add(&rows, 3, db_str(cats, i, CAT_SLUG),
		    db_str(cats, i, CAT_NAME), !strcmp(db_str(cats, i, CAT_SLUG),
		    current) ? "1" : "");
	view_rows_set(v, "categories", &rows);
}

/* "/articles?page=N" for page n of base (page 1 has no query). */
static const char *
page_path(struct req *r, const char *base, long n)
{
	if (n <= 1)
		return base;
	return arena_printf(&r->arena, "%s?page=%ld", base, n);
}

int
pagination(struct req *r, struct view *v, const char *prev, const char *next,
    long page, long pages)
{
	struct buf b;

	view_str(v, "prev", prev);
	view_str(v, "next", next);
	view_int(v, "page", page);
	view_int(v, "pages", pages);
	buf_init(&b, 16 * 1024);
	buf_puts(&b, r->head_html ? r->head_html : "");
	if (*prev)
		head_tag(&b, "link", "rel", "prev", "href", abs_url(r, prev));
	if (*next)
		head_tag(&b, "link", "rel", "next", "href", abs_url(r, next));
	r->head_html = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return render_include(r, v, "pagination", "pagination");
}

/*
 * A list of public articles, 12 a page: every one (cat NULL) or one
 * category's (cat: 0 id, 1 slug, 2 name, 3 description). 200; 400 for a
 * malformed ?page; 404 for a page past the end; 503.
 */
static int
list_render(struct req *r, const PGresult *cat)
{
	const char *base = cat ? arena_printf(&r->arena,
	    "/articles/category/%s", db_str(cat, 0, CAT_SLUG)) : "/articles";
	const char *title = cat ? db_str(cat, 0, CAT_NAME) : "Actualités";
	long page = query_page(r), total, pages;
	PGresult *res, *cats;
	struct view v;

	if (page == 0)
		return render_error(r, 400, "Le numéro de page est invalide.");
	if (!(res = q(r, STMT_PUB_ARTICLES, cat ? db_str(cat, 0, CAT_ID) : "0",
	    arena_printf(&r->arena, "%d", PER_PAGE),
	    arena_printf(&r->arena, "%ld", (page - 1) * PER_PAGE))) ||
	    !(cats = q(r, STMT_PUB_CATEGORIES)))
		return unavailable(r);
	if (PQntuples(res) == 0 && page > 1)
		return not_found(r);
	total = PQntuples(res) ? db_long(res, 0, CARD_TOTAL) : 0;
	pages = MAX(1, (total + PER_PAGE - 1) / PER_PAGE);
	view_init(&v, &r->arena, 0);
	view_str(&v, "heading", title);
	view_str(&v, "intro", cat ? db_str(cat, 0, CAT_DESCRIPTION) : "");
	view_int(&v, "is_category", cat != NULL);
	view_int(&v, "total", total);
	category_rows(&v, cats, cat ? db_str(cat, 0, CAT_SLUG) : "");
	card_rows(r, &v, "articles", res, 0, "card", CARD_SIZES);
	view_int(&v, "has_articles", PQntuples(res) > 0);
	head_canonical(r, page_path(r, base, page), cat && *db_str(cat, 0, CAT_DESCRIPTION) ?
	    db_str(cat, 0, CAT_DESCRIPTION) : NULL);
	if (pagination(r, &v, page > 1 ? page_path(r, base, page - 1) : "",
	    page < pages ? page_path(r, base, page + 1) : "", page, pages) < 0)
		return unavailable(r);
	r->cache = PUB_CACHE;
	if (page > 1)
		title = arena_printf(&r->arena, "%s, page %ld", title, page);
	return render(r, 200, "articles", &v, title);
}

/* GET /articles[?page=N]: see list_render. */
int
articles_get(struct req *r)
{
	return list_render(r, NULL);
}

/* GET /articles/category/{slug}[?page=N]: see list_render; an unknown
 * slug goes to not_found (a redirection, else 404). */
int
category_get(struct req *r)
{
	PGresult *cat = q(r, STMT_PUB_CATEGORY, r->params[0]);

	if (!cat)
		return unavailable(r);
	if (PQntuples(cat) == 0)
		return not_found(r);
	return list_render(r, cat);
}

/* OpenGraph and Twitter card of a public article (row 0 of res). */
static void
article_head(struct req *r, const PGresult *res, const struct media_ref *m)
{
	const char *url = abs_url(r, arena_printf(&r->arena, "/articles/%s",
	    db_str(res, 0, CARD_SLUG)));
	const char *summary = db_str(res, 0, CARD_SUMMARY);
	struct buf b;

	buf_init(&b, 64 * 1024);
	head_tag(&b, "link", "rel", "canonical", "href", url);
	head_meta(&b, "og:type", "article");
	head_meta(&b, "og:site_name", "civitas");
	head_meta(&b, "og:locale", "fr_FR");
	head_meta(&b, "og:title", db_str(res, 0, CARD_TITLE));
	head_meta(&b, "og:description", summary);
	head_meta(&b, "og:url", url);
	head_meta(&b, "article:published_time", db_str(res, 0, CARD_ISO));
	head_meta(&b, "article:modified_time", db_str(res, 0, ARTICLE_UPDATED_ISO));
	if (*db_str(res, 0, CARD_CAT_NAME))
		head_meta(&b, "article:section", db_str(res, 0, CARD_CAT_NAME));
	if (m->id > 0) {
		int w, h;

		preset_size(preset_find("og"), m->width, m->height, &w, &h);
		head_meta(&b, "og:image", abs_url(r,
		    media_url(r, m->id, "og", "jpg")));
		head_meta(&b, "og:image:type", "image/jpeg");
		head_meta(&b, "og:image:width", arena_printf(&r->arena, "%d", w));
		head_meta(&b, "og:image:height", arena_printf(&r->arena, "%d",
		    h));
		head_meta(&b, "og:image:alt", m->alt);
	}
	head_meta(&b, "twitter:card", m->id > 0 ? "summary_large_image" :
	    "summary");
	head_meta(&b, "twitter:title", db_str(res, 0, CARD_TITLE));
	head_meta(&b, "twitter:description", summary);
	r->head_html = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	if (*summary)
		r->description = summary;
}

/* "brouillon", "programmé" or "publié": what a preview shows. */
static const char *
article_state(const PGresult *res)
{
	if (strcmp(db_str(res, 0, ARTICLE_STATUS), "published"))
		return "brouillon";
	return db_bool(res, 0, ARTICLE_SCHEDULED) ? "programmé" : "publié";
}

/*
 * The article of row 0 of res, public or previewed (a banner, noindex,
 * no cache). Shared by article_get and the preview.
 */
static int
article_render(struct req *r, const PGresult *res, int preview)
{
	PGresult *rel;
	struct view v;
	struct media_ref m;

	if (!(rel = q(r, STMT_PUB_RELATED, db_str(res, 0, CARD_ID),
	    db_str(res, 0, ARTICLE_CAT_ID))))
		return unavailable(r);
	media_ref_read(&m, res, 0, CARD_MEDIA);
	view_init(&v, &r->arena, 0);
	view_int(&v, "preview", preview);
	view_str(&v, "state", article_state(res));
	view_str(&v, "title", db_str(res, 0, CARD_TITLE));
	view_str(&v, "summary", db_str(res, 0, CARD_SUMMARY));
	view_str(&v, "date", db_str(res, 0, CARD_DATE));
	view_str(&v, "iso", db_str(res, 0, CARD_ISO));
	view_str(&v, "updated", db_str(res, 0, ARTICLE_UPDATED));
	view_str(&v, "updated_iso", db_str(res, 0, ARTICLE_UPDATED_ISO));
	view_int(&v, "was_updated", strcmp(db_str(res, 0, ARTICLE_UPDATED),
	    db_str(res, 0, CARD_DATE)) != 0);
	view_str(&v, "author", db_str(res, 0, ARTICLE_AUTHOR));
	view_str(&v, "cat_slug", db_str(res, 0, CARD_CAT_SLUG));
	view_str(&v, "cat_name", db_str(res, 0, CARD_CAT_NAME));
	view_raw_html_already_safe(&v, "image", media_html(r, &m, "hero",
	    "(min-width: 60em) 44rem, 100vw", 1));
	/* Sanitised by the Markdown renderer at save time. */
	view_raw_html_already_safe(&v, "body", db_str(res, 0, ARTICLE_BODY));
	card_rows(r, &v, "related", rel, 0, "thumb", "10rem");
	view_int(&v, "has_related", PQntuples(rel) > 0);
	if (preview)
		r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	else {
		article_head(r, res, &m);
		r->cache = PUB_CACHE;
	}
	return render(r, 200, "article", &v, db_str(res, 0, CARD_TITLE));
}

/* GET /articles/{slug}: a public article. 200; 404 (or a redirection)
 * for a draft, a scheduled or an unknown article; 503. */
int
article_get(struct req *r)
{
	PGresult *res = q(r, STMT_PUB_ARTICLE, r->params[0]);

	if (!res)
		return unavailable(r);
	if (PQntuples(res) == 0)
		return not_found(r);
	return article_render(r, res, 0);
}

/* A page (row 0 of res), public or previewed. */
static int
page_render(struct req *r, const PGresult *res, int preview)
{
	struct view v;

	view_init(&v, &r->arena, 0);
	view_int(&v, "preview", preview);
	view_str(&v, "state", strcmp(db_str(res, 0, PAGE_STATUS), "published") ?
	    "brouillon" : "publiée");
	view_str(&v, "title", db_str(res, 0, PAGE_TITLE));
	view_str(&v, "updated", db_str(res, 0, PAGE_UPDATED));
	/* Sanitised by the Markdown renderer at save time. */
	view_raw_html_already_safe(&v, "body", db_str(res, 0, PAGE_BODY));
	if (preview)
		r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	else {
		head_canonical(r, arena_printf(&r->arena, "/pages/%s",
		    db_str(res, 0, PAGE_SLUG)), NULL);
		r->cache = PUB_CACHE;
	}
	return render(r, 200, "page", &v, db_str(res, 0, PAGE_TITLE));
}

/* GET /pages/{slug}: a published page. 200; 404 (or a redirection); 503. */
int
page_get(struct req *r)
{
	PGresult *res = q(r, STMT_PUB_PAGE, r->params[0]);

	if (!res)
		return unavailable(r);
	if (PQntuples(res) == 0)
		return not_found(r);
	return page_render(r, res, 0);
}

/* GET /admin/articles/{id}/preview (admins): the article whatever its
 * status, as readers will see it, under a banner; no-store. 200; 404;
 * 503. */
int
admin_article_preview_get(struct req *r)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_PUB_ARTICLE_BY_ID, id)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	return article_render(r, res, 1);
}

/* GET /admin/pages/{id}/preview (admins): the same for a page. */
int
admin_page_preview_get(struct req *r)
{
	const char *id = req_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (!(res = q(r, STMT_PUB_PAGE_BY_ID, id)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return 404;
	return page_render(r, res, 1);
}

/* XML text: escaped, without the control characters XML 1.0 forbids. */
static void
xml_text(struct buf *b, const char *s)
{
	struct buf t;

	buf_init(&t, 1024 * 1024);
	for (; *s; s++)
		if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' ||
		    *s == '\r')
			buf_putc(&t, *s);
	html_escape(b, t.data ? t.data : "");
	buf_release(&t);
}

static void
xml_element(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "<%s>", name);
	xml_text(b, text);
	buf_printf(b, "</%s>\n", name);
}

/* An RSS <title> or <description> of ours: plain text, which many feed
 * readers render as HTML. So the XML carries the text HTML-escaped: a
 * title "<b>" reaches the reader as "&lt;b&gt;", shown as typed. */
static void
xml_text_element(struct buf *b, const char *name, const char *text)
{
	struct buf h;

	buf_init(&h, 1024 * 1024);
	html_escape(&h, text);
	xml_element(b, name, h.data ? h.data : "");
	buf_release(&h);
}

/* Hand a built document to the response. */
static int
resp_text(struct req *r, struct buf *b, const char *ctype)
{
	buf_reset(&r->body);
	buf_append(&r->body, b->data ? b->data : "", b->len);
	buf_release(b);
	r->ctype = ctype;
	r->cache = PUB_CACHE;
	return 200;
}

/* GET /feed.xml: RSS 2.0 of the 20 latest public articles. 200; 503. */
int
feed_get(struct req *r)
{
	const char *base = r->app->cfg.base_url;
	PGresult *res = q(r, STMT_PUB_FEED);
	struct buf b;

	if (!res)
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\" "
	    "xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
	xml_element(&b, "title", "civitas — actualités");
	xml_element(&b, "link", abs_url(r, "/articles"));
	xml_element(&b, "description", "Les dernières actualités du "
	    "mouvement.");
	xml_element(&b, "language", "fr");
	if (PQntuples(res))
		xml_element(&b, "lastBuildDate", db_str(res, 0, FEED_BUILD_DATE));
	buf_puts(&b, "<atom:link href=\"");
	xml_text(&b, abs_url(r, "/feed.xml"));
	buf_puts(&b, "\" rel=\"self\" type=\"application/rss+xml\"/>\n");
	for (int i = 0; i < PQntuples(res); i++) {
		const char *link = arena_printf(&r->arena, "%s/articles/%s",
		    base, db_str(res, i, FEED_SLUG));

		buf_puts(&b, "<item>\n");
		xml_text_element(&b, "title", db_str(res, i, FEED_TITLE));
		xml_element(&b, "link", link);
		buf_puts(&b, "<guid isPermaLink=\"true\">");
		xml_text(&b, link);
		buf_puts(&b, "</guid>\n");
		xml_element(&b, "pubDate", db_str(res, i, FEED_DATE));
		xml_text_element(&b, "description", db_str(res, i,
		    FEED_SUMMARY));
		if (*db_str(res, i, FEED_CATEGORY))
			xml_element(&b, "category", db_str(res, i, FEED_CATEGORY));
		buf_puts(&b, "</item>\n");
	}
	buf_puts(&b, "</channel>\n</rss>\n");
	return resp_text(r, &b, "application/rss+xml; charset=utf-8");
}

static void
sitemap_url(struct buf *b, const char *loc, const char *lastmod)
{
	buf_puts(b, "<url><loc>");
	xml_text(b, loc);
	buf_puts(b, "</loc>");
	if (lastmod && *lastmod) {
		buf_puts(b, "<lastmod>");
		xml_text(b, lastmod);
		buf_puts(b, "</lastmod>");
	}
	buf_puts(b, "</url>\n");
}

/* GET /sitemap.xml: the home, the lists, the categories, the public
 * articles (lastmod) and the published pages. 200; 503. */
int
sitemap_get(struct req *r)
{
	PGresult *res = q(r, STMT_PUB_SITEMAP);
	struct buf b;

	if (!res)
		return unavailable(r);
	buf_init(&b, MAX_OUTPUT);
	buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset "
	    "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
	sitemap_url(&b, abs_url(r, "/"), NULL);
	sitemap_url(&b, abs_url(r, "/articles"), NULL);
	for (int i = 0; i < PQntuples(res); i++)
		sitemap_url(&b, abs_url(r, db_str(res, i, SITEMAP_PATH)),
		    db_str(res, i, SITEMAP_LASTMOD));
	buf_puts(&b, "</urlset>\n");
	return resp_text(r, &b, "application/xml; charset=utf-8");
}

/* GET /robots.txt: everything but the private areas. 200. */
int
robots_get(struct req *r)
{
	struct buf b;

	buf_init(&b, 4096);
	buf_printf(&b, "User-agent: *\nAllow: /\nDisallow: /admin\n"
	    "Disallow: /account\nDisallow: /api/\nDisallow: /signup/confirm/\n"
	    "Disallow: /password/\n\nSitemap: %s/sitemap.xml\n",
	    r->app->cfg.base_url);
	return resp_text(r, &b, "text/plain; charset=utf-8");
}

/* The 404 page: what to do next rather than a dead end. APIs answer
 * problem+json (render_error knows how). */
static int
not_found_page(struct req *r)
{
	struct view v;

	if ((r->route && (r->route->flags & R_JSON)) ||
	    !strncmp(r->path ? r->path : "", "/api/", 5))
		return render_error(r, 404, NULL);
	view_init(&v, &r->arena, 0);
	view_str(&v, "path", r->path ? r->path : "/");
	r->head_html = "<meta name=\"robots\" content=\"noindex\">\n";
	return render(r, 404, "not_found", &v, "Page introuvable");
}

/*
 * A GET nothing answers: an admin's redirection for the path (301 or 302
 * to BASE_URL + path, or to an https:// URL as it is), else the 404 page.
 * 503 when PostgreSQL is down.
 */
int
not_found(struct req *r)
{
	PGresult *res;
	const char *to;
	int code;

	if (!r->path)
		return not_found_page(r);
	if (!(res = q(r, STMT_REDIRECTION_FIND, r->path)))
		return unavailable(r);
	if (PQntuples(res) == 0)
		return not_found_page(r);
	to = db_str(res, 0, REDIRECT_TO);
	code = db_long(res, 0, REDIRECT_CODE) == 302 ? 302 : 301;
	if (!strncmp(to, "https://", 8))
		;	/* an address elsewhere, as the admin wrote it */
	else if (to[0] == '/' && to[1] != '/' && to[1] != '\\')
		to = abs_url(r, to);
	else
		return not_found_page(r);
	if (resp_header(r, "Location", to) < 0)
		return 500;
	r->cache = PUB_CACHE;
	buf_reset(&r->body);
	return code;
}

/*
 * The workers' page cache keeps public pages while three things hold:
 * the PostgreSQL connection that LISTENs on CONTENT_CHANNEL is the one
 * that was open when the cache was armed (a reconnect may have missed a
 * notification), no content change was notified since (counted by the
 * connection: whoever read the notification, the page cache, the search
 * or the convince choices, it counts), and no scheduled article has come
 * due. The check costs no round trip: notifications are read from the
 * socket only when they are already there.
 *
 * The cache is armed before the page it keeps is rendered, never after:
 * an article that comes due between the render and the arming would be
 * missing from the page and, the arming looking only ahead, from the
 * due time too (a feed kept a minute without it).
 */
static unsigned long cache_generation, cache_notified;
static double cache_until;	/* monotonic seconds; 0: not armed */

/* Trust what is rendered from now on until the next scheduled article (a
 * minute at most); left unarmed when anything changed meanwhile. */
static void
content_cache_arm_now(struct req *r)
{
	struct db *db = &r->app->db;
	unsigned long notified = db->notified, generation = db->generation;
	PGresult *res;

	cache_until = 0;
	if (!(res = q(r, STMT_NEXT_SCHEDULED)))
		return;
	if (db_notifications(db) != 0 || db->generation != generation)
		return;	/* changed meanwhile: next time */
	cache_notified = notified;
	cache_generation = generation;
	cache_until = mono_now() + MIN(60.0,
	    strtod(db_str(res, 0, VALUE), NULL));
}

int
content_cache_valid(struct req *r)
{
	struct db *db = &r->app->db;

	if (db_notifications(db) != 0 || db->notified != cache_notified ||
	    db->generation != cache_generation || mono_now() >= cache_until) {
		content_cache_arm_now(r);
		return 0;
	}
	return 1;
}

/* A page may be kept when the cache was armed before it was rendered. */
int
content_cache_arm(struct req *r)
{
	(void)r;
	return cache_until ? 0 : -1;
}
