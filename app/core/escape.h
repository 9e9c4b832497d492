/*
 * escape: the only way text reaches HTML or a URL. html_escape() is applied
 * to every string a view receives (see infra/view.c); url_encode() builds
 * query strings. Both are pure.
 */
#ifndef CIVITAS_ESCAPE_H
#define CIVITAS_ESCAPE_H

#include "buf.h"

/* & < > " ' become entities; everything else is copied. */
int html_escape(struct buf *out, const char *s);
/* RFC 3986 unreserved characters pass, the rest become %XX. */
int url_encode(struct buf *out, const char *s);

#endif
