/*
 * csv: spreadsheets people download (a committee's members, an event's
 * registered people), written to open as they should in LibreOffice and
 * in Excel, French locale included:
 *
 * - UTF-8 with a byte order mark (Excel reads UTF-8 only with it);
 * - cells separated by ';' (Excel in a French locale splits on ';', not
 *   ','), records ended by CRLF, quoted as RFC 4180 says: a cell holding
 *   ';', ',', '"', CR or LF is enclosed in double quotes and its quotes
 *   doubled;
 * - formula injection neutralised (OWASP): a cell starting with = + - @,
 *   a tab or a CR gets a leading apostrophe, so that a spreadsheet shows
 *   it as text and never evaluates it.
 */
#ifndef CIVITAS_CSV_H
#define CIVITAS_CSV_H

#include "../core/buf.h"

#define CSV_SEPARATOR ';'

/* The byte order mark: the first bytes of a file. */
int csv_begin(struct buf *b);
/* One record of n cells (NULL: empty), CRLF-ended. 0, or -1 when b is
 * full. */
int csv_row(struct buf *b, int n, const char *const *cells);

#endif
