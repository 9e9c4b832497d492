/* totp: HOTP (RFC 4226), TOTP (RFC 6238), base32 (RFC 4648). */
#include "../../app/core/common.h"
#include "../../app/core/totp.h"
#include "unit.h"

/* RFC 4648, section 10 (we write no padding, and read it). */
static const struct {
	const char *plain, *padded;
} b32_vectors[] = {
	{ "", "" },
	{ "f", "MY======" },
	{ "fo", "MZXQ====" },
	{ "foo", "MZXW6===" },
	{ "foob", "MZXW6YQ=" },
	{ "fooba", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI======" },
};

static void
base32_rfc4648_vectors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(b32_vectors); i++) {
		const char *p = b32_vectors[i].plain, *t = b32_vectors[i].padded;
		size_t unpadded = strcspn(t, "=");
		unsigned char bytes[16];
		char out[32];

		EQ_INT(base32_encode((const unsigned char *)p, strlen(p), out,
		    sizeof(out)), unpadded);
		EQ_MEM(out, strlen(out), t, unpadded);
		/* read back, padded or not, in either case */
		EQ_INT(base32_decode(t, bytes, sizeof(bytes)), strlen(p));
		EQ_MEM(bytes, strlen(p), p, strlen(p));
		EQ_INT(base32_decode(out, bytes, sizeof(bytes)), strlen(p));
		for (char *c = out; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		EQ_INT(base32_decode(out, bytes, sizeof(bytes)), strlen(p));
		EQ_MEM(bytes, strlen(p), p, strlen(p));
	}
}

static void
base32_refuses_what_is_not(void)
{
	unsigned char b[32];
	char out[9];	/* 8 characters and the NUL */

	EQ_INT(base32_decode("MZXW6YT1", b, sizeof(b)), -1);	/* '1' */
	EQ_INT(base32_decode("MZ=XW6YT", b, sizeof(b)), -1);	/* inner = */
	EQ_INT(base32_decode("M", b, sizeof(b)), -1);	/* 5 bits */
	EQ_INT(base32_decode("MZX", b, sizeof(b)), -1);	/* 15 bits */
	EQ_INT(base32_decode("MZXW6Y", b, sizeof(b)), -1);	/* 30 bits */
	EQ_INT(base32_decode("MZ", b, sizeof(b)), -1);	/* leftover bits */
	EQ_INT(base32_decode("MY", b, sizeof(b)), 1);
	EQ_INT(base32_decode("MZXW6YTB", b, 4), -1);	/* out too small */
	EQ_INT(base32_encode((const unsigned char *)"fooba", 5, out, 8), -1);
	EQ_INT(base32_encode((const unsigned char *)"fooba", 5, out, 9), 8);
}

/* RFC 4226, appendix D: the secret "12345678901234567890", counters 0-9. */
static void
hotp_rfc4226_vectors(void)
{
	static const uint32_t want[] = { 755224, 287082, 359152, 969429,
	    338314, 254676, 287922, 162583, 399871, 520489 };
	const unsigned char *key = (const unsigned char *)"12345678901234567890";

	for (uint64_t c = 0; c < ARRAY_SIZE(want); c++)
		EQ_INT(hotp(key, 20, c, 6), want[c]);
}

/* RFC 6238, appendix B, SHA-1 rows (8 digits; the seed is the ASCII of
 * "12345678901234567890"). */
static void
totp_rfc6238_vectors(void)
{
	static const struct {
		long long t;
		uint32_t code;
	} rows[] = {
		{ 59, 94287082 },
		{ 1111111109, 7081804 },
		{ 1111111111, 14050471 },
		{ 1234567890, 89005924 },
		{ 2000000000, 69279037 },
		{ 20000000000LL, 65353130 },
	};
	const unsigned char *key = (const unsigned char *)"12345678901234567890";

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		EQ_INT(hotp(key, 20, (uint64_t)totp_step((time_t)rows[i].t), 8),
		    rows[i].code);
	EQ_INT(totp_step(59), 1);
	EQ_INT(totp_step(60), 2);
}

static void
totp_code_has_six_digits_and_leading_zeros(void)
{
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	char c[TOTP_DIGITS + 1];

	/* 1111111109: 07081804 in 8 digits, so 081804 in 6 */
	totp_code(key, 20, totp_step(1111111109), c);
	EQ_STR(c, "081804");
	totp_code(key, 20, 1, c);
	EQ_STR(c, "287082");
}

static void
totp_code_parse_rules(void)
{
	char c[TOTP_DIGITS + 1];

	CHECK(totp_code_parse("123456", c) == 0 && !strcmp(c, "123456"));
	CHECK(totp_code_parse(" 123 456 ", c) == 0 && !strcmp(c, "123456"));
	EQ_INT(totp_code_parse("12345", c), -1);
	EQ_INT(totp_code_parse("1234567", c), -1);
	EQ_INT(totp_code_parse("12345a", c), -1);
	EQ_INT(totp_code_parse("123-456", c), -1);
	EQ_INT(totp_code_parse("", c), -1);
}

/* The step before and after are accepted, two away are not; the newest
 * match is the one returned. */
static void
totp_match_window(void)
{
	const unsigned char *key = (const unsigned char *)"12345678901234567890";
	int64_t now = totp_step(1700000000);
	char c[TOTP_DIGITS + 1];

	for (int d = -3; d <= 3; d++) {
		totp_code(key, 20, now + d, c);
		EQ_INT(totp_match(key, 20, c, now), d >= -1 && d <= 1 ?
		    now + d : -1);
	}
	totp_code(key, 20, now, c);
	EQ_INT(totp_match((const unsigned char *)"another key of 20 b!",
	    20, c, now), -1);
}

UNIT_SUITE(totp,
    UNIT(base32_rfc4648_vectors),
    UNIT(base32_refuses_what_is_not),
    UNIT(hotp_rfc4226_vectors),
    UNIT(totp_rfc6238_vectors),
    UNIT(totp_code_has_six_digits_and_leading_zeros),
    UNIT(totp_code_parse_rules),
    UNIT(totp_match_window))
