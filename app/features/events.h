/*
 * events: what the event pages, the registrations, the host tools and the
 * calendars share: finding an event, the viewer's right to manage it, and
 * its calendar (RFC 5545) for mails and downloads.
 */
#ifndef CIVITAS_EVENTS_H
#define CIVITAS_EVENTS_H

#include "committees.h"

struct event {
	long id;
	const char *id_str;
	const char *slug;
	const char *name;
	const char *status;	/* scheduled, cancelled */
	int past;		/* finished */
	long committee_id;	/* 0: a national event */
	const char *committee_slug;	/* "" for a national event */
	enum committee_role role;	/* of r->user in the committee */
	int organizer;		/* r->user created it */
	int admin;		/* r->user is an admin */
};

/* The event of slug as r->user may see it (r->user may be NULL): every
 * event of an approved committee and every national one, past and
 * cancelled included; the others only for admins. 1 found, 0 not found
 * (answer 404), -1 when PostgreSQL is unavailable. */
int event_find(struct req *r, const char *slug, struct event *e);

/* Host tools of an event: its organiser, the hosts and supervisor of its
 * committee, and admins. */
int event_can_manage(const struct event *e);
/* The event of the route ({slug}, r->params[0]) that r->user may manage:
 * 0 (*e filled), else the status the handler answers: 404, 403, or 503
 * (already answered). */
int event_managed(struct req *r, struct event *e);

/*
 * calendar.c: the event (by id) as an iCalendar object (RFC 5545), in the
 * request's arena: METHOD method ("PUBLISH" for a download, "REQUEST" for
 * a registration or an update, "CANCEL" when it is cancelled or the
 * registration is), the event's stable UID and current SEQUENCE, DTSTAMP,
 * times in the event's zone with its VTIMEZONE, and ORGANIZER (the
 * platform's address: iTIP needs one). attendee: the address of the
 * person the mail goes to (an ATTENDEE line, as iTIP asks of REQUEST and
 * CANCEL), or NULL for a download or a feed. NULL when PostgreSQL is
 * unavailable, there is no such event, or method is none of the three.
 * The UID (events.uuid "@" the host of BASE_URL) never changes, so a
 * calendar replaces its copy when SEQUENCE is higher; STATUS is CANCELLED
 * for a cancelled event and for every CANCEL. Lines end in CRLF: give it
 * as is to outbox_add_ex() (attachment_type "text/calendar;
 * charset=UTF-8; method=<method>").
 */
const char *event_ics(struct req *r, const char *event_id, const char *method,
    const char *attendee);

#endif
