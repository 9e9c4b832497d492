/*
 * admin: the back-office's shared parts (admin.h) and its simple pages:
 * the dashboard, the audit log, the Markdown preview, and the CLI
 * `rerender`. The editors live in admin_articles.c, admin_pages.c and
 * admin_site.c.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "../infra/markdown.h"
#include "../infra/session.h"
#include "admin.h"
#include "features.h"

#include <ctype.h>
#include <limits.h>

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

const char *
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
void
admin_chrome(struct req *r, struct view *v, const char *section)
{
	const char *flash = flash_take(r);

	view_raw_html_already_safe(v, "nav", admin_nav(r, section));
	view_str(v, "notice", flash ? flash : "");
}

/* ?page=N (1 when absent or wrong). */
long
page_number(struct req *r)
{
	const char *s = req_query(r, "page");
	long n;

	if (!s || parse_long(s, 1, 100000, &n) < 0)
		return 1;
	return n;
}

const char *
offset_of(struct req *r, long page)
{
	return arena_printf(&r->arena, "%ld", (page - 1) * ADMIN_PAGE_SIZE);
}

/* "Page précédente / suivante" links; query: extra "k=v&" (escaped). */
void
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
const char *
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

int
option_exists(const PGresult *res, const char *id)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, 0), id))
			return 1;
	return 0;
}

/* The posted value of a multi-line field, unsqueezed (Markdown cares about
 * spaces and newlines), CR LF made LF; "" when absent. NULL when longer
 * than max bytes. */
const char *
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

/* A route id already checked by req_id(). */
static long
id_long(const char *s)
{
	long n = 0;

	parse_long(s, 1, LONG_MAX, &n);
	return n;
}

int
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
void
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
const char *
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
/* Shared by the editors                                              */

/* Markdown to HTML, in the arena; NULL on failure. */
const char *
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

const char *
state_label(const char *state)
{
	if (!strcmp(state, "draft"))
		return "brouillon";
	if (!strcmp(state, "scheduled"))
		return "programmé";
	return "publié";
}

int
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
 * Delete row {id} with stmt (which returns its label), record it, and go
 * back to the list with a notice. 303; 404; 503.
 */
int
delete_row(struct req *r, enum stmt stmt, const char *action,
    const char *type, const char *list, const char *notice)
{
	const char *id = req_id(r);
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
