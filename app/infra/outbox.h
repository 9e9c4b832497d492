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

/* Render mail/<tpl>.txt with v (text mode) and queue it. 0 or -1. */
int outbox_add(struct req *r, long uid, const char *to, const char *subject,
    const char *tpl, struct view *v);

#endif
