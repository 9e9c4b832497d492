/*
 * events_public: the list of upcoming events (/events), an event's page
 * (/events/{slug}) and the public API (/api/events).
 *
 * Public answers: cookie-free and shared-cacheable for 5 seconds (the
 * micro-cache), not kept by the workers (they show counts of
 * registrations, which change without notifying: sql/003). An event of
 * a committee shows once the committee is approved; national events
 * always. Times are shown in the event's zone, which is named when it
 * is not Paris's. The API carries public data only: never an address
 * of a person, never a phone.
 */
#include "../core/common.h"
#include "../core/escape.h"
#include "../core/valid.h"
#include "event_pages.h"
#include "features.h"

#include <jansson.h>

#define EVENTS_PER_PAGE 20
#define API_PER_PAGE 25
#define MAX_PAGE 100000L
#define RADIUS_DEFAULT 20L
#define RADIUS_MAX 500L

/* The filters of a list, as typed (checked by filters_read). */
struct event_filters {
	const char *category;	/* slug, "" */
	const char *near;	/* postal code, "" */
	long radius;		/* km */
	const char *from, *to;	/* YYYY-MM-DD, "" */
	const char *mode;	/* online, place, "" */
	long page;
	const char *error;	/* the first bad parameter, NULL */
};

static const char *
query_or_empty(struct req *r, const char *name)
{
	const char *v = req_query(r, name);

	return v ? v : "";
}

/* A real date, YYYY-MM-DD. */
static int
is_date(const char *s)
{
	char out[64], t[20];

	if (strlen(s) != 10)
		return 0;
	snprintf(t, sizeof(t), "%sT00:00", s);
	return valid_local_datetime(t, out, sizeof(out)) == VALID_OK;
}

static void
filters_read(struct req *r, struct event_filters *ef)
{
	const char *page = req_query(r, "page");
	const char *radius = req_query(r, "radius");
	char norm[8];

	memset(ef, 0, sizeof(*ef));
	ef->category = query_or_empty(r, "category");
	ef->near = query_or_empty(r, "near");
	ef->from = query_or_empty(r, "from");
	ef->to = query_or_empty(r, "to");
	ef->mode = query_or_empty(r, "online");
	ef->mode = !strcmp(ef->mode, "1") ? "online" : !strcmp(ef->mode, "0") ?
	    "place" : ef->mode;
	ef->radius = RADIUS_DEFAULT;
	ef->page = 1;
	if (page && parse_long(page, 1, MAX_PAGE, &ef->page) < 0)
		ef->error = "page : un nombre entier à partir de 1.";
	else if (radius && *radius && parse_long(radius, 1, RADIUS_MAX,
	    &ef->radius) < 0)
		ef->error = "radius : un nombre de kilomètres entre 1 et 500.";
	else if (*ef->near && valid_postal_code_fr(ef->near, norm,
	    sizeof(norm)) != VALID_OK)
		ef->error = "near : un code postal français (5 chiffres).";
	else if (*ef->from && !is_date(ef->from))
		ef->error = "from : une date AAAA-MM-JJ.";
	else if (*ef->to && !is_date(ef->to))
		ef->error = "to : une date AAAA-MM-JJ.";
	else if (*ef->mode && strcmp(ef->mode, "online") &&
	    strcmp(ef->mode, "place"))
		ef->error = "online : 1 (en ligne) ou 0 (sur place).";
	else if (strlen(ef->category) > SLUG_MAX)
		ef->error = "category : une catégorie inconnue.";
}

/* The events of the filters, per_page a page; statuses: "scheduled" or
 * "all". NULL when PostgreSQL failed. */
static PGresult *
events_query(struct req *r, const struct event_filters *ef, int per_page,
    const char *statuses)
{
	const char *limit = arena_printf(&r->arena, "%d", per_page);
	const char *offset = arena_printf(&r->arena, "%ld",
	    (ef->page - 1) * per_page);

	if (*ef->near)
		return q(r, STMT_EVENTS_NEAR, ef->category, ef->from, ef->to,
		    ef->mode, statuses, limit, offset, ef->near,
		    arena_printf(&r->arena, "%ld", ef->radius * 1000));
	return q(r, STMT_EVENTS_LIST, ef->category, ef->from, ef->to,
	    ef->mode, statuses, limit, offset);
}

/* Is the event of row i full? */
static int
card_full(const PGresult *res, int i)
{
	const char *cap = db_str(res, i, EC_CAPACITY);

	return *cap && db_long(res, i, EC_REGISTERED) >= strtol(cap, NULL, 10);
}

/* The list's URL with the filters and page n. */
static const char *
list_url(struct req *r, const struct event_filters *ef, long n)
{
	struct buf b;
	const char *out;

	buf_init(&b, 4096);
	buf_puts(&b, "/events?");
	if (*ef->category)
		buf_puts(&b, "category="), url_encode(&b, ef->category),
		    buf_putc(&b, '&');
	if (*ef->near)
		buf_printf(&b, "near=%s&radius=%ld&", ef->near, ef->radius);
	if (*ef->mode)
		buf_printf(&b, "online=%s&", strcmp(ef->mode, "online") ? "0" :
		    "1");
	if (n > 1)
		buf_printf(&b, "page=%ld&", n);
	b.data[--b.len] = '\0';
	out = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	return out;
}

/*
 * GET /events[?category=&near=&radius=&online=&page=]: upcoming
 * scheduled events, soonest first, EVENTS_PER_PAGE a page; near a
 * postal code (places only), or online ones (online=1). 200; 400 for a
 * bad filter (the page says which); 404 past the last page; 503.
 */
int
events_get(struct req *r)
{
	struct event_filters ef;
	struct view v;
	struct view_rows rows;
	PGresult *res = NULL, *cats;
	long total = 0, pages;

	filters_read(r, &ef);
	ef.from = ef.to = "";
	if (!(cats = q(r, STMT_EVENT_CATEGORIES)) || (!ef.error &&
	    !(res = events_query(r, &ef, EVENTS_PER_PAGE, "scheduled"))))
		return unavailable(r);
	if (res && PQntuples(res) == 0 && ef.page > 1)
		return not_found(r);
	view_init(&v, &r->arena, 0);
	view_rows_init(&rows, &v);
	for (int i = 0; res && i < PQntuples(res); i++) {
		total = db_long(res, i, EC_TOTAL);
		view_rows_add(&rows, 8, db_str(res, i, EC_SLUG),
		    db_str(res, i, EC_NAME), event_when(r, res, i),
		    db_str(res, i, EC_START_ISO), event_place(r, res, i),
		    db_str(res, i, EC_CAT_NAME), *db_str(res, i,
		    EC_COMMITTEE_NAME) ? db_str(res, i, EC_COMMITTEE_NAME) :
		    db_str(res, i, EC_ORGANIZER), card_full(res, i) ? "1" : "");
	}
	view_rows_set(&v, "events", &rows);
	view_int(&v, "has_events", res && PQntuples(res) > 0);
	view_rows_init(&rows, &v);
	for (int i = 0; i < PQntuples(cats); i++)
		view_rows_add(&rows, 3, db_str(cats, i, ECAT_SLUG),
		    db_str(cats, i, ECAT_NAME), strcmp(db_str(cats, i,
		    ECAT_SLUG), ef.category) ? "" : "1");
	view_rows_set(&v, "categories", &rows);
	view_str(&v, "near", ef.near);
	view_int(&v, "radius", ef.radius);
	view_str(&v, "mode", ef.mode);
	view_str(&v, "error", ef.error ? ef.error : "");
	view_int(&v, "total", total);
	pages = MAX(1, (total + EVENTS_PER_PAGE - 1) / EVENTS_PER_PAGE);
	view_str(&v, "prev", ef.page > 1 ? list_url(r, &ef, ef.page - 1) : "");
	view_str(&v, "next", ef.page < pages ? list_url(r, &ef, ef.page + 1) :
	    "");
	view_int(&v, "page", ef.page);
	view_int(&v, "pages", pages);
	r->description = "Les événements à venir du mouvement, près de chez "
	    "vous et en ligne.";
	r->cache = EVENT_CACHE;
	return render(r, ef.error ? 400 : 200, "events", &v, ef.page > 1 ?
	    arena_printf(&r->arena, "Événements, page %ld", ef.page) :
	    "Événements");
}

/* The event's address lines for its page. */
static void
place_view(struct view *v, const PGresult *res)
{
	view_str(v, "online_url", db_str(res, 0, EC_ONLINE_URL));
	view_str(v, "street", db_str(res, 0, EC_STREET));
	view_str(v, "postal_code", db_str(res, 0, EC_POSTAL_CODE));
	view_str(v, "city", db_str(res, 0, EC_CITY));
	view_str(v, "country_name", strcmp(db_str(res, 0, EC_COUNTRY), "FR") ?
	    db_str(res, 0, EC_COUNTRY_NAME) : "");
}

/*
 * GET /events/{slug}: the event as anyone sees it: its time in its
 * zone, place or link, organiser, seats, and what registration offers
 * (a seat, the waiting list, or nothing for a past or cancelled event).
 * 200; 404 (or a redirection) for an unknown or hidden event; 503.
 */
int
event_get(struct req *r)
{
	PGresult *res = q(r, STMT_EVENT_PAGE, r->params[0]);
	struct view v;
	struct buf b;
	int cancelled, past;

	if (!res)
		return unavailable(r);
	if (PQntuples(res) != 1)
		return not_found(r);
	cancelled = !strcmp(db_str(res, 0, EC_STATUS), "cancelled");
	past = db_bool(res, 0, EC_PAST);
	view_init(&v, &r->arena, 0);
	view_str(&v, "slug", db_str(res, 0, EC_SLUG));
	view_str(&v, "name", db_str(res, 0, EC_NAME));
	view_str(&v, "cat_name", db_str(res, 0, EC_CAT_NAME));
	view_str(&v, "cat_slug", db_str(res, 0, EC_CAT_SLUG));
	view_str(&v, "when", event_when(r, res, 0));
	view_str(&v, "start_iso", db_str(res, 0, EC_START_ISO));
	view_str(&v, "end_iso", db_str(res, 0, EC_END_ISO));
	place_view(&v, res);
	view_str(&v, "committee_name", db_str(res, 0, EC_COMMITTEE_NAME));
	view_str(&v, "committee_slug", db_str(res, 0, EC_COMMITTEE_SLUG));
	view_str(&v, "organizer", db_str(res, 0, EC_ORGANIZER));
	/* Sanitised by the Markdown renderer at save time. */
	view_raw_html_already_safe(&v, "description", db_str(res, 0,
	    EC_DESCRIPTION));
	view_int(&v, "registered", db_long(res, 0, EC_REGISTERED));
	view_int(&v, "waiting", db_long(res, 0, EC_WAITING));
	view_str(&v, "capacity", db_str(res, 0, EC_CAPACITY));
	view_int(&v, "full", card_full(res, 0));
	view_int(&v, "cancelled", cancelled);
	view_int(&v, "past", past && !cancelled);
	view_int(&v, "open", !cancelled && !past);
	view_str(&v, "cancel_message", db_str(res, 0, EC_CANCEL_MESSAGE));
	buf_init(&b, 16 * 1024);
	buf_puts(&b, "<link rel=\"canonical\" href=\"");
	html_escape(&b, arena_printf(&r->arena, "%s/events/%s",
	    r->app->cfg.base_url, db_str(res, 0, EC_SLUG)));
	buf_puts(&b, "\">\n");
	if (cancelled || past)
		buf_puts(&b, "<meta name=\"robots\" content=\"noindex\">\n");
	r->head_html = arena_strdup(&r->arena, b.data);
	buf_release(&b);
	r->cache = EVENT_CACHE;
	return render(r, 200, "event", &v, db_str(res, 0, EC_NAME));
}

/* One event of the API (row i), OSDI's names where they fit. */
static json_t *
event_json(struct req *r, const PGresult *res, int i)
{
	const char *cap = db_str(res, i, EC_CAPACITY);
	json_t *loc = json_null(), *ev;

	if (!*db_str(res, i, EC_ONLINE_URL)) {
		json_t *lines = json_array(), *point = json_null();

		if (*db_str(res, i, EC_STREET))
			json_array_append_new(lines, json_string(db_str(res,
			    i, EC_STREET)));
		if (*db_str(res, i, EC_LATITUDE))
			point = json_pack("{s:f, s:f}", "latitude",
			    strtod(db_str(res, i, EC_LATITUDE), NULL),
			    "longitude", strtod(db_str(res, i, EC_LONGITUDE),
			    NULL));
		loc = json_pack("{s:s, s:o, s:s, s:s, s:s, s:o}", "venue",
		    db_str(res, i, EC_CITY), "address_lines", lines,
		    "locality", db_str(res, i, EC_CITY), "postal_code",
		    db_str(res, i, EC_POSTAL_CODE), "country", db_str(res, i,
		    EC_COUNTRY), "location", point);
	}
	ev = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:s, "
	    "s:s, s:s?, s:o}",
	    "name", db_str(res, i, EC_SLUG),
	    "title", db_str(res, i, EC_NAME),
	    "description", db_str(res, i, EC_DESCRIPTION),
	    "start_date", db_str(res, i, EC_START_ISO),
	    "end_date", db_str(res, i, EC_END_ISO),
	    "time_zone", db_str(res, i, EC_TIME_ZONE),
	    "location", loc,
	    "capacity", *cap ? json_integer(strtol(cap, NULL, 10)) :
	    json_null(),
	    "total_accepted", (json_int_t)db_long(res, i, EC_REGISTERED),
	    "status", strcmp(db_str(res, i, EC_STATUS), "cancelled") ?
	    "confirmed" : "cancelled",
	    "browser_url", arena_printf(&r->arena, "%s/events/%s",
	    r->app->cfg.base_url, db_str(res, i, EC_SLUG)),
	    "online_url", *db_str(res, i, EC_ONLINE_URL) ? db_str(res, i,
	    EC_ONLINE_URL) : NULL,
	    "category", *db_str(res, i, EC_CAT_SLUG) ? json_pack("{s:s, s:s}",
	    "name", db_str(res, i, EC_CAT_SLUG), "title", db_str(res, i,
	    EC_CAT_NAME)) : json_null());
	json_object_set_new(ev, "organizer", json_pack("{s:s, s:s?}", "name",
	    *db_str(res, i, EC_COMMITTEE_NAME) ? db_str(res, i,
	    EC_COMMITTEE_NAME) : db_str(res, i, EC_ORGANIZER), "browser_url",
	    *db_str(res, i, EC_COMMITTEE_SLUG) ? arena_printf(&r->arena,
	    "%s/committees/%s", r->app->cfg.base_url, db_str(res, i,
	    EC_COMMITTEE_SLUG)) : NULL));
	return ev;
}

/*
 * GET /api/events?near=&radius=&from=&to=&category=&online=&page=:
 * {"total_records", "total_pages", "page", "per_page", "events": [...]}
 * (event_json), by start; without from, events not over yet; cancelled
 * ones included (status "cancelled"). 200; 400 problem+json for a bad
 * parameter; 503.
 */
int
api_events_get(struct req *r)
{
	struct event_filters ef;
	PGresult *res;
	json_t *list;
	long total = 0;

	filters_read(r, &ef);
	if (ef.error)
		return resp_problem(r, 400, "Paramètre invalide", ef.error);
	if (!(res = events_query(r, &ef, API_PER_PAGE, "all")))
		return resp_problem(r, unavailable(r), "Service indisponible",
		    "La base de données ne répond pas.");
	list = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		total = db_long(res, i, EC_TOTAL);
		json_array_append_new(list, event_json(r, res, i));
	}
	r->cache = EVENT_CACHE;
	return resp_json(r, 200, json_pack("{s:I, s:I, s:I, s:i, s:o}",
	    "total_records", (json_int_t)total, "total_pages",
	    (json_int_t)((total + API_PER_PAGE - 1) / API_PER_PAGE), "page",
	    (json_int_t)ef.page, "per_page", API_PER_PAGE, "events", list));
}
