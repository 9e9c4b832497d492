/*
 * donation: the pure rules of gifts (donation.h).
 */
#include "common.h"
#include "donation.h"

int
donation_amount_parse(const char *s, long *cents)
{
	long euros = 0, frac = 0;
	int ndigits = 0, nfrac = 0;
	const char *p = s;

	*cents = 0;
	if (!s || !*s)
		return DONATION_AMOUNT_EMPTY;
	/* Whole euros: digits only; more than 9 is surely too big (and
	 * bounded so the sum cannot overflow). */
	for (; *p >= '0' && *p <= '9'; p++) {
		if (ndigits++ < 10)
			euros = euros * 10 + (*p - '0');
	}
	if (*p == ',' || *p == '.') {
		p++;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (nfrac < 3)
				nfrac++;
			if (nfrac <= 2)
				frac = frac * 10 + (*p - '0');
		}
		if (nfrac == 0)
			return DONATION_AMOUNT_SYNTAX;	/* "50," */
	}
	if (*p || ndigits == 0)
		return DONATION_AMOUNT_SYNTAX;
	if (nfrac > 2)
		return DONATION_AMOUNT_CENTS;
	if (nfrac == 1)
		frac *= 10;
	if (ndigits > 9)
		return DONATION_AMOUNT_TOO_BIG;
	*cents = euros * 100 + frac;
	if (*cents == 0)
		return DONATION_AMOUNT_ZERO;
	if (*cents > DONATION_MAX_CENTS) {
		*cents = 0;
		return DONATION_AMOUNT_TOO_BIG;
	}
	return DONATION_AMOUNT_OK;
}

long
donation_net_cents(long cents)
{
	return (cents * 34 + 50) / 100;
}

int
donation_months_left(int month)
{
	return month >= 1 && month <= 12 ? 13 - month : 0;
}

long
donation_needed_cents(int monthly, long cents, int month)
{
	return monthly ? cents * donation_months_left(month) : cents;
}

void
donation_format_euros(long cents, char *out, size_t outsz)
{
	char digits[24], grouped[48];
	size_t n, g = 0;
	long euros;

	if (cents < 0)
		cents = 0;
	euros = cents / 100;
	n = (size_t)snprintf(digits, sizeof(digits), "%ld", euros);
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0) {
			grouped[g++] = '\xc2';	/* U+00A0 */
			grouped[g++] = '\xa0';
		}
		grouped[g++] = digits[i];
	}
	grouped[g] = '\0';
	snprintf(out, outsz, "%s,%02ld\xc2\xa0\xe2\x82\xac", grouped,
	    cents % 100);
}

const char *const donation_kind_names[DONATION_KIND__MAX] = {
	[DONATION_ONCE] = "once",
	[DONATION_MONTHLY] = "monthly",
};

const char *const donation_status_names[DS__MAX] = {
	[DS_PENDING] = "pending",
	[DS_PAID] = "paid",
	[DS_ACTIVE] = "active",
	[DS_ENDED] = "ended",
	[DS_REFUSED] = "refused",
	[DS_CANCELLED] = "cancelled",
	[DS_EXPIRED] = "expired",
};

const char *const donation_status_labels[DS__MAX] = {
	[DS_PENDING] = "En attente de paiement",
	[DS_PAID] = "Payé",
	[DS_ACTIVE] = "Mensuel en cours",
	[DS_ENDED] = "Mensuel arrêté",
	[DS_REFUSED] = "Paiement refusé",
	[DS_CANCELLED] = "Paiement annulé",
	[DS_EXPIRED] = "Expiré",
};

static int
name_index(const char *const *names, int n, const char *name)
{
	for (int i = 0; name && i < n; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

int
donation_kind_from(const char *name)
{
	return name_index(donation_kind_names, DONATION_KIND__MAX, name);
}

int
donation_status_from(const char *name)
{
	return name_index(donation_status_names, DS__MAX, name);
}

#define ONCE (1u << DONATION_ONCE)
#define MONTHLY (1u << DONATION_MONTHLY)

/* Every move a gift may make; anything else is refused. A one-off gift
 * ends paid; a monthly one is active until stopped. The payment page can
 * be refused, cancelled or left (expired after a day). */
const struct donation_transition donation_transitions[] = {
	{ DS_PENDING, DS_PAID, ONCE },
	{ DS_PENDING, DS_ACTIVE, MONTHLY },
	{ DS_PENDING, DS_REFUSED, ONCE | MONTHLY },
	{ DS_PENDING, DS_CANCELLED, ONCE | MONTHLY },
	{ DS_PENDING, DS_EXPIRED, ONCE | MONTHLY },
	{ DS_ACTIVE, DS_ENDED, MONTHLY },
};
const size_t donation_ntransitions = ARRAY_SIZE(donation_transitions);

int
donation_transition_allowed(int kind, int from, int to)
{
	if (kind < 0 || kind >= DONATION_KIND__MAX)
		return 0;
	for (size_t i = 0; i < donation_ntransitions; i++)
		if ((int)donation_transitions[i].from == from &&
		    (int)donation_transitions[i].to == to &&
		    (donation_transitions[i].kinds & (1u << kind)))
			return 1;
	return 0;
}

enum donation_status
donation_paid_status(int kind)
{
	return kind == DONATION_MONTHLY ? DS_ACTIVE : DS_PAID;
}

int
donation_split_signed(const char *query, size_t *signed_len,
    const char **sig)
{
	const char *at = query ? strstr(query, "&Sign=") : NULL;

	if (!at || at == query)
		return -1;
	/* The signature is the last field and there is one. */
	if (strchr(at + 6, '&'))
		return -1;
	*signed_len = (size_t)(at - query);
	*sig = at + 6;
	return 0;
}

int
donation_uuid_wellformed(const char *s)
{
	for (int i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return s[36] == '\0';
}

int
donation_ref_uuid(const char *ref, char out[37])
{
	if (!ref || strnlen(ref, 37) < 36)
		return -1;
	memcpy(out, ref, 36);
	out[36] = '\0';
	if (!donation_uuid_wellformed(out) || (ref[36] &&
	    strncmp(ref + 36, "PBX_2MONT", 9)))
		return -1;
	return 0;
}
