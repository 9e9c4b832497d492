/*
 * mailmerge: a campaign's placeholders ({first_name}, {committee},
 * {unsubscribe_url}) filled for one recipient. The same code serves the
 * preview (workers) and the mail itself (civitas-mailer), so what an
 * author previews is what is sent.
 */
#ifndef CIVITAS_MAILMERGE_H
#define CIVITAS_MAILMERGE_H

#include "buf.h"

struct merge_field {
	const char *name;	/* without braces: "first_name" */
	const char *value;	/* NULL: the empty string */
};

/* The placeholders a campaign may use, in the order of their fields. */
extern const char *const merge_names[];
extern const size_t merge_nnames;

/*
 * Append tpl to out with each "{name}" of fields replaced by its value;
 * an unknown "{...}" stays as it is. MERGE_HTML escapes the values for
 * HTML and also fills "%7Bname%7D" (how Markdown writes a placeholder
 * inside a link). One pass: a value holding "{first_name}" is not filled
 * again. 0, or -1 when out is full.
 */
enum { MERGE_TEXT, MERGE_HTML };
int mail_merge(struct buf *out, const char *tpl,
    const struct merge_field *fields, size_t nfields, int mode);

#endif
