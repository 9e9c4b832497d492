/*
 * optout: "ne plus jamais recevoir ce type de message". Mail that nobody
 * asked for (a friend's "Convaincre un ami" mail, an invitation to join)
 * carries optout_url(): a signed link that puts its address on the
 * suppression list (reason 'request'), after which the outbox_suppress
 * trigger of sql/005_mail.sql drops every non-transactional mail to it.
 *
 * The token is base64url(address) "." base64url(the first 16 bytes of
 * HMAC-SHA256(APP_SECRET, "optout" NUL address)): it carries the address
 * (nothing is stored to send the mail) and cannot be made for another
 * address without the secret. A GET changes nothing (mail scanners follow
 * links): it shows one button; the POST is an ordinary form (CSRF token
 * and cookie from the GET). Idempotent: the ledger gets one row, the
 * first time.
 */
#ifndef CIVITAS_OPTOUT_H
#define CIVITAS_OPTOUT_H

#include "features.h"

/* The absolute opt-out link of email (lowercase), in the arena. */
const char *optout_url(struct req *r, const char *email);

/* GET /optout/{token}: 200 the button; 404 bad token. */
int optout_get(struct req *r);
/* POST /optout/{token}: 200 done (the address is suppressed); 404 bad
 * token; 503. */
int optout_post(struct req *r);

#endif
