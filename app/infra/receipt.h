/*
 * receipt: the tax receipt (reçu fiscal) of a donor for a calendar year,
 * as a PDF, drawn with cairo's PDF surface and pango (DejaVu fonts).
 *
 * Pure rendering: the caller reads the receipt, its donor and its gifts
 * from PostgreSQL (features/receipts.c) and hands every string over as
 * UTF-8 text; nothing is interpreted as markup. The document is written
 * into out (whose ceiling bounds it); many gifts continue on further
 * pages.
 */
#ifndef CIVITAS_RECEIPT_H
#define CIVITAS_RECEIPT_H

#include <stddef.h>
#include "../core/buf.h"

struct receipt_gift {
	const char *date;	/* "05/12/2026" (Paris time) */
	long cents;		/* a paid, not refunded, gift */
};

struct receipt_doc {
	/* the organisation that receives the gifts */
	const char *org_name;
	const char *org_address;	/* lines separated by '\n' */
	/* the receipt */
	int year;
	long number;		/* in the year's gapless sequence */
	const char *issued;	/* "05/12/2026": the document's date */
	/* the donor */
	const char *civility;	/* "Madame", "Monsieur" */
	const char *first_name;
	const char *last_name;
	const char *street;
	const char *postal_code;
	const char *city;
	const char *country;	/* "FR", ... */
	/* the gifts of the year, oldest first, and their sum */
	const struct receipt_gift *gifts;
	size_t ngifts;
	long total_cents;
};

/* "1 234,50 €" (narrow no-break space between thousands, no-break space
 * before the sign), into out (at least RECEIPT_EUROS_MAX bytes). */
#define RECEIPT_EUROS_MAX 48
void receipt_euros(long cents, char *out, size_t n);

/* The receipt's number as printed: "2026-000042". */
#define RECEIPT_NUMBER_MAX 32
void receipt_number(int year, long number, char *out, size_t n);

/* The PDF into out (appended). 0, or -1 when cairo failed or out's
 * ceiling was reached (out is then left as it was). */
int receipt_pdf(const struct receipt_doc *d, struct buf *out);

#endif
