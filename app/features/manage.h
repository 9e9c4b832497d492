/*
 * manage: what the host tools of committees (committee_manage.c) and of
 * events (event_manage.c) share: writing to people through the outbox
 * under a daily quota, the selection of recipients, CSV downloads.
 *
 * Invariant: no host tool reads or shows a member's e-mail address or
 * phone. Addresses are read only to queue mail (the recipients
 * statements), and the mail carries the sender's address as Reply-To:
 * the recipients see the sender's, the sender never sees theirs.
 */
#ifndef CIVITAS_MANAGE_H
#define CIVITAS_MANAGE_H

#include "events.h"

/* Contact sends per committee, and per event, per day (Paris days). */
#define MANAGE_SENDS_PER_DAY 3
/* Members (or registered people) selected one by one: each is a
 * checkbox, a field of the body, and a body has at most MAX_FIELDS. */
#define MANAGE_SELECT_MAX 50

/* A contact form: where it sends, to whom, and what the mail says. */
struct manage_contact {
	const char *scope;	/* of send_quotas: committee_contact... */
	const char *subject_id;	/* the committee's or the event's id */
	enum stmt recipients;	/* ($1 subject_id, $2 sender, $3 ids) */
	const char *prefix;	/* of the checkboxes: "m_" + an id */
	const char *what;	/* "du comité X", "de l'événement X" */
	const char *link;	/* the committee's or event's page (path) */
	const char *action;	/* the form's path */
	const char *back;	/* the dashboard's path */
	const char *heading;
};

extern const struct form_field manage_contact_fields[];

/* "Camille M.": what others see of a member's name. */
const char *manage_short_name(struct req *r, const char *first,
    const char *last);
/* Fill mc and the checkboxes (rows, in v) of the contact form of the
 * route's object: 0, or the status to answer (403, 404, 503). */
typedef int (*manage_contact_load)(struct req *r, struct manage_contact *mc,
    struct view *v, struct view_rows *rows);
/*
 * A contact form, GET or POST. GET: the form (200). POST: subject,
 * message, "all" or the checkboxes (prefix + id); takes one send of the
 * day's quota and queues one mail per recipient (Reply-To the sender) in
 * one transaction. 303 to mc->back with a notice; 422 (nothing selected,
 * more than MANAGE_SELECT_MAX, or only people who are not there); 429
 * (the day's sends are used); 503.
 */
int manage_contact(struct req *r, manage_contact_load load);
/* Sends used today of a quota; -1 when PostgreSQL is unavailable. */
long manage_sends_used(struct req *r, const char *scope, const char *id);
/* Was this checkbox (prefix + id) posted? */
int manage_checked(struct req *r, const char *prefix, const char *id);

/* Answer a CSV document (csv.h) as a download named filename. 200. */
int manage_csv_response(struct req *r, struct buf *b, const char *filename);
/* Does the client ask for JSON (the small script)? */
int manage_wants_json(struct req *r);

#endif
