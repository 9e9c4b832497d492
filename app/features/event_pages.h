/*
 * event_pages: what the event files share (events.c: create, edit,
 * cancel; events_public.c: the list, the page and the API; event_rsvp.c:
 * registration and the cancel link; admin_events.c: the back-office).
 *
 * Every mail about an event is queued inside the caller's transaction,
 * next to the change that causes it (outbox_add_ex), with the event's
 * calendar (calendar.c: event_ics) when it concerns a seat.
 */
#ifndef CIVITAS_EVENT_PAGES_H
#define CIVITAS_EVENT_PAGES_H

#include "events.h"

#define EVENT_CACHE "public, max-age=5"

/* The zones an organiser may choose (abroad, online), with how a page
 * names them: "heure de La Réunion". NULL-ended on zone. */
struct event_zone {
	const char *zone;	/* IANA */
	const char *place;	/* "La Réunion", "New York" */
};
extern const struct event_zone event_zones[];
/* "" for Europe/Paris, else ", heure de La Réunion (Indian/Reunion)". */
const char *event_zone_note(struct req *r, const char *zone);

/* What a mail is about. */
enum event_mail {
	EM_REGISTERED,		/* a seat: the .ics, the cancel link */
	EM_WAITING,		/* on the waiting list: the cancel link */
	EM_PROMOTED,		/* a seat freed for them: .ics, link */
	EM_UPDATED,		/* time or place changed: the new .ics */
	EM_CANCELLED,		/* the event is cancelled: CANCEL .ics */
	EM__MAX
};

/*
 * Queue the mail of kind about the event (card: a row of the event_card
 * shape) to person row i of res (event_person shape); link: the cancel
 * link's token, or NULL. Inside the caller's transaction. 0, or -1.
 */
int event_mail_send(struct req *r, const PGresult *card, enum event_mail kind,
    const PGresult *person, int i, const char *token);
/* Give registration id a new cancel link and mail it kind (registered,
 * waiting, promoted). 0, or -1. */
int event_mail_seat(struct req *r, const PGresult *card, enum event_mail kind,
    const char *registration_id);
/* Mail the promoted of a event_fill or event_unregister result (rows
 * whose column col holds a promoted registration id, flag_col: a column
 * that must be "f" for the row to count, -1 for every row). 0, or -1. */
int event_mail_promoted(struct req *r, const char *event_id,
    const PGresult *res, int col, int flag_col);

/* The event's place in one line: "12 rue X, 69001 Lyon" or "En ligne". */
const char *event_place(struct req *r, const PGresult *card, int i);
/* "samedi 14 décembre 2026, de 14 h 00 à 16 h 00" (+ the zone note). */
const char *event_when(struct req *r, const PGresult *card, int i);

#endif
