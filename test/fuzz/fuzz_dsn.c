/*
 * The bounce report reader (app/core/dsn.h) on arbitrary bytes.
 *
 * Invariants: it returns, with a kind in range that it also stored; every
 * string is NUL-terminated inside its array and printable ASCII; a hard
 * bounce never carries a 4.x.x status, a soft one never a 5.x.x; a
 * complaint has no status; the same bytes give the same result.
 */
#include "fuzz.h"
#include "dsn.h"

static void
check_str(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	FUZZ_CHECK(n < size);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] <= 0x7e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *msg = fuzz_copy(data, size);
	struct dsn d, again;
	enum dsn_kind k = dsn_parse(msg, size, &d);

	FUZZ_CHECK(k == d.kind && k >= DSN_NONE && k < DSN_KIND__MAX);
	check_str(d.status, sizeof(d.status));
	check_str(d.action, sizeof(d.action));
	check_str(d.recipient, sizeof(d.recipient));
	check_str(d.diagnostic, sizeof(d.diagnostic));
	FUZZ_CHECK(!(k == DSN_HARD && d.status[0] == '4'));
	FUZZ_CHECK(!(k == DSN_SOFT && d.status[0] == '5' &&
	    strcmp(d.action, "delayed")));
	FUZZ_CHECK(!(k == DSN_COMPLAINT && d.status[0]));
	FUZZ_CHECK((k == DSN_NONE) == (dsn_kind_name(k) == NULL));
	FUZZ_CHECK(dsn_parse(msg, size, &again) == k);
	FUZZ_CHECK(!memcmp(&d, &again, sizeof(d)));
	free(msg);
	return 0;
}
