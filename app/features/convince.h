/*
 * convince: "Convaincre un ami" (/convince), a workflow of five steps
 * (core/wf_convince.c) whose state is the visitor's (infra/wfstate.h):
 * about the friend, their concern, two interests, two reasons of yours,
 * then the message the platform composes from the paragraphs of those
 * choices, editable, sent to the friend from the author's name with the
 * author as Reply-To. README, "Convaincre un ami".
 *
 * Rules kept here: each POST applies the one transition enabled at the
 * current place or is refused (409, the current step shown with the
 * reason, nothing changed); the message of a run is sent once
 * (convince_sends is keyed by the run id); one message per friend address
 * per 24 hours whoever sends it (invitations.h's keyed hash); at most
 * CONVINCE_SENDS_PER_HOUR sends per visitor per hour (429); the friend's
 * mail carries the opt-out link (optout.h) and is dropped for a
 * suppressed address (category "invitation").
 */
#ifndef CIVITAS_CONVINCE_H
#define CIVITAS_CONVINCE_H

#include "features.h"

#define CONVINCE_SENDS_PER_HOUR 5

/* GET /convince: the current step. 200; 303 /convince/sent when done;
 * 503. */
int convince_get(struct req *r);
/* POST /convince: field "transition" and the step's fields. 303 back
 * (applied); 409 refused (the current step and why); 422 the step with
 * its messages; 429 over the hourly sends; 503. */
int convince_post(struct req *r);
/* POST /convince/recommencer: forget the run. 303 /convince; 503. */
int convince_restart_post(struct req *r);
/* GET /convince/sent: the thank-you page of a sent run. 200; 303
 * /convince otherwise; 503. */
int convince_sent_get(struct req *r);

/* The back-office (admin_convince.c): the choices and paragraphs, with
 * their counts, and the export. */
struct resource;
extern const struct resource admin_convince;
/* GET /admin/convince.csv: counts per argument and messages per month,
 * no personal data. 200; 503. */
int admin_convince_csv_get(struct req *r);

#endif
