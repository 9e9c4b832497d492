/*
 * escape: the only way text reaches HTML or a URL. html_escape() is applied
 * to every string a view receives (see infra/view.c); url_encode() builds
 * query strings. Both are pure.
 */
#ifndef CIVITAS_ESCAPE_H
#define CIVITAS_ESCAPE_H

#include "buf.h"

/* & < > " ' become entities, the code points HTML forbids in a document
 * are dropped (see html_forbidden_len); everything else is copied. */
int html_escape(struct buf *out, const char *s);
/* The length in bytes of the code point at s (UTF-8) when HTML forbids it
 * in a document, else 0: a control other than whitespace (U+0001..U+001F
 * bar tab, LF, FF and CR; U+007F..U+009F) or a noncharacter (U+FDD0..
 * U+FDEF, U+xFFFE and U+xFFFF of every plane). A broken sequence is not
 * judged (0). */
size_t html_forbidden_len(const char *s);
/* Would html_escape change s? (Most strings are copied as they are.) */
int html_escape_needed(const char *s);
/* Drops those code points from s in place (e.g. from rendered Markdown,
 * which is not escaped again); returns s. */
char *html_drop_forbidden(char *s);
/* RFC 3986 unreserved characters pass, the rest become %XX. */
int url_encode(struct buf *out, const char *s);

#endif
