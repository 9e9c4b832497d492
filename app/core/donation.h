/*
 * donation: the pure rules of gifts (README, "Donations"), no I/O.
 *
 * - Amounts are whole cents in a long; what people type is parsed by
 *   donation_amount_parse ("50", "50,5", "50.25", at most two decimals,
 *   no sign, no exponent, no thousands separator).
 * - A gift is 1 cent to DONATION_MAX_CENTS (law 88-227 art. 11-4: 7,500 €
 *   per person and calendar year, so never more in one gift either).
 * - The net cost after the 66 % income-tax reduction (CGI art. 200) is
 *   34 % of the gift, rounded to the nearest cent.
 * - A monthly gift counts against the yearly cap for the months left
 *   this year, the current one included.
 * - The statuses and their transitions are data (donation_transitions[]):
 *   the SQL that moves a gift is a guarded UPDATE ... WHERE status = from,
 *   and the C asks the table which `from` a move may start at.
 *
 * Paybox's notification (the Sign over the raw query) is split here too,
 * so that the split is fuzzed: the signed bytes are the query string up
 * to "&Sign=", never fields re-encoded.
 */
#ifndef CIVITAS_DONATION_H
#define CIVITAS_DONATION_H

#include <stddef.h>

#define DONATION_MAX_CENTS 750000L	/* 7,500 € */
#define DONATION_YEAR_CAP_CENTS 750000L

enum donation_amount_err {
	DONATION_AMOUNT_OK = 0,
	DONATION_AMOUNT_EMPTY,		/* nothing typed */
	DONATION_AMOUNT_SYNTAX,		/* not a plain positive decimal */
	DONATION_AMOUNT_CENTS,		/* more than two decimals */
	DONATION_AMOUNT_ZERO,		/* 0 or 0,00 */
	DONATION_AMOUNT_TOO_BIG,	/* over DONATION_MAX_CENTS */
	DONATION_AMOUNT__MAX
};

/* Parse s (no surrounding spaces: the form trims) into *cents. */
int donation_amount_parse(const char *s, long *cents);
/* 34 % of cents, to the nearest cent (half up). */
long donation_net_cents(long cents);
/* The months left in the year from month (1..12), the current one
 * included: 12 in January, 1 in December; 0 for a month out of range. */
int donation_months_left(int month);
/* What a new gift takes from the year's room: the amount of a one-off,
 * the amount times the months left for a monthly one. */
long donation_needed_cents(int monthly, long cents, int month);
/* "50,00 €", "7 500,00 €" (the thousands separated by U+00A0, the
 * currency sign after U+00A0) into out, which holds
 * DONATION_EUROS_MAX bytes. */
#define DONATION_EUROS_MAX 40
void donation_format_euros(long cents, char *out, size_t outsz);

enum donation_kind { DONATION_ONCE, DONATION_MONTHLY, DONATION_KIND__MAX };
enum donation_status {
	DS_PENDING, DS_PAID, DS_ACTIVE, DS_ENDED, DS_REFUSED, DS_CANCELLED,
	DS_EXPIRED, DS__MAX
};
/* The names the database stores ("once", "pending"...). */
extern const char *const donation_kind_names[DONATION_KIND__MAX];
extern const char *const donation_status_names[DS__MAX];
/* The French label of a status, for pages. */
extern const char *const donation_status_labels[DS__MAX];
/* -1 when name is none of them. */
int donation_kind_from(const char *name);
int donation_status_from(const char *name);

struct donation_transition {
	enum donation_status from, to;
	unsigned kinds;		/* 1 << DONATION_ONCE | 1 << DONATION_MONTHLY */
};
extern const struct donation_transition donation_transitions[];
extern const size_t donation_ntransitions;
/* May a gift of kind go from -> to? */
int donation_transition_allowed(int kind, int from, int to);
/* The status a verified, matching payment moves a pending gift to: paid
 * (one-off) or active (monthly). */
enum donation_status donation_paid_status(int kind);

/*
 * A notification's query string "<signed>&Sign=<sig>": *signed_len is
 * the length of the signed bytes, *sig the url-encoded signature (to its
 * end). -1 when there is no "&Sign=" or the signed part is empty. The
 * signature is the last field: a second "&Sign=" in the signed part is
 * refused too.
 */
int donation_split_signed(const char *query, size_t *signed_len,
    const char **sig);
/* The donation's uuid at the head of a PBX_CMD reference (a monthly
 * gift's reference carries the PBX_2MONT... suffix after it): 0 and
 * the lowercase uuid in out (37 bytes), else -1. */
int donation_ref_uuid(const char *ref, char out[37]);
/* Is s a uuid as PostgreSQL prints it (36 chars, lowercase hex)? */
int donation_uuid_wellformed(const char *s);

#endif
