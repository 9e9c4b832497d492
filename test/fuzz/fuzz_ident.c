/*
 * The identifiers of organisations (app/core/valid.h, issue 11): SIRET
 * and RNA numbers typed by people, on arbitrary bytes.
 *
 * Invariants: an accepted SIRET is exactly 14 ASCII digits that pass
 * siret_check (the Luhn key, or La Poste's sum of digits), and checks
 * again as itself; an accepted RNA is "W" and 9 ASCII digits, and checks
 * again as itself; the same bytes give the same answer; a refusal is one
 * of the validator's known failures.
 */
#include "fuzz.h"
#include "valid.h"

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size);
	size_t outsz = VALID_OUT_SIZE(strlen(s));
	char *out = xmalloc(outsz), *again = xmalloc(outsz);
	int rc = valid_siret(s, out, outsz);

	FUZZ_CHECK(rc >= VALID_OK && rc < VALID__MAX);
	FUZZ_CHECK(valid_siret(s, again, outsz) == rc);
	if (rc == VALID_OK) {
		FUZZ_CHECK(strlen(out) == 14 && all_digits(out, 14));
		FUZZ_CHECK(siret_check(out));
		FUZZ_CHECK(valid_siret(out, again, outsz) == VALID_OK &&
		    !strcmp(out, again));
		/* One digit changed never passes the Luhn key; outside La
		 * Poste, so never a valid SIRET. */
		if (strncmp(out, "356000000", 9)) {
			out[13] = (char)('0' + (out[13] - '0' + 1) % 10);
			FUZZ_CHECK(!siret_check(out));
		}
	}
	rc = valid_rna(s, out, outsz);
	FUZZ_CHECK(rc >= VALID_OK && rc < VALID__MAX);
	FUZZ_CHECK(valid_rna(s, again, outsz) == rc);
	if (rc == VALID_OK) {
		FUZZ_CHECK(strlen(out) == 10 && out[0] == 'W' &&
		    all_digits(out + 1, 9));
		FUZZ_CHECK(valid_rna(out, again, outsz) == VALID_OK &&
		    !strcmp(out, again));
	}
	free(again);
	free(out);
	free(s);
	return 0;
}
