/*
 * csv: see csv.h.
 */
#include "../core/common.h"
#include "csv.h"

int
csv_begin(struct buf *b)
{
	return buf_puts(b, "\xEF\xBB\xBF");
}

static int
csv_cell(struct buf *b, const char *s)
{
	int quote = strpbrk(s, ";,\"\r\n") != NULL;
	int rc = 0;

	if (quote)
		rc |= buf_putc(b, '"');
	if (*s && strchr("=+-@\t\r", *s))
		rc |= buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			rc |= buf_putc(b, '"');
		rc |= buf_putc(b, *s);
	}
	if (quote)
		rc |= buf_putc(b, '"');
	return rc ? -1 : 0;
}

int
csv_row(struct buf *b, int n, const char *const *cells)
{
	size_t len = b->len;

	for (int i = 0; i < n; i++)
		if ((i && buf_putc(b, CSV_SEPARATOR) < 0) ||
		    csv_cell(b, cells[i] ? cells[i] : "") < 0)
			goto full;
	if (buf_puts(b, "\r\n") == 0)
		return 0;
full:
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
	return -1;
}
