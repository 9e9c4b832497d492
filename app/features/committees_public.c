/*
 * committees_public: what anyone sees of the committees.
 *
 *	GET /committees           the directory: by name (?q=), near a postal
 *	                          code (?near=69001&radius=20), paginated
 *	GET /api/committees       the same as JSON (public data only)
 *	GET /committees/{slug}    a committee's page
 *
 * The directory and the API read no cookie (R_CACHEABLE: nginx keeps them
 * 5 s). They show counts of members, so the workers do not keep them
 * (a follow would have to empty every worker's cache). The committee
 * page depends on the viewer (follow button, a pending committee shown
 * to its creator): it loads the session, and says "public, max-age=5"
 * only to anonymous visitors, whose page is the same for all; a member
 * carries the session cookie, which makes nginx bypass its cache.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "committees.h"
#include "features.h"
#include "media.h"

#define PUB_CACHE "public, max-age=5"
#define PER_PAGE 20
#define MAX_PAGE 100000L
#define RADIUS_DEFAULT 20
#define RADIUS_MAX 200
#define PAGE_EVENTS "5"
#define PAGE_MESSAGES "10"

/* What the directory was asked. */
struct directory {
	const char *q;		/* "" for every name */
	const char *near;	/* a French postal code, "" for none */
	long radius;		/* km */
	long page;
	PGresult *res;
	long total, pages;
};

/* The query string into d: 0, or 400 with the reason in *why. */
static int
directory_parse(struct req *r, struct directory *d, const char **why)
{
	const char *q = req_query(r, "q"), *near = req_query(r, "near");
	const char *radius = req_query(r, "radius");
	const char *page = req_query(r, "page");
	char code[8];

	d->q = q ? q : "";
	d->near = "";
	d->radius = RADIUS_DEFAULT;
	d->page = 1;
	if (utf8_length(d->q) > 100 || !utf8_valid(d->q, strlen(d->q))) {
		*why = "La recherche doit comporter au plus 100 caractères.";
		return 400;
	}
	if (page && parse_long(page, 1, MAX_PAGE, &d->page) < 0) {
		*why = "Le numéro de page est invalide.";
		return 400;
	}
	if (radius && *radius && parse_long(radius, 1, RADIUS_MAX,
	    &d->radius) < 0) {
		*why = "Le rayon doit être un nombre de kilomètres entre 1 et "
		    "200.";
		return 400;
	}
	if (near && *near) {
		if (valid_postal_code_fr(near, code, sizeof(code)) != VALID_OK) {
			*why = "Ce code postal n'est pas un code postal "
			    "français valide.";
			return 400;
		}
		d->near = arena_strdup(&r->arena, code);
	}
	return 0;
}

/* Run the directory's query: 0, or -1 when PostgreSQL failed. */
static int
directory_run(struct req *r, struct directory *d)
{
	const char *limit = arena_printf(&r->arena, "%d", PER_PAGE);
	const char *offset = arena_printf(&r->arena, "%ld",
	    (d->page - 1) * PER_PAGE);

	d->res = *d->near ? q(r, STMT_COMMITTEE_NEAR, d->q, limit, offset,
	    d->near, arena_printf(&r->arena, "%ld", d->radius * 1000)) :
	    q(r, STMT_COMMITTEE_LIST, d->q, limit, offset);
	if (!d->res)
		return -1;
	d->total = PQntuples(d->res) ? db_long(d->res, 0, CARD_C_TOTAL) : 0;
	d->pages = MAX(1, (d->total + PER_PAGE - 1) / PER_PAGE);
	return 0;
}

/* "4,2 km" from "4.2". */
static const char *
km_text(struct req *r, const char *km)
{
	char *s = arena_printf(&r->arena, "%s km", km);

	for (char *p = s; *p; p++)
		if (*p == '.')
			*p = ',';
	return s;
}

/* The directory's URL for page n, the other parameters kept. */
static const char *
directory_url(struct req *r, const struct directory *d, long n)
{
	struct buf b;
	const char *out;
	char sep = '?';

	buf_init(&b, 4096);
	buf_puts(&b, "/committees");
	if (*d->q) {
		buf_puts(&b, "?q=");
		url_encode(&b, d->q);
		sep = '&';
	}
	if (*d->near) {
		buf_printf(&b, "%cnear=%s&radius=%ld", sep, d->near, d->radius);
		sep = '&';
	}
	if (n > 1)
		buf_printf(&b, "%cpage=%ld", sep, n);
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}

/* The cards: slug, name, city (postal code), members, distance, and the
 * country's heading when an abroad group starts. */
static void
card_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;
	const char *last = "FR";

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *country = db_str(res, i, CARD_C_COUNTRY);
		const char *postal = db_str(res, i, CARD_C_POSTAL);
		const char *km = db_str(res, i, CARD_C_KM);
		long n = db_long(res, i, CARD_C_MEMBERS);
		int group = strcmp(country, last) && strcmp(country, "FR") &&
		    !*km;

		last = country;
		view_rows_add(&rows, 6, db_str(res, i, CARD_C_SLUG),
		    db_str(res, i, CARD_C_NAME), *postal ? arena_printf(
		    &r->arena, "%s (%s)", db_str(res, i, CARD_C_CITY), postal) :
		    arena_printf(&r->arena, "%s, %s", db_str(res, i,
		    CARD_C_CITY), db_str(res, i, CARD_C_COUNTRY_NAME)),
		    arena_printf(&r->arena, "%ld membre%s", n, n > 1 ? "s" : ""),
		    *km ? km_text(r, km) : "", group ? db_str(res, i,
		    CARD_C_COUNTRY_NAME) : "");
	}
	view_rows_set(v, "committees", &rows);
}

/*
 * GET /committees (?q, ?near, ?radius, ?page): approved committees, by
 * name, or near a postal code nearest first with their distance. 200;
 * 400 (a malformed parameter); 404 a page past the end; 503.
 */
int
committees_get(struct req *r)
{
	struct directory d;
	struct view v;
	const char *why = NULL;
	PGresult *known = NULL;
	int rc;

	if ((rc = directory_parse(r, &d, &why)))
		return render_error(r, rc, why);
	if (directory_run(r, &d) < 0)
		return unavailable(r);
	if (PQntuples(d.res) == 0 && d.page > 1)
		return not_found(r);
	if (*d.near && PQntuples(d.res) == 0 &&
	    !(known = q(r, STMT_PLACE_KNOWN, d.near)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "q", d.q);
	view_str(&v, "near", d.near);
	view_int(&v, "radius", d.radius);
	view_int(&v, "total", d.total);
	view_int(&v, "unknown_place", known && !db_bool(known, 0, VALUE));
	card_rows(r, &v, d.res);
	view_int(&v, "has_committees", PQntuples(d.res) > 0);
	if (pagination(r, &v, d.page > 1 ? directory_url(r, &d, d.page - 1) :
	    "", d.page < d.pages ? directory_url(r, &d, d.page + 1) : "",
	    d.page, d.pages) < 0)
		return unavailable(r);
	r->cache = PUB_CACHE;
	return render(r, 200, "committees", &v, d.page > 1 ? arena_printf(
	    &r->arena, "Les comités, page %ld", d.page) : "Les comités");
}

/*
 * GET /api/committees (?q, ?near, ?radius, ?page): the directory as JSON,
 * public data only (never an address of a member, nor a street):
 * {total_records, total_pages, page, per_page, committees: [{name, slug,
 * browser_url, location: {locality, postal_code, country}, members,
 * distance_km (near only)}]}. 200; 400 and 404 as problem+json; 503.
 */
int
api_committees_get(struct req *r)
{
	struct directory d;
	const char *why = NULL;
	json_t *list, *out;
	int rc;

	if ((rc = directory_parse(r, &d, &why)))
		return resp_problem(r, rc, status_text(rc), why);
	if (directory_run(r, &d) < 0)
		return unavailable(r);
	if (PQntuples(d.res) == 0 && d.page > 1)
		return resp_problem(r, 404, status_text(404), error_message(404));
	list = json_array();
	for (int i = 0; i < PQntuples(d.res); i++) {
		const char *km = db_str(d.res, i, CARD_C_KM);
		json_t *c = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:I}",
		    "name", db_str(d.res, i, CARD_C_NAME),
		    "slug", db_str(d.res, i, CARD_C_SLUG),
		    "browser_url", arena_printf(&r->arena, "%s/committees/%s",
		    r->cfg->base_url, db_str(d.res, i, CARD_C_SLUG)),
		    "location", "locality", db_str(d.res, i, CARD_C_CITY),
		    "postal_code", db_str(d.res, i, CARD_C_POSTAL),
		    "country", db_str(d.res, i, CARD_C_COUNTRY),
		    "members", (json_int_t)db_long(d.res, i, CARD_C_MEMBERS));

		if (*km)
			json_object_set_new(c, "distance_km",
			    json_real(strtod(km, NULL)));
		json_array_append_new(list, c);
	}
	out = json_pack("{s:I, s:I, s:I, s:i, s:o}", "total_records",
	    (json_int_t)d.total, "total_pages", (json_int_t)d.pages, "page",
	    (json_int_t)d.page, "per_page", PER_PAGE, "committees", list);
	r->cache = PUB_CACHE;
	return resp_json(r, 200, out);
}

/* ---- a committee's page -------------------------------------------- */

static void
host_rows(struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 2, db_str(res, i, HOST_NAME),
		    strcmp(db_str(res, i, HOST_ROLE), "supervisor") ?
		    "co-animateur" : "animateur");
	view_rows_set(v, "hosts", &rows);
}

static void
event_rows(struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 6, db_str(res, i, CE_SLUG),
		    db_str(res, i, CE_NAME), db_str(res, i, CE_WHEN),
		    db_str(res, i, CE_ISO), db_str(res, i, CE_ZONE),
		    db_str(res, i, CE_PLACE));
	view_rows_set(v, "events", &rows);
}

static void
message_rows(struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add_html(&rows, 1u << 2, 5, db_str(res, i,
		    CMSG_AUTHOR), db_str(res, i, CMSG_SUBJECT),
		    db_str(res, i, CMSG_BODY_HTML), db_str(res, i, CMSG_DATE),
		    db_str(res, i, CMSG_ISO));
	view_rows_set(v, "messages", &rows);
}

/* The viewer's part: the follow button's state, the opt-ins, the host
 * tools' link, the notice of the last action. 0, or -1. */
static int
viewer_view(struct req *r, struct view *v, const struct committee *c)
{
	PGresult *prefs = NULL;
	const char *notice = NULL;

	if (r->user) {
		if (!(prefs = q(r, STMT_COMMITTEE_PREFS, c->id_str,
		    r->user->id_str)))
			return -1;
		notice = flash_take(r);
	}
	view_int(v, "logged_in", r->user != NULL);
	view_str(v, "csrf", r->user ? csrf_token(r) : "");
	view_int(v, "following", c->role != CR_NONE);
	view_int(v, "is_host", c->role >= CR_HOST);
	view_int(v, "is_supervisor", c->role == CR_SUPERVISOR);
	view_int(v, "can_manage", committee_can_manage(c));
	view_str(v, "notice", notice ? notice : "");
	view_int(v, "notify_messages", prefs && PQntuples(prefs) &&
	    db_bool(prefs, 0, PREF_MESSAGES));
	view_int(v, "notify_events", prefs && PQntuples(prefs) &&
	    db_bool(prefs, 0, PREF_EVENTS));
	view_int(v, "notify_followers", prefs && PQntuples(prefs) &&
	    db_bool(prefs, 0, PREF_FOLLOWERS));
	return 0;
}

/* The committee's own columns into v. */
static void
committee_view(struct req *r, struct view *v, const struct committee *c,
    const PGresult *p)
{
	struct media_ref m;
	long n = db_long(p, 0, CP_MEMBERS);

	view_str(v, "slug", c->slug);
	view_str(v, "name", db_str(p, 0, CP_NAME));
	view_str(v, "status", c->status);
	view_str(v, "refusal", db_str(p, 0, CP_REFUSAL));
	view_raw_html_already_safe(v, "description",
	    db_str(p, 0, CP_DESCRIPTION_HTML));
	view_str(v, "city", db_str(p, 0, CP_CITY));
	view_str(v, "postal_code", db_str(p, 0, CP_POSTAL_CODE));
	view_str(v, "country", db_str(p, 0, CP_COUNTRY));
	view_str(v, "website", db_str(p, 0, CP_WEBSITE));
	view_str(v, "facebook", db_str(p, 0, CP_FACEBOOK));
	view_str(v, "twitter", db_str(p, 0, CP_TWITTER));
	view_str(v, "twitter_name", db_str(p, 0, CP_TWITTER) + (*db_str(p, 0,
	    CP_TWITTER) ? 1 : 0));
	view_int(v, "members", n);
	view_str(v, "members_label", n > 1 ? "membres" : "membre");
	media_ref_read(&m, p, 0, CP_MEDIA);
	view_raw_html_already_safe(v, "photo", media_html(r, &m, "hero",
	    "(min-width: 60em) 40rem, 100vw", 1));
}

/*
 * GET /committees/{slug}: an approved committee for everyone, a pending
 * or refused one for its creator and admins only (404 for others). Its
 * description, photo, members, hosts, next events, timeline; for a
 * member the follow button and the opt-ins, for its hosts the link to
 * their tools. 200; 404; 503.
 */
int
committee_get(struct req *r)
{
	struct committee c;
	struct view v;
	PGresult *p, *hosts, *events, *messages;
	int rc = committee_find(r, r->params[0], &c);

	if (rc < 0)
		return unavailable(r);
	if (rc == 0)
		return not_found(r);
	if (!(p = q(r, STMT_COMMITTEE_PAGE, c.id_str)) || !PQntuples(p) ||
	    !(hosts = q(r, STMT_COMMITTEE_HOSTS, c.id_str)) ||
	    !(events = q(r, STMT_COMMITTEE_EVENTS, c.id_str,
	    PAGE_EVENTS)) ||
	    !(messages = q(r, STMT_COMMITTEE_MESSAGES, c.id_str,
	    PAGE_MESSAGES)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	committee_view(r, &v, &c, p);
	host_rows(&v, hosts);
	view_int(&v, "has_hosts", PQntuples(hosts) > 0);
	event_rows(&v, events);
	view_int(&v, "has_events", PQntuples(events) > 0);
	message_rows(&v, messages);
	view_int(&v, "has_messages", PQntuples(messages) > 0);
	if (viewer_view(r, &v, &c) < 0)
		return unavailable(r);
	if (!r->user && !strcmp(c.status, "approved"))
		r->cache = PUB_CACHE;
	return render(r, 200, "committee", &v, c.name);
}
