#include "common.h"
#include "escape.h"
#include "mailmerge.h"

#include <strings.h>

const char *const merge_names[] = {
	"first_name", "committee", "unsubscribe_url",
};
const size_t merge_nnames = ARRAY_SIZE(merge_names);

/* The field whose name is at p between open and close delimiters, and
 * the length matched; NULL when none. */
static const struct merge_field *
match(const char *p, const char *open, const char *close,
    const struct merge_field *f, size_t n, size_t *len)
{
	size_t lo = strlen(open), lc = strlen(close);

	if (strncasecmp(p, open, lo) != 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t ln = strlen(f[i].name);

		if (!strncmp(p + lo, f[i].name, ln) &&
		    !strncasecmp(p + lo + ln, close, lc)) {
			*len = lo + ln + lc;
			return &f[i];
		}
	}
	return NULL;
}

int
mail_merge(struct buf *out, const char *tpl,
    const struct merge_field *fields, size_t nfields, int mode)
{
	const char *p = tpl, *run = tpl;

	while (*p) {
		const struct merge_field *f = NULL;
		size_t len = 0;

		if (*p == '{')
			f = match(p, "{", "}", fields, nfields, &len);
		else if (*p == '%' && mode == MERGE_HTML)
			f = match(p, "%7B", "%7D", fields, nfields, &len);
		if (!f) {
			p++;
			continue;
		}
		if (buf_append(out, run, (size_t)(p - run)) < 0)
			return -1;
		if (mode == MERGE_HTML ? html_escape(out, f->value ? f->value :
		    "") < 0 : buf_puts(out, f->value ? f->value : "") < 0)
			return -1;
		p += len;
		run = p;
	}
	return buf_append(out, run, (size_t)(p - run));
}
