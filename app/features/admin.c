/*
 * admin: the back-office's shared parts (admin.h) and its simple pages
 * (the dashboard, the audit log, the Markdown preview).
 * The generic screens live in admin_resource.c, each resource's row in
 * its own file.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../infra/markdown.h"
#include "admin.h"
#include "features.h"

/* ---------------------------------------------------------------- */
/* Markup helpers: every value goes through html_escape.             */

const char *
html_text(struct req *r, const char *s)
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
	return arena_printf(&r->arena, "<a href=\"%s\">%s</a>",
	    html_text(r, href), html_text(r, text));
}

/*
 * The back-office navigation (already-safe HTML in r's arena), the section
 * whose path is `current` marked for screen readers.
 */
static const char *
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
		{ "/admin/committees", "Comités" },
		{ "/admin/events", "Événements" },
		{ "/admin/event-categories", "Catégories d'événements" },
		{ "/admin/audit", "Journal" },
		{ "/admin/convince", "Convaincre un ami" },	/* issue 10 */
		/* issue 10 */
		{ "/admin/donations", "Dons" },
		{ "/admin/mode", "Mode dégradé" },	/* issue 13 */
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

const char *
options_html(struct req *r, const PGresult *res, const char *selected,
    const char *none)
{
	struct buf b;
	char *out;

	buf_init(&b, MAX_OUTPUT);
	buf_printf(&b, "<option value=\"\"%s>%s</option>",
	    *selected ? "" : " selected", none);
	for (int i = 0; res && i < PQntuples(res); i++) {
		const char *id = db_str(res, i, OPTION_ID);

		buf_printf(&b, "<option value=\"%s\"%s>%s (n° %s)</option>",
		    html_text(r, id), strcmp(id, selected) ? "" : " selected",
		    html_text(r, db_str(res, i, OPTION_LABEL)),
		    html_text(r, id));
	}
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_release(&b);
	return out;
}

int
option_exists(const PGresult *res, const char *id)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, OPTION_ID), id))
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Slugs: lowercase ASCII words joined by '-' (valid.h: slugify).     */

static int
slug_in(const PGresult *res, const char *slug)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(db_str(res, i, SLUG), slug))
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
	size_t plen = MIN(strlen(base), SLUG_MAX - 8);
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

int
form_slug(struct form *f, enum stmt stmt, const char *from, const char *self)
{
	const char *typed = form_get(f, "slug"), *free_slug;
	char s[SLUG_MAX + 1];

	if (form_has_error(f, "slug") || (!*typed && !*form_get(f, from)))
		return 0;
	slugify(*typed ? typed : form_get(f, from), s);
	if (!*s) {
		form_error(f, "slug", "Donnez un titre ou une adresse faite de "
		    "lettres ou de chiffres.");
		return 0;
	}
	if (!(free_slug = slug_free(f->r, stmt, s, self)))
		return -1;
	if (*typed && strcmp(free_slug, s))
		form_error(f, "slug", "Cette adresse est déjà utilisée.");
	else
		form_set(f, "slug", free_slug);
	return 0;
}

/* ---------------------------------------------------------------- */
/* Shared by the editors                                              */

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

const char *const pub_actions[] = {
	[ACT_SAVE] = "save", [ACT_PUBLISH] = "publish",
	[ACT_SCHEDULE] = "schedule", [ACT_UNPUBLISH] = "unpublish", NULL
};

int
pub_action(const struct form *f)
{
	const char *s = form_get(f, "action");

	for (int i = 0; pub_actions[i]; i++)
		if (!strcmp(s, pub_actions[i]))
			return i;
	return ACT_SAVE;
}

int
pub_slug(struct form *f, const char *self, const char *frozen,
    const char *frozen_msg, enum stmt slugs)
{
	const char *typed = form_get(f, "slug");

	if (!frozen)
		return form_slug(f, slugs, "title", self);
	if (*typed && !form_has_error(f, "slug") && strcmp(typed, frozen))
		form_error(f, "slug", frozen_msg);
	else if (!form_has_error(f, "slug"))
		form_set(f, "slug", frozen);
	return 0;
}

const char *
pub_write(struct form *f, PGresult *res, const char *type, const char *id,
    int act, int *status)
{
	static const char *const verbs[] = { [ACT_SAVE] = "update",
	    [ACT_PUBLISH] = "publish", [ACT_SCHEDULE] = "schedule",
	    [ACT_UNPUBLISH] = "unpublish" };
	struct req *r = f->r;
	const char *title = form_get(f, "title");
	long rid;

	*status = 503;
	if (!res && db_unique_violation(&r->app->db)) {
		db_rollback(&r->app->db);
		form_error(f, "slug", "Cette adresse est déjà utilisée.");
		*status = 422;
		return NULL;
	}
	if (!res)
		return NULL;
	if (PQntuples(res) != 1) {
		db_rollback(&r->app->db);
		*status = 404;
		return NULL;
	}
	rid = db_long(res, 0, RETURNING_ID);
	if ((!id && audit(r, arena_printf(&r->arena, "%s.create", type),
	    type, rid, title) < 0) || ((id || act == ACT_PUBLISH ||
	    act == ACT_SCHEDULE) && audit(r, arena_printf(&r->arena, "%s.%s",
	    type, verbs[act]), type, rid, title) < 0) ||
	    db_commit(&r->app->db) < 0)
		return NULL;
	return db_str(res, 0, RETURNING_ID);
}

int
audit(struct req *r, const char *action, const char *object_type,
    long object_id, const char *label)
{
	const char *id = object_id > 0 ?
	    arena_printf(&r->arena, "%ld", object_id) : "";

	if (!r->user)
		return -1;
	return q(r, STMT_AUDIT_INSERT, r->user->id_str, r->user->email, action,
	    object_type, id, label ? label : "") ? 0 : -1;
}

/* ---------------------------------------------------------------- */
/* Dashboard, audit log, preview                                      */

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
	view_str(&v, "active", db_str(res, 0, STATS_ACTIVE));
	view_str(&v, "pending", db_str(res, 0, STATS_PENDING));
	view_str(&v, "unregistered", db_str(res, 0, STATS_UNREGISTERED));
	view_str(&v, "outbox", db_str(res, 0, STATS_OUTBOX));
	view_str(&v, "drafts", db_str(c, 0, STATS_DRAFTS));
	view_str(&v, "scheduled", db_str(c, 0, STATS_SCHEDULED));
	view_str(&v, "published", db_str(c, 0, STATS_PUBLISHED));
	view_str(&v, "page_drafts", db_str(c, 0, STATS_PAGE_DRAFTS));
	view_str(&v, "page_published", db_str(c, 0, STATS_PAGE_PUBLISHED));
	return render(r, 200, "admin", &v, "Administration");
}

/* GET /admin/audit?page=N: newest first. */
const struct resource admin_audit = {
	.type = "audit",
	.title = "Journal des actions",
	.list = STMT_ADMIN_AUDIT,
	.heads = { "Quand", "Qui", "Action", "Objet", "Libellé" },
	.code_cols = 1u << 2,
	.caption = "Actions du back-office, les plus récentes d'abord (heure "
	    "de Paris)",
	.paged = 1,
	.empty = "Aucune action enregistrée.",
};

/* POST /admin/preview: body (Markdown). The sanitised HTML fragment, as
 * it will be stored. 200; 413 when too long; 500. */
int
admin_preview_post(struct req *r)
{
	const char *md = req_form(r, "body");
	char *html;

	if (md && utf8_length(md) > BODY_MAX)
		return 413;
	if (!(html = markdown_to_html(md ? md : "", md ? strlen(md) : 0)))
		return 500;
	buf_reset(&r->body);
	buf_puts(&r->body, html);
	free(html);
	r->ctype = "text/html; charset=utf-8";
	return 200;
}
