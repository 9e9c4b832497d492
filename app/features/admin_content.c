/*
 * admin_content: the back-office (/admin, admins only: the dispatcher has
 * checked the role and the CSRF token before any handler here runs).
 *
 * Articles, pages, categories, home blocks and redirections: lists, forms,
 * create, edit, publish, schedule, unpublish, delete. Every change and its
 * audit record commit in one transaction. Markdown bodies are rendered
 * and sanitised once, at save (infra/markdown.c); readers get body_html.
 *
 * States of an article: 'draft' or 'published' are stored; "scheduled" is
 * a published article whose published_at is still in the future. Times in
 * forms and lists are Europe/Paris wall-clock times (converted in SQL).
 * A slug is made from the title when left empty, and never changes again
 * once the article was first published (its URL may have been shared).
 *
 * Every form works without JavaScript; 30-admin.js only adds a live
 * Markdown preview through POST /admin/preview.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "../infra/markdown.h"
#include "../infra/session.h"
#include "features.h"

#include <ctype.h>
#include <limits.h>

#define ADMIN_PAGE_SIZE 50
#define SLUG_MAX 80
#define TITLE_MAX 200
#define SUMMARY_MAX 500
#define BODY_MAX (512 * 1024)	/* bytes of Markdown; the form body is 1 MiB */
#define PATH_MAX_LEN 2000

/* ---------------------------------------------------------------- */
/* Markup helpers: every value goes through html_escape.             */

static const char *
esc(struct req *r, const char *s)
{
	struct buf b;
	char *out;

	buf_init(&b, (size_t)-1 / 2);
	html_escape(&b, s ? s : "");
	out = arena_strndup(&r->arena, b.data ? b.data : "", b.len);
	buf_release(&b);
	return out;
}

static const char *
link_html(struct req *r, const char *href, const char *text)
{
	return arena_printf(&r->arena, "<a href=\"%s\">%s</a>", esc(r, href),
	    esc(r, text));
}

/*
 * The back-office navigation (already-safe HTML in r's arena), the section
 * whose path is `current` marked for screen readers. Not static: the media
 * pages (media.c) show it too.
 */
const char *
admin_nav(struct req *r, const char *current)
{
	static const char *const sections[][2] = {
		{ "/admin", "Tableau de bord" },
		{ "/admin/articles", "Articles" },
		{ "/admin/pages", "Pages" },
		{ "/admin/categories", "Catégories" },
		{ "/admin/home-blocks", "Blocs d'accueil" },
		{ "/admin/redirections", "Redirections" },
		{ "/admin/media", "Médias" },
		{ "/admin/audit", "Journal" },
	};
	struct buf b;
	char *out;

	buf_init(&b, 64 * 1024);
	buf_puts(&b, "<nav class=\"admin-nav\" aria-label=\"Administration\">"
	    "<ul>");
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		buf_printf(&b, "<li><a href=\"%s\"%s>%s</a></li>",
		    sections[i][0], strcmp(sections[i][0], current) ? "" :
		    " aria-current=\"page\"", sections[i][1]);
	buf_puts(&b, "</ul></nav>");
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

/* Navigation and the one-shot notice of the previous action. */
static void
admin_chrome(struct req *r, struct view *v, const char *section)
{
	const char *flash = flash_take(r);

	view_raw_html_already_safe(v, "nav", admin_nav(r, section));
	view_str(v, "notice", flash ? flash : "");
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

static const char *
offset_of(struct req *r, long page)
{
	return arena_printf(&r->arena, "%ld", (page - 1) * ADMIN_PAGE_SIZE);
}

/* "Page précédente / suivante" links; query: extra "k=v&" (escaped). */
static void
view_pager(struct req *r, struct view *v, const char *base,
    const char *query, long page, long total)
{
	long last = total > 0 ? (total + ADMIN_PAGE_SIZE - 1) /
	    ADMIN_PAGE_SIZE : 1;
	const char *prev = "", *next = "";

	if (page > 1)
		prev = arena_printf(&r->arena, "<a rel=\"prev\" href=\"%s?%s"
		    "page=%ld\">Page précédente</a>", base, query,
		    page - 1 < last ? page - 1 : last);
	if (page < last)
		next = arena_printf(&r->arena, "<a rel=\"next\" href=\"%s?%s"
		    "page=%ld\">Page suivante</a>", base, query, page + 1);
	view_raw_html_already_safe(v, "prev", prev);
	view_raw_html_already_safe(v, "next", next);
	view_int(v, "page", page);
	view_int(v, "pages", last);
	view_int(v, "total", total);
}

/* <option>s of rows (id, label), "" first as `none`, selected marked. */
static const char *
options_html(struct req *r, const PGresult *res, const char *selected,
    const char *none)
{
	struct buf b;
	char *out;

	buf_init(&b, MAX_OUTPUT);
	buf_printf(&b, "<option value=\"\"%s>%s</option>",
	    *selected ? "" : " selected", none);
	for (int i = 0; res && i < PQntuples(res); i++)
		buf_printf(&b, "<option value=\"%s\"%s>%s (n° %s)</option>",
		    esc(r, db_str(res, i, 0)),
		    strcmp(db_str(res, i, 0), selected) ? "" : " selected",
		    esc(r, db_str(res, i, 1)), esc(r, db_str(res, i, 0)));
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

static int
option_exists(const PGresult *res, const char *id)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, 0), id))
			return 1;
	return 0;
}

/* {id} of the route: a positive integer, else NULL (404). */
static const char *
route_id(struct req *r)
{
	long id;

	if (!r->params[0] || parse_long(r->params[0], 1, LONG_MAX, &id) < 0)
		return NULL;
	return r->params[0];
}

/* The posted value of a multi-line field, unsqueezed (Markdown cares about
 * spaces and newlines), CR LF made LF; "" when absent. NULL when longer
 * than max bytes. */
static const char *
form_body(struct req *r, const char *name, size_t max)
{
	const char *v = req_form(r, name);
	char *out, *o;

	if (!v)
		return "";
	if (strlen(v) > max)
		return NULL;
	out = o = arena_alloc(&r->arena, strlen(v) + 1);
	for (; *v; v++)
		if (!(v[0] == '\r' && v[1] == '\n'))
			*o++ = *v;
	*o = '\0';
	return out;
}

/* A route id already checked by route_id(). */
static long
id_long(const char *s)
{
	long n = 0;

	parse_long(s, 1, LONG_MAX, &n);
	return n;
}

static int
too_long(const char *s, size_t max)
{
	return utf8_length(s) > max;
}

/* ---------------------------------------------------------------- */
/* Slugs: lowercase ASCII words joined by '-', as sql/002 checks.     */

/* Latin-1 letters U+00C0..U+00FF, as ASCII. */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};

static const char *
translit(unsigned long cp)
{
	if (cp >= 0xc0 && cp <= 0xff)
		return latin1[cp - 0xc0];
	if (cp == 0x152 || cp == 0x153)
		return "oe";
	if (cp == 0x178)
		return "y";
	return NULL;
}

/* Next code point of s (advanced); an invalid byte reads as U+FFFD. */
static unsigned long
utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned long cp;
	int n;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0)
		n = 1, cp = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		n = 2, cp = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		n = 3, cp = p[0] & 0x07;
	else {
		*s = p + 1;
		return 0xfffd;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s = p + i;
			return 0xfffd;
		}
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	*s = p + n + 1;
	return cp;
}

/* The slug of text into out (SLUG_MAX + 1 bytes): "" when it has no
 * letter or digit. "L'été 2024 : œuvres" -> "l-ete-2024-oeuvres". */
static void
slugify(const char *text, char *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = 0;
	int dash = 0;

	while (*s) {
		unsigned long cp = utf8_next(&s);
		char one[2] = { 0, 0 };
		const char *add;
		size_t len;

		if (cp < 0x80 && isalnum((int)cp)) {
			one[0] = (char)tolower((int)cp);
			add = one;
		} else if (!(add = translit(cp))) {
			dash = n > 0;
			continue;
		}
		len = strlen(add) + (size_t)dash;
		if (n + len > SLUG_MAX)
			break;
		if (dash)
			out[n++] = '-';
		memcpy(out + n, add, strlen(add));
		n += strlen(add);
		dash = 0;
	}
	out[n] = '\0';
}

static int
slug_in(const PGresult *res, const char *slug)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, 0), slug))
			return 1;
	return 0;
}

/*
 * A free slug for base (a slugify() result) in the table that stmt reads,
 * not counting row self: base, else base-2, base-3... cut to SLUG_MAX.
 * Returns it in the arena, or NULL when PostgreSQL failed.
 */
static const char *
slug_free(struct req *r, enum stmt stmt, const char *base, const char *self)
{
	char prefix[SLUG_MAX + 1], cand[SLUG_MAX + 1];
	size_t plen = strlen(base) > SLUG_MAX - 8 ? SLUG_MAX - 8 :
	    strlen(base);
	PGresult *res;

	memcpy(prefix, base, plen);
	prefix[plen] = '\0';
	if (!(res = q(r, stmt, prefix, self ? self : "0")))
		return NULL;
	if (!slug_in(res, base))
		return arena_strdup(&r->arena, base);
	for (long i = 2;; i++) {
		char suffix[24];
		size_t keep;

		snprintf(suffix, sizeof(suffix), "-%ld", i);
		keep = strlen(base);
		if (keep + strlen(suffix) > SLUG_MAX)
			keep = SLUG_MAX - strlen(suffix);
		while (keep > 0 && base[keep - 1] == '-')
			keep--;
		snprintf(cand, sizeof(cand), "%.*s%s", (int)keep, base, suffix);
		if (!slug_in(res, cand))
			return arena_strdup(&r->arena, cand);
	}
}

/*
 * The slug field of a form: typed (made a slug; taken: an error) or, when
 * empty, made from `from` with a -N suffix when needed. NULL with the
 * field marked, or NULL with *failed set when PostgreSQL failed.
 */
static const char *
form_slug(struct form *f, enum stmt stmt, const char *typed,
    const char *from, const char *self, int *failed)
{
	char s[SLUG_MAX + 1];
	const char *free_slug;

	*failed = 0;
	slugify(*typed ? typed : from, s);
	if (!*s) {
		form_error(f, "slug", *typed ? "Cette adresse doit contenir des "
		    "lettres ou des chiffres." : "Donnez un titre ou une "
		    "adresse faite de lettres ou de chiffres.");
		return NULL;
	}
	if (!(free_slug = slug_free(f->r, stmt, s, self))) {
		*failed = 1;
		return NULL;
	}
	if (*typed && strcmp(free_slug, s)) {
		form_value(f, "slug", s);
		form_error(f, "slug", "Cette adresse est déjà utilisée.");
		return NULL;
	}
	return free_slug;
}

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
/* Dashboard and audit log                                            */

/* GET /admin: member and content counts, links to every section. */
int
admin_get(struct req *r)
{
	struct view v;
	PGresult *res = q(r, STMT_ADMIN_STATS);
	PGresult *c = q(r, STMT_ADMIN_CONTENT_COUNTS);

	if (!res || !c)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin");
	view_str(&v, "active", db_str(res, 0, 0));
	view_str(&v, "pending", db_str(res, 0, 1));
	view_str(&v, "unregistered", db_str(res, 0, 2));
	view_str(&v, "outbox", db_str(res, 0, 3));
	view_str(&v, "drafts", db_str(c, 0, 0));
	view_str(&v, "scheduled", db_str(c, 0, 1));
	view_str(&v, "published", db_str(c, 0, 2));
	view_str(&v, "page_drafts", db_str(c, 0, 3));
	view_str(&v, "page_published", db_str(c, 0, 4));
	return render(r, 200, "admin", &v, "Administration");
}

/* GET /admin/audit?page=N: newest first. 200; 503. */
int
admin_audit_get(struct req *r)
{
	long page = page_number(r);
	struct view v;
	struct view_rows rows;
	PGresult *res = q(r, STMT_ADMIN_AUDIT,
	    arena_printf(&r->arena, "%d", ADMIN_PAGE_SIZE), offset_of(r, page));

	if (!res)
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	admin_chrome(r, &v, "/admin/audit");
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *type = db_str(res, i, 2), *id = db_str(res, i, 3);

		view_rows_add(&rows, 5, db_str(res, i, 5), db_str(res, i, 0),
		    db_str(res, i, 1), *id ? arena_printf(&r->arena, "%s n° %s",
		    type, id) : type, db_str(res, i, 4));
	}
	view_rows_set(&v, "entries", &rows);
	view_int(&v, "empty", PQntuples(res) == 0);
	view_pager(r, &v, "/admin/audit", "", page,
	    PQntuples(res) ? db_long(res, 0, 6) : 0);
	return render(r, 200, "admin_audit", &v, "Journal des actions");
}

/* POST /admin/preview: body (Markdown). The sanitised HTML fragment, as
 * it will be stored. 200; 413 when too long; 500. */
int
admin_preview_post(struct req *r)
{
	const char *md = form_body(r, "body", BODY_MAX);
	char *html;

	if (!md)
		return 413;
	if (!(html = markdown_to_html(md, strlen(md))))
		return 500;
	buf_reset(&r->body);
	buf_puts(&r->body, html);
	free(html);
	r->ctype = "text/html; charset=utf-8";
	return 200;
}

/* Markdown to HTML, in the arena; NULL on failure. */
static const char *
render_body(struct req *r, const char *md)
{
	char *html = markdown_to_html(md, strlen(md));
	const char *out;

	if (!html)
		return NULL;
	out = arena_strdup(&r->arena, html);
	free(html);
	return out;
}

/* ---------------------------------------------------------------- */
/* Articles                                                            */

static const char *const article_fields[] = {
	"title", "slug", "summary", "body", "category_id", "media_id",
	"featured", "published_at", "action", NULL
};

static const char *
state_label(const char *state)
{
	if (!strcmp(state, "draft"))
		return "brouillon";
	if (!strcmp(state, "scheduled"))
		return "programmé";
	return "publié";
}

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
	const char *id = route_id(r);
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

enum pub_action { ACT_SAVE, ACT_PUBLISH, ACT_SCHEDULE, ACT_UNPUBLISH };

static int
parse_action(const char *s, int allow_schedule)
{
	if (!s || !*s || !strcmp(s, "save"))
		return ACT_SAVE;
	if (!strcmp(s, "publish"))
		return ACT_PUBLISH;
	if (!strcmp(s, "schedule") && allow_schedule)
		return ACT_SCHEDULE;
	if (!strcmp(s, "unpublish"))
		return ACT_UNPUBLISH;
	return -1;
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

/*
 * Delete row {id} with stmt (which returns its label), record it, and go
 * back to the list with a notice. 303; 404; 503.
 */
static int
delete_row(struct req *r, enum stmt stmt, const char *action,
    const char *type, const char *list, const char *notice)
{
	const char *id = route_id(r);
	PGresult *res;

	if (!id)
		return 404;
	if (db_begin(&r->app->db) < 0 || !(res = q(r, stmt, id)))
		return unavailable(r);
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		return 404;
	}
	if (audit(r, action, type, id_long(id), db_str(res, 0, 0)) < 0 ||
	    db_commit(&r->app->db) < 0)
		return unavailable(r);
	flash_set(r, arena_printf(&r->arena, notice, db_str(res, 0, 0)));
	return resp_redirect(r, list);
}

/* POST /admin/articles/{id}/delete: 303 to the list; 404; 503. */
int
admin_article_delete_post(struct req *r)
{
	return delete_row(r, STMT_ADMIN_ARTICLE_DELETE, "article.delete",
	    "article", "/admin/articles", "L'article « %s » est supprimé.");
}

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
	const char *id = route_id(r);
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
	const char *id = route_id(r);
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
	const char *id = route_id(r);
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
	const char *id = route_id(r);
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

/* ---------------------------------------------------------------- */
/* `civitas-fcgi rerender`: body_html again from body_md, for every   */
/* article and page (demo data inserted with SQL, a sanitiser change).*/

static long
rerender_table(struct app *app, struct arena *a, enum stmt select,
    enum stmt update)
{
	PGresult *res = db_exec(&app->db, a, select);
	long n = 0;

	if (!res)
		return -1;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *md = db_str(res, i, 1);
		char *html = markdown_to_html(md, strlen(md));
		PGresult *up;

		if (!html)
			return -1;
		up = db_exec(&app->db, a, update, db_str(res, i, 0), html);
		free(html);
		if (!up)
			return -1;
		n++;
	}
	return n;
}

int
cli_rerender(struct app *app)
{
	struct arena a;
	long articles = -1, pages = -1;

	arena_init(&a, 64 * 1024);
	if (db_begin(&app->db) == 0 &&
	    (articles = rerender_table(app, &a, STMT_ADMIN_ARTICLE_BODIES,
	    STMT_ADMIN_ARTICLE_SET_HTML)) >= 0 &&
	    (pages = rerender_table(app, &a, STMT_ADMIN_PAGE_BODIES,
	    STMT_ADMIN_PAGE_SET_HTML)) >= 0 && db_commit(&app->db) == 0) {
		printf("rerendered %ld articles and %ld pages\n", articles,
		    pages);
		arena_release(&a);
		return 0;
	}
	if (app->db.in_tx)
		db_rollback(&app->db);
	fprintf(stderr, "rerender: could not read or write PostgreSQL\n");
	arena_release(&a);
	return 1;
}
