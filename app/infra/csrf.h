/*
 * csrf: every POST, anonymous forms included, carries a token bound to a
 * random "csrf" cookie: the HMAC of that cookie under the app secret,
 * masked differently in every response (BREACH). The dispatcher checks it
 * through the worker's csrf_valid hook and answers with csrf_refused.
 */
#ifndef CIVITAS_CSRF_H
#define CIVITAS_CSRF_H

#include "app.h"

/* The token for the forms of this response (sets the cookie if needed). */
const char *csrf_token(struct req *r);
/* Does the posted _csrf check out against the cookie? */
int csrf_valid(struct req *r);
/*
 * The answer to a POST whose token does not check out. From another site:
 * a plain 403, nothing echoed. From our own pages (an expired cookie, a
 * tab left open): 403 with the user's values handed back in a form ready
 * to resend with a fresh token, so nothing typed is lost; passwords are
 * not echoed: the page asks for each password field again.
 */
int csrf_refused(struct req *r);

#endif
