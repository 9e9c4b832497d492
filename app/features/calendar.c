/*
 * calendar: events as iCalendar objects (RFC 5545, and iTIP, RFC 5546,
 * for the ones mailed): event_ics() for the registration mails (events.h),
 * GET /events/{slug}.ics and a committee's feed.
 *
 * No calendar app may show an event twice: its UID is the event's uuid at
 * the host of BASE_URL, the same in every file and mail, whatever changes;
 * SEQUENCE is events.sequence (raised by PostgreSQL on every change of
 * time, place or status), so an update or a cancellation replaces the
 * copy a calendar holds. METHOD is on the calendar, never on the event.
 * Times are local times of the event's zone (TZID), with a VTIMEZONE for
 * every zone used (ics.h, from the system's zoneinfo, as PostgreSQL's
 * conversion uses); a zone that cannot be written as one is given in UTC.
 */
#include "../core/common.h"
#include "../core/ics.h"
#include "events.h"

#define CAL_TYPE "text/calendar; charset=utf-8"
#define CAL_CACHE "public, max-age=5"	/* as the public pages */
#define CAL_MAX (8 * 1024 * 1024)
#define CAL_ZONES 32

struct calendar {
	struct req *r;
	struct buf b;
	const char *uid_host;
	const char *zones[CAL_ZONES];	/* zones with a VTIMEZONE written */
	int nzones;
};

/* The host of a URL ("https://a.example:8443/x" → "a.example"). */
static const char *
url_host(struct arena *a, const char *url)
{
	const char *h = strstr(url, "://");
	size_t n;

	h = h ? h + 3 : url;
	n = strcspn(h, ":/");
	return n ? arena_strndup(a, h, n) : "civitas.localhost";
}

/* The address of a From ("civitas <no-reply@x>" → "no-reply@x"). */
static const char *
mail_address(struct arena *a, const char *from)
{
	const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;

	return lt && gt ? arena_strndup(a, lt + 1, (size_t)(gt - lt - 1)) :
	    from;
}

static int
calendar_begin(struct calendar *c, struct req *r, const char *method,
    const char *name)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->uid_host = url_host(&r->arena, r->app->cfg.base_url);
	buf_init(&c->b, CAL_MAX);
	if (buf_puts(&c->b, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
	    "PRODID:-//civitas//Evenements//FR\r\nCALSCALE:GREGORIAN\r\n") < 0
	    || ics_prop(&c->b, "METHOD", method) < 0)
		return -1;
	if (name && (ics_text(&c->b, "X-WR-CALNAME", name) < 0 ||
	    ics_prop(&c->b, "X-PUBLISHED-TTL", "PT1H") < 0))
		return -1;
	return 0;
}

static int
zone_written(const struct calendar *c, const char *tz)
{
	for (int i = 0; i < c->nzones; i++)
		if (!strcmp(c->zones[i], tz))
			return 1;
	return 0;
}

/* One VTIMEZONE per zone of the events in res; a zone with none (unknown
 * to the system, rules RRULE cannot say, too many zones) is left out and
 * its events are written in UTC. */
static int
calendar_zones(struct calendar *c, PGresult *res)
{
	for (int i = 0; i < PQntuples(res); i++) {
		const char *tz = db_str(res, i, CAL_TZ);

		if (zone_written(c, tz) || c->nzones == CAL_ZONES)
			continue;
		if (ics_vtimezone(&c->b, ICS_ZONEINFO, tz) == 0)
			c->zones[c->nzones++] = tz;
		else if (c->b.len == c->b.max)
			return -1;
	}
	return 0;
}

/* DTSTART or DTEND: local time with its TZID, or UTC. */
static int
calendar_time(struct calendar *c, const char *prop, const char *tz,
    const char *local, const char *utc)
{
	if (!zone_written(c, tz))
		return ics_prop(&c->b, prop, utc);
	return ics_prop(&c->b, arena_printf(&c->r->arena, "%s;TZID=%s", prop,
	    tz), local);
}

/* The person a mail goes to: as iTIP asks of REQUEST and CANCEL. They
 * registered, so their answer is known (no RSVP to a no-reply address). */
static int
calendar_attendee(struct calendar *c, const char *method, const char *to)
{
	const char *params = !strcmp(method, "CANCEL") ?
	    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT" :
	    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
	    "PARTSTAT=ACCEPTED;RSVP=FALSE";

	return ics_prop(&c->b, params, arena_printf(&c->r->arena,
	    "mailto:%s", to));
}

static int
calendar_event(struct calendar *c, PGresult *res, int i, const char *method,
    const char *attendee)
{
	struct req *r = c->r;
	struct buf org;
	const char *tz = db_str(res, i, CAL_TZ), *desc;
	int cancelled = !strcmp(db_str(res, i, CAL_STATUS), "cancelled") ||
	    !strcmp(method, "CANCEL"), rc = -1;

	desc = db_str(res, i, CAL_DESCRIPTION);
	if (*db_str(res, i, CAL_CANCEL_MESSAGE))
		desc = arena_printf(&r->arena, "Événement annulé : %s\n\n%s",
		    db_str(res, i, CAL_CANCEL_MESSAGE), desc);
	buf_init(&org, 4096);
	if (buf_puts(&org, "ORGANIZER;CN=") < 0 ||
	    ics_param(&org, db_str(res, i, CAL_ORGANIZER)) < 0)
		goto out;
	if (buf_puts(&c->b, "BEGIN:VEVENT\r\n") < 0 ||
	    ics_prop(&c->b, "UID", arena_printf(&r->arena, "%s@%s",
	    db_str(res, i, CAL_UUID), c->uid_host)) < 0 ||
	    ics_prop(&c->b, "SEQUENCE", db_str(res, i, CAL_SEQUENCE)) < 0 ||
	    ics_prop(&c->b, "DTSTAMP", db_str(res, i, CAL_STAMP)) < 0 ||
	    ics_prop(&c->b, "LAST-MODIFIED", db_str(res, i, CAL_MODIFIED)) < 0
	    || calendar_time(c, "DTSTART", tz, db_str(res, i, CAL_START_LOCAL),
	    db_str(res, i, CAL_START_UTC)) < 0 ||
	    calendar_time(c, "DTEND", tz, db_str(res, i, CAL_END_LOCAL),
	    db_str(res, i, CAL_END_UTC)) < 0 ||
	    ics_text(&c->b, "SUMMARY", db_str(res, i, CAL_NAME)) < 0 ||
	    ics_text(&c->b, "DESCRIPTION", desc) < 0 ||
	    ics_text(&c->b, "LOCATION", db_str(res, i, CAL_LOCATION)) < 0 ||
	    ics_prop(&c->b, "URL", arena_printf(&r->arena, "%s/events/%s",
	    r->app->cfg.base_url, db_str(res, i, CAL_SLUG))) < 0 ||
	    ics_prop(&c->b, "STATUS", cancelled ? "CANCELLED" : "CONFIRMED") < 0
	    || ics_prop(&c->b, "TRANSP", "OPAQUE") < 0 ||
	    ics_prop(&c->b, org.data, arena_printf(&r->arena, "mailto:%s",
	    mail_address(&r->arena, r->app->cfg.mail_from))) < 0)
		goto out;
	if (attendee && calendar_attendee(c, method, attendee) < 0)
		goto out;
	rc = buf_puts(&c->b, "END:VEVENT\r\n");
out:
	buf_release(&org);
	return rc;
}

/* The calendar of the events of res, in the request's arena; NULL when
 * it outgrew CAL_MAX. */
static const char *
calendar_write(struct req *r, PGresult *res, const char *method,
    const char *attendee, const char *name)
{
	struct calendar c;
	const char *out = NULL;

	if (calendar_begin(&c, r, method, name) < 0 ||
	    calendar_zones(&c, res) < 0)
		goto out;
	for (int i = 0; i < PQntuples(res); i++)
		if (calendar_event(&c, res, i, method, attendee) < 0)
			goto out;
	if (buf_puts(&c.b, "END:VCALENDAR\r\n") < 0)
		goto out;
	out = arena_strndup(&r->arena, c.b.data, c.b.len);
out:
	buf_release(&c.b);
	return out;
}

const char *
event_ics(struct req *r, const char *event_id, const char *method,
    const char *attendee)
{
	PGresult *res;

	if (strcmp(method, "PUBLISH") && strcmp(method, "REQUEST") &&
	    strcmp(method, "CANCEL"))
		return NULL;
	if (!(res = q(r, STMT_CAL_EVENT, event_id)) || PQntuples(res) != 1)
		return NULL;
	return calendar_write(r, res, method, attendee, NULL);
}

static int
calendar_answer(struct req *r, const char *ics)
{
	if (!ics)
		return 500;
	buf_reset(&r->body);
	buf_puts(&r->body, ics);
	r->ctype = CAL_TYPE;
	r->cache = CAL_CACHE;
	return 200;
}

/* GET /events/{slug}.ics: the event for a calendar (METHOD:PUBLISH).
 * 200; 404 for an event the visitor may not see; 503. */
int
event_ics_get(struct req *r)
{
	struct event e;
	int found = event_find(r, r->params[0], &e);

	PGresult *res;

	if (found < 0 || (found && !(res = q(r, STMT_CAL_EVENT, e.id_str))))
		return unavailable(r);
	if (!found || PQntuples(res) != 1)
		return 404;
	return calendar_answer(r, calendar_write(r, res, "PUBLISH", NULL,
	    NULL));
}

/* GET /committees/{slug}/events.ics: the feed of a committee's events
 * (upcoming, and over for less than 30 days; cancelled ones say so), to
 * subscribe to. 200; 404 for a committee the visitor may not see; 503. */
int
committee_ics_get(struct req *r)
{
	struct committee c;
	PGresult *res;
	int found = committee_find(r, r->params[0], &c);

	if (found < 0)
		return unavailable(r);
	if (!found)
		return 404;
	if (!(res = q(r, STMT_CAL_COMMITTEE, c.id_str)))
		return unavailable(r);
	return calendar_answer(r, calendar_write(r, res, "PUBLISH", NULL,
	    c.name));
}
