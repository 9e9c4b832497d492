/*
 * The gift amount parser and the notification split (app/core/donation.h)
 * on arbitrary bytes.
 *
 * Invariants: an accepted amount is 1..DONATION_MAX_CENTS cents and
 * prints back (as "E,CC" with a dot or a comma) to the same cents; a
 * refused one leaves 0; the same bytes give the same answer; the split
 * of a query returns a prefix that ends right before "&Sign=".
 */
#include "fuzz.h"
#include "donation.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), back[64];
	long cents = -1, again = -1;
	int rc = donation_amount_parse(s, &cents);
	const char *sig;
	size_t n;

	FUZZ_CHECK(rc >= DONATION_AMOUNT_OK && rc < DONATION_AMOUNT__MAX);
	FUZZ_CHECK(donation_amount_parse(s, &again) == rc && again == cents);
	if (rc == DONATION_AMOUNT_OK) {
		FUZZ_CHECK(cents >= 1 && cents <= DONATION_MAX_CENTS);
		FUZZ_CHECK(strlen(s) == size);	/* no NUL inside */
		snprintf(back, sizeof(back), "%ld,%02ld", cents / 100,
		    cents % 100);
		FUZZ_CHECK(donation_amount_parse(back, &again) ==
		    DONATION_AMOUNT_OK && again == cents);
		FUZZ_CHECK(donation_net_cents(cents) <= cents);
	} else {
		FUZZ_CHECK(cents == 0);
	}
	if (donation_split_signed(s, &n, &sig) == 0) {
		FUZZ_CHECK(n > 0 && n < strlen(s));
		FUZZ_CHECK(!strncmp(s + n, "&Sign=", 6) && sig == s + n + 6);
		FUZZ_CHECK(!strchr(sig, '&'));
	}
	free(s);
	return 0;
}
