/*
 * outbox: mail is never sent from a request. A handler inserts the message
 * into the outbox table inside its own transaction, so the mail exists if
 * and only if the change that caused it was committed; the mail worker
 * (jobs/mailer.c) delivers it. The Message-ID is fixed at insert time, so a
 * redelivery after a crash is recognisably the same message.
 */
#ifndef CIVITAS_OUTBOX_H
#define CIVITAS_OUTBOX_H

#include "app.h"

/* Render mail/<tpl>.txt with v (text mode) and queue it; uid 0 for a
 * person without an account. 0 or -1. */
int outbox_add(struct req *r, long uid, const char *to, const char *subject,
    const char *tpl, struct view *v);

/* What some mails add: a Reply-To (a member writing through the platform:
 * their address is in the header the recipient sees, never on a page),
 * and one text attachment (an event's .ics). NULL fields are left out. */
struct mail_extra {
	const char *reply_to;
	const char *attachment_name;	/* e.g. "evenement.ics" */
	const char *attachment_type;	/* e.g. "text/calendar; method=REQUEST" */
	const char *attachment;		/* its text */
	/* "host", "invitation", "reminder": mail nobody asked for at that
	 * moment, dropped for an address on the suppression list (the
	 * outbox_suppress trigger). NULL: "transactional", always sent. */
	const char *category;
	const char *body_html;		/* an HTML alternative, as it is */
	/* A person writing through the platform (issue 10, convince): the
	 * From header shows "<from_name> (via <site>)" with MAIL_FROM's
	 * address, never theirs: DMARC lets only our domain's signed mail
	 * through under our address, and a From in their domain sent from
	 * our servers would fail their DMARC and be dropped or junked.
	 * At most 120 characters, no control character. */
	const char *from_name;
};
int outbox_add_ex(struct req *r, long uid, const char *to,
    const char *subject, const char *tpl, struct view *v,
    const struct mail_extra *x);

#endif
