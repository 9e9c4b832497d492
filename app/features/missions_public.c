/*
 * missions_public: what anyone sees of the missions.
 *
 *	GET /missions          the search: words (?q=), domain (?domain=
 *	                       slug), on site or remote (?type=onsite|
 *	                       remote), near a postal code (?near=69001&
 *	                       radius=20), a period (?from=, ?to=,
 *	                       YYYY-MM-DD), paginated (?page=)
 *	GET /api/missions      the same as JSON (public data only)
 *	GET /missions/{slug}   a mission: its organisation, dates, places
 *	                       left, slots, prerequisites; the link to apply
 *
 * The search and the API read no cookie (R_CACHEABLE: nginx keeps them
 * 5 s). Places left change without a content notification
 * (sql/007_missions.sql): the search's page does not show them, and the
 * workers keep it (R_PAGECACHE | R_BRIEF: emptied by any change of a
 * mission, kept 5 s at most for the missions that end meanwhile); the
 * API and the mission page show them and are never kept by the workers.
 * The mission page loads the session (its managers' buttons, a mission
 * offline shown to its managers and moderators) and is "public,
 * max-age=5" only for anonymous visitors of an online one.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "features.h"
#include "missions.h"

#define PUB_CACHE "public, max-age=5"
#define PER_PAGE 20
#define MAX_PAGE 100000L
#define RADIUS_DEFAULT 20
#define RADIUS_MAX 200

/* The domains (reference data): slug and name, loaded once per worker. */
struct domain {
	char *id, *slug, *name;
};
static struct domain *domain_list;
static int ndomains;

static int
domains_load(struct req *r)
{
	PGresult *res;

	if (domain_list)
		return 0;
	if (!(res = q(r, STMT_MIS_DOMAINS)))
		return -1;
	domain_list = xcalloc((size_t)PQntuples(res) + 1, sizeof(*domain_list));
	for (int i = 0; i < PQntuples(res); i++) {
		domain_list[i].id = xstrdup(db_str(res, i, MISD_ID));
		domain_list[i].slug = xstrdup(db_str(res, i, MISD_SLUG));
		domain_list[i].name = xstrdup(db_str(res, i, MISD_NAME));
	}
	ndomains = PQntuples(res);
	return 0;
}

/* What the search was asked. */
struct search {
	const char *q, *domain, *domain_id, *type, *near, *from, *to;
	long radius, page;
	PGresult *res;
	long total, pages;
};

/* A date typed as YYYY-MM-DD, or NULL. */
static const char *
date_param(struct req *r, const char *name, int *bad)
{
	const char *v = req_query(r, name);
	char buf[24], out[64];

	if (!v || !*v)
		return "";
	if (strlen(v) != 10 || (snprintf(buf, sizeof(buf), "%sT00:00", v),
	    valid_local_datetime(buf, out, sizeof(out)) != VALID_OK)) {
		*bad = 1;
		return "";
	}
	return v;
}

/* The query string into s: 0, or 400 with the reason in *why. */
static int
search_parse(struct req *r, struct search *s, const char **why)
{
	const char *q = req_query(r, "q"), *near = req_query(r, "near");
	const char *radius = req_query(r, "radius"), *page = req_query(r,
	    "page"), *domain = req_query(r, "domain"), *type = req_query(r,
	    "type");
	char code[8];
	int bad = 0;

	memset(s, 0, sizeof(*s));
	s->q = q ? q : "";
	s->near = s->domain = s->domain_id = "";
	s->type = type ? type : "";
	s->radius = RADIUS_DEFAULT;
	s->page = 1;
	if (utf8_length(s->q) > 100 || !utf8_valid(s->q, strlen(s->q))) {
		*why = "La recherche doit comporter au plus 100 caractères.";
		return 400;
	}
	if (page && parse_long(page, 1, MAX_PAGE, &s->page) < 0) {
		*why = "Le numéro de page est invalide.";
		return 400;
	}
	if (radius && *radius && parse_long(radius, 1, RADIUS_MAX,
	    &s->radius) < 0) {
		*why = "Le rayon doit être un nombre de kilomètres entre 1 et "
		    "200.";
		return 400;
	}
	if (*s->type && strcmp(s->type, "onsite") && strcmp(s->type,
	    "remote")) {
		*why = "Le type de mission est « onsite » ou « remote ».";
		return 400;
	}
	if (domain && *domain) {
		for (int i = 0; i < ndomains; i++)
			if (!strcmp(domain_list[i].slug, domain)) {
				s->domain = domain_list[i].slug;
				s->domain_id = domain_list[i].id;
			}
		if (!*s->domain) {
			*why = "Ce domaine n'existe pas.";
			return 400;
		}
	}
	if (near && *near) {
		if (valid_postal_code_fr(near, code, sizeof(code)) != VALID_OK) {
			*why = "Ce code postal n'est pas un code postal "
			    "français valide.";
			return 400;
		}
		if (!strcmp(s->type, "remote")) {
			*why = "Une mission à distance n'a pas de lieu : "
			    "cherchez sans code postal.";
			return 400;
		}
		s->near = arena_strdup(&r->arena, code);
	}
	s->from = date_param(r, "from", &bad);
	s->to = date_param(r, "to", &bad);
	if (bad) {
		*why = "Une date s'écrit AAAA-MM-JJ.";
		return 400;
	}
	if (*s->from && *s->to && strcmp(s->to, s->from) < 0) {
		*why = "La fin de la période précède son début.";
		return 400;
	}
	return 0;
}

/* Run the search: 0, or -1 when PostgreSQL failed. */
static int
search_run(struct req *r, struct search *s)
{
	const char *limit = arena_printf(&r->arena, "%d", PER_PAGE);
	const char *offset = arena_printf(&r->arena, "%ld",
	    (s->page - 1) * PER_PAGE);

	s->res = *s->near ? q(r, STMT_MIS_SEARCH_NEAR, s->q, s->domain_id,
	    s->type, s->from, s->to, limit, offset, s->near,
	    arena_printf(&r->arena, "%ld", s->radius * 1000)) :
	    q(r, STMT_MIS_SEARCH, s->q, s->domain_id, s->type, s->from, s->to,
	    limit, offset);
	if (!s->res)
		return -1;
	s->total = PQntuples(s->res) ? db_long(s->res, 0, MISCARD_TOTAL) : 0;
	s->pages = MAX(1, (s->total + PER_PAGE - 1) / PER_PAGE);
	return 0;
}

/* The search's URL for page n, the other parameters kept. */
static const char *
search_url(struct req *r, const struct search *s, long n)
{
	struct buf b;
	const char *out;
	char sep = '?';
	const char *keys[] = { "q", "domain", "type", "near", "from", "to" };
	const char *vals[] = { s->q, s->domain, s->type, s->near, s->from,
	    s->to };

	buf_init(&b, 4096);
	buf_puts(&b, "/missions");
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!*vals[i])
			continue;
		buf_printf(&b, "%c%s=", sep, keys[i]);
		url_encode(&b, vals[i]);
		sep = '&';
	}
	if (*s->near)
		buf_printf(&b, "&radius=%ld", s->radius);
	if (n > 1)
		buf_printf(&b, "%cpage=%ld", sep, n);
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}

/* "4,2 km" from "4.2". */
static const char *
km_text(struct req *r, const char *km)
{
	char *s = arena_printf(&r->arena, "à %s km", km);

	for (char *p = s; *p; p++)
		if (*p == '.')
			*p = ',';
	return s;
}

/* "Du 01/02/2027 au 03/02/2027", "À partir du 01/02/2027, 4 h par
 * semaine". */
static const char *
when_text(struct req *r, const char *kind, const char *starts,
    const char *ends, long hours)
{
	if (!strcmp(kind, "recurring"))
		return *ends ? arena_printf(&r->arena, "Du %s au %s, %ld h par "
		    "semaine", starts, ends, hours) : arena_printf(&r->arena,
		    "À partir du %s, %ld h par semaine", starts, hours);
	return strcmp(starts, ends) ? arena_printf(&r->arena, "Du %s au %s",
	    starts, ends) : arena_printf(&r->arena, "Le %s", starts);
}

static const char *
left_text(struct req *r, long left)
{
	if (left <= 0)
		return "Complet : liste d'attente";
	return arena_printf(&r->arena, "%ld place%s restante%s", left,
	    left > 1 ? "s" : "", left > 1 ? "s" : "");
}

static void
card_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++) {
		const char *km = db_str(res, i, MISCARD_KM);
		const char *cells[] = {
		    db_str(res, i, MISCARD_SLUG), db_str(res, i, MISCARD_TITLE),
		    db_str(res, i, MISCARD_ORG), db_str(res, i, MISCARD_DOMAIN),
		    db_str(res, i, MISCARD_WHERE), when_text(r, db_str(res, i,
		    MISCARD_KIND), db_str(res, i, MISCARD_STARTS), db_str(res, i,
		    MISCARD_ENDS), db_long(res, i, MISCARD_HOURS)),
		    left_text(r, db_long(res, i, MISCARD_LEFT)),
		    *km ? km_text(r, km) : "", db_str(res, i, MISCARD_ISO) };

		view_rows_add_cells(&rows, 0, 9, cells);
	}
	view_rows_set(v, "missions", &rows);
}

static void
domain_rows(struct view *v, const char *selected)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < ndomains; i++)
		view_rows_add(&rows, 3, domain_list[i].slug, domain_list[i].name,
		    strcmp(domain_list[i].slug, selected) ? "" : "1");
	view_rows_set(v, "domains", &rows);
}

/*
 * GET /missions: the online missions the query asks, soonest first, or
 * near a postal code nearest first with their distance. 200; 400 (a
 * malformed parameter); 404 a page past the end; 503.
 */
int
missions_get(struct req *r)
{
	struct search s;
	struct view v;
	const char *why = NULL;
	PGresult *known = NULL;
	int rc;

	if (domains_load(r) < 0)
		return unavailable(r);
	if ((rc = search_parse(r, &s, &why)))
		return render_error(r, rc, why);
	if (search_run(r, &s) < 0)
		return unavailable(r);
	if (PQntuples(s.res) == 0 && s.page > 1)
		return not_found(r);
	if (*s.near && PQntuples(s.res) == 0 &&
	    !(known = q(r, STMT_PLACE_KNOWN, s.near)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	view_str(&v, "q", s.q);
	view_str(&v, "near", s.near);
	view_str(&v, "type", s.type);
	view_str(&v, "from", s.from);
	view_str(&v, "to", s.to);
	view_int(&v, "radius", s.radius);
	view_int(&v, "total", s.total);
	view_int(&v, "unknown_place", known && !db_bool(known, 0, VALUE));
	domain_rows(&v, s.domain);
	card_rows(r, &v, s.res);
	view_int(&v, "has_missions", PQntuples(s.res) > 0);
	if (pagination(r, &v, s.page > 1 ? search_url(r, &s, s.page - 1) :
	    "", s.page < s.pages ? search_url(r, &s, s.page + 1) : "",
	    s.page, s.pages) < 0)
		return unavailable(r);
	r->cache = PUB_CACHE;
	return render(r, 200, "missions", &v, s.page > 1 ? arena_printf(
	    &r->arena, "Missions de bénévolat, page %ld", s.page) :
	    "Missions de bénévolat");
}

/*
 * GET /api/missions: the search as JSON, public data only: {total_records,
 * total_pages, page, per_page, missions: [{title, slug, browser_url,
 * organisation, domain, remote, location (null when remote), date_type,
 * start_date, places_left, distance_km (near only)}]}. 200; 400 and 404
 * as problem+json; 503.
 */
int
api_missions_get(struct req *r)
{
	struct search s;
	const char *why = NULL;
	json_t *list, *out;
	int rc;

	if (domains_load(r) < 0)
		return unavailable(r);
	if ((rc = search_parse(r, &s, &why)))
		return resp_problem(r, rc, status_text(rc), why);
	if (search_run(r, &s) < 0)
		return unavailable(r);
	if (PQntuples(s.res) == 0 && s.page > 1)
		return resp_problem(r, 404, status_text(404), error_message(404));
	list = json_array();
	for (int i = 0; i < PQntuples(s.res); i++) {
		const char *km = db_str(s.res, i, MISCARD_KM);
		const char *where = db_str(s.res, i, MISCARD_WHERE);
		int remote = !strcmp(where, "À distance");
		json_t *m = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, "
		    "s:I}",
		    "title", db_str(s.res, i, MISCARD_TITLE),
		    "slug", db_str(s.res, i, MISCARD_SLUG),
		    "browser_url", arena_printf(&r->arena, "%s/missions/%s",
		    r->cfg->base_url, db_str(s.res, i, MISCARD_SLUG)),
		    "organisation", db_str(s.res, i, MISCARD_ORG),
		    "domain", db_str(s.res, i, MISCARD_DOMAIN),
		    "remote", remote,
		    "date_type", db_str(s.res, i, MISCARD_KIND),
		    "start_date", db_str(s.res, i, MISCARD_ISO),
		    "places_left", (json_int_t)db_long(s.res, i, MISCARD_LEFT));

		json_object_set_new(m, "location", remote ? json_null() :
		    json_pack("{s:s}", "locality", where));
		if (*km)
			json_object_set_new(m, "distance_km",
			    json_real(strtod(km, NULL)));
		json_array_append_new(list, m);
	}
	out = json_pack("{s:I, s:I, s:I, s:i, s:o}", "total_records",
	    (json_int_t)s.total, "total_pages", (json_int_t)s.pages, "page",
	    (json_int_t)s.page, "per_page", PER_PAGE, "missions", list);
	r->cache = PUB_CACHE;
	return resp_json(r, 200, out);
}

/* ---- a mission's page ---------------------------------------------- */

static void
place_rows(struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 4, db_str(res, i, MISPL_STREET),
		    db_str(res, i, MISPL_POSTAL), db_str(res, i, MISPL_CITY),
		    db_str(res, i, MISPL_COUNTRY));
	view_rows_set(v, "places", &rows);
}

static void
slot_rows(struct req *r, struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 2, db_str(res, i, MISS_LABEL), left_text(r,
		    db_long(res, i, MISS_CAPACITY) - db_long(res, i, MISS_TAKEN)));
	view_rows_set(v, "slots", &rows);
}

static void
prereq_rows(struct view *v, const PGresult *res)
{
	struct view_rows rows;

	view_rows_init(&rows, v);
	for (int i = 0; i < PQntuples(res); i++)
		view_rows_add(&rows, 1, db_str(res, i, VALUE));
	view_rows_set(v, "prerequisites", &rows);
}

/* The mission's own columns into v. */
static void
page_view(struct req *r, struct view *v, const struct vol_mission *m,
    const PGresult *p)
{
	long left = db_long(p, 0, MISP_LEFT);

	view_str(v, "slug", m->slug);
	view_str(v, "title", db_str(p, 0, MISP_TITLE));
	view_raw_html_already_safe(v, "description", db_str(p, 0,
	    MISP_DESCRIPTION_HTML));
	view_str(v, "domain", db_str(p, 0, MISP_DOMAIN));
	view_str(v, "org_name", db_str(p, 0, MISP_ORG_NAME));
	view_str(v, "org_slug", db_str(p, 0, MISP_ORG_SLUG));
	view_int(v, "org_public", m->org.status == ORG_VALIDATED);
	view_str(v, "when", when_text(r, db_str(p, 0, MISP_DATE_KIND),
	    db_str(p, 0, MISP_STARTS), db_str(p, 0, MISP_ENDS), db_long(p, 0,
	    MISP_HOURS)));
	view_int(v, "places", db_long(p, 0, MISP_PLACES));
	view_int(v, "left", left);
	view_str(v, "left_text", left_text(r, left));
	view_int(v, "queued", db_long(p, 0, MISP_QUEUED));
	view_int(v, "min_age", db_long(p, 0, MISP_MIN_AGE));
	view_int(v, "remote", db_bool(p, 0, MISP_REMOTE));
	view_str(v, "status", m->status_name);
	view_str(v, "status_label", vs_label(&vs_mission, m->status));
	view_str(v, "reason", db_str(p, 0, MISP_REASON));
	view_int(v, "online", m->online);
	view_int(v, "open", m->online && !db_bool(p, 0, MISP_OVER));
	view_int(v, "is_manager", (m->roles & VS_MANAGER) != 0);
	view_int(v, "editable", (m->roles & VS_MANAGER) &&
	    (m->status == MIS_DRAFT || m->status == MIS_PENDING ||
	    m->status == MIS_VALIDATED));
}

/*
 * GET /missions/{slug}: an online mission for everyone; offline (draft,
 * pending, closed, or its organisation not validated) for its managers,
 * the referents of its département and admins only (404 for others).
 * The mission, its organisation, places left, slots, prerequisites, the
 * link to apply; for its managers and moderators, the changes they may
 * make. 200; 404; 503.
 */
int
mission_get(struct req *r)
{
	struct vol_mission m;
	struct view v;
	PGresult *p, *places, *slots, *prereqs;
	const char *notice = NULL;
	int rc;

	if ((rc = mission_of_route(r, &m)))
		return rc;
	if (!(p = q(r, STMT_MIS_PAGE, m.id_str)) || PQntuples(p) != 1 ||
	    !(places = q(r, STMT_MIS_PAGE_PLACES, m.id_str)) ||
	    !(slots = q(r, STMT_MIS_SLOTS, m.id_str)) ||
	    !(prereqs = q(r, STMT_MIS_PREREQS, m.id_str)))
		return unavailable(r);
	view_init(&v, &r->arena, 0);
	page_view(r, &v, &m, p);
	place_rows(&v, places);
	view_int(&v, "has_places", PQntuples(places) > 0);
	slot_rows(r, &v, slots);
	view_int(&v, "has_slots", PQntuples(slots) > 0);
	prereq_rows(&v, prereqs);
	view_int(&v, "has_prerequisites", PQntuples(prereqs) > 0);
	mission_actions_view(r, &v, &m);
	if (r->user)
		notice = flash_take(r);
	view_str(&v, "notice", notice ? notice : "");
	view_str(&v, "csrf", r->user ? csrf_token(r) : "");
	view_int(&v, "logged_in", r->user != NULL);
	if (!r->user && m.online)
		r->cache = PUB_CACHE;
	return render(r, 200, "mission", &v, m.title);
}
