/* valid: what people type in forms. */
#include "../../app/core/common.h"
#include "../../app/core/valid.h"
#include "unit.h"

static char out[1024];

static int
name(const char *in)
{
	memset(out, 0x55, sizeof(out));
	return valid_person_name(in, out, sizeof(out));
}

static int
email(const char *in)
{
	memset(out, 0x55, sizeof(out));
	return valid_email(in, out, sizeof(out));
}

/* The field validators (valid_fn) into out, as the form reader calls
 * them: with VALID_OUT_SIZE bytes. */
static int
field(valid_fn fn, const char *in)
{
	memset(out, 0x55, sizeof(out));
	return fn(in, out, in ? VALID_OUT_SIZE(strlen(in)) : sizeof(out));
}

static int
pw(const char *in)
{
	static char big[VALID_OUT_SIZE(5000)];

	return valid_password(in, big, in ? VALID_OUT_SIZE(strlen(in)) :
	    sizeof(big));
}

static int
postal(const char *in)
{
	return field(valid_postal_code_fr, in);
}

static int
phone(const char *in)
{
	return field(valid_phone, in);
}

static char *
repeat(char *dst, size_t dstsz, const char *unit, size_t times)
{
	size_t o = 0, n = strlen(unit);

	for (size_t i = 0; i < times && o + n < dstsz; i++, o += n)
		memcpy(dst + o, unit, n);
	dst[o] = '\0';
	return dst;
}

static void
utf8_length_counts_code_points(void)
{
	EQ_INT(utf8_length(""), 0);
	EQ_INT(utf8_length("abc"), 3);
	EQ_INT(utf8_length("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"), 3);
	EQ_INT(utf8_length("Élodie"), 6);
}

static void
text_squeeze_whitespace(void)
{
	char o[64];

	text_squeeze("  a \t b\n\nc  ", o);
	EQ_STR(o, "a b c");
	text_squeeze("", o);
	EQ_STR(o, "");
	text_squeeze(" \t\r\n\v\f ", o);
	EQ_STR(o, "");
	text_squeeze("Saint-\xc3\x89tienne   du\xc2\xa0" "Bois", o);
	EQ_STR(o, "Saint-\xc3\x89tienne du\xc2\xa0" "Bois");	/* NBSP kept */
	text_squeeze("x", o);
	EQ_STR(o, "x");
}

static void
person_name_recased(void)
{
	if (EQ_INT(name("jean-pauL"), VALID_OK))
		EQ_STR(out, "Jean-Paul");
	if (EQ_INT(name("d'ARTAGNAN"), VALID_OK))
		EQ_STR(out, "D'Artagnan");
	if (EQ_INT(name("élodie"), VALID_OK))
		EQ_STR(out, "Élodie");
	if (EQ_INT(name("ÉLODIE"), VALID_OK))
		EQ_STR(out, "Élodie");
	if (EQ_INT(name("o\xe2\x80\x99neil"), VALID_OK))	/* ’ */
		EQ_STR(out, "O\xe2\x80\x99Neil");
	if (EQ_INT(name("marie claire"), VALID_OK))
		EQ_STR(out, "Marie Claire");
	if (EQ_INT(name("st. john"), VALID_OK))
		EQ_STR(out, "St. John");
	if (EQ_INT(name("Lo"), VALID_OK))
		EQ_STR(out, "Lo");
}

static void
person_name_length(void)
{
	char in[512];

	EQ_INT(name(""), VALID_MISSING);
	EQ_INT(valid_person_name(NULL, out, sizeof(out)), VALID_MISSING);
	EQ_INT(name("a"), VALID_TOO_SHORT);
	/* Code points, not bytes: "é" is 2 bytes but 1 letter. */
	EQ_INT(name("é"), VALID_TOO_SHORT);
	EQ_INT(name("éé"), VALID_OK);
	EQ_INT(name(repeat(in, sizeof(in), "a", 50)), VALID_OK);
	EQ_INT(strlen(out), 50);
	EQ_INT(name(repeat(in, sizeof(in), "a", 51)), VALID_TOO_LONG);
	EQ_INT(name(repeat(in, sizeof(in), "é", 50)), VALID_OK);
	EQ_INT(name(repeat(in, sizeof(in), "é", 51)), VALID_TOO_LONG);
}

static void
person_name_bad_chars(void)
{
	EQ_INT(name("Jean2"), VALID_BAD_CHARS);
	EQ_INT(name("1234"), VALID_BAD_CHARS);
	EQ_INT(name("Jean_Paul"), VALID_BAD_CHARS);
	EQ_INT(name("<b>Jean</b>"), VALID_BAD_CHARS);
	EQ_INT(name("Jean\tPaul"), VALID_BAD_CHARS);
	EQ_INT(name("Jean\xf0\x9f\x98\x80"), VALID_BAD_CHARS);	/* emoji */
	/* Invalid UTF-8. */
	EQ_INT(name("Jean\xff"), VALID_BAD_CHARS);
	EQ_INT(name("Jos\xc3"), VALID_BAD_CHARS);
	EQ_INT(name("\xc0\x80" "ab"), VALID_BAD_CHARS);
	EQ_INT(name("ab\xed\xa0\x80"), VALID_BAD_CHARS);
}

static void
person_name_needs_a_letter(void)
{
	/* Punctuation alone is no name; a name starts with a letter. */
	EQ_INT(name("--"), VALID_INVALID);
	EQ_INT(name("''"), VALID_INVALID);
	EQ_INT(name(". ."), VALID_INVALID);
	EQ_INT(name("-Jean"), VALID_INVALID);
	EQ_INT(name("\xe2\x80\x99" "ab"), VALID_INVALID);	/* ’ab */
	EQ_INT(name(" Jean"), VALID_INVALID);
	if (EQ_INT(name("A."), VALID_OK))
		EQ_STR(out, "A.");
}

static void
person_name_small_output(void)
{
	char small[4];

	memset(small, 0x55, sizeof(small));
	CHECK(valid_person_name("jean", small, sizeof(small)) != VALID_OK);
	CHECK(valid_person_name("jo", small, 3) == VALID_OK);
	EQ_STR(small, "Jo");
}

static void
email_ok_lowercased(void)
{
	char in[300];

	if (EQ_INT(email("Jean.Dupont@Example.FR"), VALID_OK))
		EQ_STR(out, "jean.dupont@example.fr");
	if (EQ_INT(email("a@b.co"), VALID_OK))
		EQ_STR(out, "a@b.co");
	if (EQ_INT(email("x+tag_1@mail.sub-domain.org"), VALID_OK))
		EQ_STR(out, "x+tag_1@mail.sub-domain.org");
	/* 64 + 1 + 190 = 255 bytes: the maximum. */
	repeat(in, sizeof(in), "a", 64);
	in[64] = '@';
	repeat(in + 65, sizeof(in) - 65, "b", 186);
	memcpy(in + 65 + 186, ".com", 5);
	EQ_INT(strlen(in), 255);
	EQ_INT(email(in), VALID_OK);
}

static void
email_refused(void)
{
	char in[300];

	EQ_INT(email(""), VALID_MISSING);
	EQ_INT(valid_email(NULL, out, sizeof(out)), VALID_MISSING);
	EQ_INT(email("jean.dupont.example.fr"), VALID_INVALID);
	EQ_INT(email("a@b@c.fr"), VALID_INVALID);
	EQ_INT(email("@b.fr"), VALID_INVALID);
	EQ_INT(email("a@localhost"), VALID_INVALID);
	EQ_INT(email("a@b."), VALID_INVALID);
	EQ_INT(email("a@.b.fr"), VALID_INVALID);
	EQ_INT(email("a@b..fr"), VALID_INVALID);
	EQ_INT(email(".a@b.fr"), VALID_INVALID);
	EQ_INT(email("a.@b.fr"), VALID_INVALID);
	EQ_INT(email("jean dupont@b.fr"), VALID_INVALID);
	EQ_INT(email(" a@b.fr"), VALID_INVALID);
	EQ_INT(email("a@b.fr "), VALID_INVALID);
	EQ_INT(email("a@b.fr\n"), VALID_INVALID);
	EQ_INT(email("a<b>@c.fr"), VALID_INVALID);
	EQ_INT(email("\"a\"@c.fr"), VALID_INVALID);
	/* Local part over 64 bytes. */
	repeat(in, sizeof(in), "a", 65);
	memcpy(in + 65, "@b.fr", 6);
	EQ_INT(email(in), VALID_INVALID);
	/* 256 bytes. */
	repeat(in, sizeof(in), "a", 64);
	in[64] = '@';
	repeat(in + 65, sizeof(in) - 65, "b", 187);
	memcpy(in + 65 + 187, ".com", 5);
	EQ_INT(strlen(in), 256);
	EQ_INT(email(in), VALID_TOO_LONG);
	/* The output size is respected. */
	CHECK(valid_email("a@b.fr", out, 6) != VALID_OK);
	CHECK(valid_email("a@b.fr", out, 7) == VALID_OK);
}

static void
password_length(void)
{
	char in[5000];

	EQ_INT(pw(""), VALID_MISSING);
	EQ_INT(pw(NULL), VALID_MISSING);
	EQ_INT(pw("abcdefg"), VALID_TOO_SHORT);
	EQ_INT(pw("abcdefgh"), VALID_OK);
	/* Code points, not bytes: 7 accented letters are 14 bytes. */
	EQ_INT(pw("ééééééé"), VALID_TOO_SHORT);
	EQ_INT(pw("éééééééé"), VALID_OK);
	EQ_INT(pw("日本語のパスワ"), VALID_TOO_SHORT);
	EQ_INT(pw("日本語のパスワド"), VALID_OK);
	/* Characters, not bytes, at the top too: one rule, PASSWORD_MAX. */
	EQ_INT(pw(repeat(in, sizeof(in), "a", 1024)), VALID_OK);
	EQ_INT(pw(repeat(in, sizeof(in), "a", 1025)), VALID_TOO_LONG);
	EQ_INT(pw(repeat(in, sizeof(in), "é", 1024)), VALID_OK);
	EQ_INT(pw(repeat(in, sizeof(in), "é", 1025)), VALID_TOO_LONG);
}

#define TODAY "2025-06-15"

static void
birth_date_age_limits(void)
{
	/* Exactly 15 today. */
	EQ_INT(valid_birth_date("2010-06-15", TODAY, 15), VALID_OK);
	/* 15 tomorrow. */
	EQ_INT(valid_birth_date("2010-06-16", TODAY, 15), VALID_TOO_YOUNG);
	EQ_INT(valid_birth_date("2010-07-01", TODAY, 15), VALID_TOO_YOUNG);
	EQ_INT(valid_birth_date("2010-05-31", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2024-12-31", TODAY, 15), VALID_TOO_YOUNG);
	/* 120 is the oldest accepted age. */
	EQ_INT(valid_birth_date("1905-06-15", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("1904-06-16", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("1904-06-15", TODAY, 15), VALID_TOO_OLD);
	EQ_INT(valid_birth_date("1850-01-01", TODAY, 15), VALID_TOO_OLD);
	/* Born on 29 February: 15 on 1 March of a common year. */
	EQ_INT(valid_birth_date("2008-02-29", "2023-03-01", 15), VALID_OK);
	EQ_INT(valid_birth_date("2008-02-29", "2024-02-29", 16), VALID_OK);
	/* The future is not a birth date. */
	EQ_INT(valid_birth_date("2026-01-01", TODAY, 0), VALID_INVALID);
	EQ_INT(valid_birth_date("2025-06-16", TODAY, 0), VALID_INVALID);
	EQ_INT(valid_birth_date(TODAY, TODAY, 0), VALID_OK);
}

static void
birth_date_calendar(void)
{
	EQ_INT(valid_birth_date("2000-02-29", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-02-29", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("1904-02-29", "2020-01-01", 15), VALID_OK);
	EQ_INT(valid_birth_date("1900-02-29", "2000-01-01", 15),
	    VALID_INVALID);
	EQ_INT(valid_birth_date("2001-04-31", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-04-30", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-12-31", TODAY, 15), VALID_OK);
	EQ_INT(valid_birth_date("2001-13-01", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-00-10", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-01-00", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2001-01-32", TODAY, 15), VALID_INVALID);
}

static void
birth_date_format(void)
{
	EQ_INT(valid_birth_date("", TODAY, 15), VALID_MISSING);
	EQ_INT(valid_birth_date(NULL, TODAY, 15), VALID_MISSING);
	EQ_INT(valid_birth_date("15/06/2000", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-6-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-15 ", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date(" 2000-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000/06/15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-1x", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("+200-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("20000-06-15", TODAY, 15), VALID_INVALID);
	EQ_INT(valid_birth_date("2000-06-15", "garbage", 15), VALID_INVALID);
}

static void
postal_code_fr(void)
{
	EQ_INT(postal("75001"), VALID_OK);
	EQ_INT(postal("01000"), VALID_OK);
	EQ_INT(postal("97411"), VALID_OK);
	EQ_INT(postal(""), VALID_MISSING);
	EQ_INT(postal(NULL), VALID_MISSING);
	EQ_INT(postal("7500"), VALID_INVALID);
	EQ_INT(postal("750011"), VALID_INVALID);
	EQ_INT(postal("2A004"), VALID_INVALID);
	EQ_INT(postal(" 7500"), VALID_INVALID);
	EQ_INT(postal("75 01"), VALID_INVALID);
	EQ_INT(postal("７５００１"), VALID_INVALID);
}

static void
phone_numbers(void)
{
	EQ_INT(phone("06 12 34 56 78"), VALID_OK);
	EQ_INT(phone("0612345678"), VALID_OK);
	EQ_INT(phone("+33 6 12 34 56 78"), VALID_OK);
	EQ_INT(phone("(01) 23.45-67.89"), VALID_OK);
	EQ_INT(phone("123456"), VALID_OK);
	EQ_INT(phone("06123456789012345678"), VALID_OK);	/* 20 */
	EQ_INT(phone(""), VALID_MISSING);
	EQ_INT(phone(NULL), VALID_MISSING);
	EQ_INT(phone("12345"), VALID_TOO_SHORT);
	EQ_INT(phone("+ -.()   1 2"), VALID_TOO_SHORT);
	EQ_INT(phone("061234567890123456789"), VALID_TOO_LONG);
	EQ_INT(phone("+33+612345678"), VALID_BAD_CHARS);
	EQ_INT(phone("06 12 ab 56 78"), VALID_BAD_CHARS);
	EQ_INT(phone("06/12/34/56/78"), VALID_BAD_CHARS);
	EQ_INT(phone("0612345678\n"), VALID_BAD_CHARS);
}

static void
local_datetime(void)
{
	if (EQ_INT(field(valid_local_datetime, "2026-12-14T18:30"), VALID_OK))
		EQ_STR(out, "2026-12-14T18:30");
	EQ_INT(field(valid_local_datetime, "2026-12-14 18:30:59"), VALID_OK);
	EQ_INT(field(valid_local_datetime, "2028-02-29T00:00"), VALID_OK);
	EQ_INT(field(valid_local_datetime, "2000-02-29T00:00"), VALID_OK);
	EQ_INT(field(valid_local_datetime, ""), VALID_MISSING);
	EQ_INT(field(valid_local_datetime, NULL), VALID_MISSING);
	EQ_INT(field(valid_local_datetime, "2027-02-29T00:00"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2100-02-29T00:00"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-04-31T10:00"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14T24:00"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14T23:60"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14T23:59:60"),
	    VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "1999-12-31T23:59"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2201-01-01T00:00"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "14/12/2026 18:30"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14T18:3"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14T18:30Z"),
	    VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "2026-12-14X18:30"), VALID_INVALID);
	EQ_INT(field(valid_local_datetime, "+026-12-14T18:30"), VALID_INVALID);
}

static void
integers_and_ids(void)
{
	if (EQ_INT(field(valid_integer, "+7"), VALID_OK))
		EQ_STR(out, "7");
	if (EQ_INT(field(valid_integer, "-1000000"), VALID_OK))
		EQ_STR(out, "-1000000");
	EQ_INT(field(valid_integer, "1000001"), VALID_INVALID);
	EQ_INT(field(valid_integer, "1.5"), VALID_INVALID);
	EQ_INT(field(valid_integer, "abc"), VALID_INVALID);
	EQ_INT(field(valid_integer, ""), VALID_MISSING);
	if (EQ_INT(field(valid_id, "42"), VALID_OK))
		EQ_STR(out, "42");
	EQ_INT(field(valid_id, "0"), VALID_INVALID);
	EQ_INT(field(valid_id, "-3"), VALID_INVALID);
	EQ_INT(field(valid_id, "99999999999999999999"), VALID_INVALID);
}

static void
slugs(void)
{
	char s[SLUG_MAX + 1], in[400];

	slugify("L'été 2024 : œuvres", s);
	EQ_STR(s, "l-ete-2024-oeuvres");
	slugify("  --Ça  va ?-- ", s);
	EQ_STR(s, "ca-va");
	slugify("ÆØÅ ß Þ ÿ Ÿ", s);
	EQ_STR(s, "aeoa-ss-th-y-y");
	slugify("!!! ???", s);
	EQ_STR(s, "");
	slugify("emoji \xf0\x9f\x98\x80 ok", s);
	EQ_STR(s, "emoji-ok");
	slugify("bad \xff\xc3 utf8", s);
	EQ_STR(s, "bad-utf8");
	slugify(repeat(in, sizeof(in), "abc ", 90), s);
	CHECK(strlen(s) <= SLUG_MAX);
	CHECK(s[strlen(s) - 1] != '-');
	if (EQ_INT(field(valid_slug, "Mon Slug"), VALID_OK))
		EQ_STR(out, "mon-slug");
	EQ_INT(field(valid_slug, "?!"), VALID_INVALID);
	EQ_INT(field(valid_slug, ""), VALID_MISSING);
}

static void
links_and_paths(void)
{
	EQ_INT(field(valid_link, "/pages/agir"), VALID_OK);
	EQ_INT(field(valid_link, "https://example.org/x?y=1"), VALID_OK);
	EQ_INT(field(valid_link, "/caf\xc3\xa9"), VALID_OK);
	EQ_INT(field(valid_link, "http://example.org/"), VALID_INVALID);
	EQ_INT(field(valid_link, "//evil.example"), VALID_INVALID);
	EQ_INT(field(valid_link, "/\\evil.example"), VALID_INVALID);
	EQ_INT(field(valid_link, "https:///x"), VALID_INVALID);
	EQ_INT(field(valid_link, "https://"), VALID_INVALID);
	EQ_INT(field(valid_link, "javascript:alert(1)"), VALID_INVALID);
	EQ_INT(field(valid_link, "/a b"), VALID_INVALID);
	EQ_INT(field(valid_link, "/a\tb"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://example.org/x?y=1"), VALID_OK);
	if (EQ_INT(field(valid_web_url, "HTTP://Visio.example.org"), VALID_OK))
		EQ_STR(out, "http://Visio.example.org");
	EQ_INT(field(valid_web_url, "http://"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https:///x"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://.x"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "javascript:alert(1)"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "/pages/agir"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://a b"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://a\"b"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://a/<x>"), VALID_INVALID);
	EQ_INT(field(valid_web_url, "https://a\\b"), VALID_INVALID);
	EQ_INT(field(valid_web_url, ""), VALID_MISSING);
	EQ_INT(field(valid_site_path, "/ancienne-page"), VALID_OK);
	EQ_INT(field(valid_site_path, "/"), VALID_INVALID);
	EQ_INT(field(valid_site_path, "/a?b=1"), VALID_INVALID);
	EQ_INT(field(valid_site_path, "/a#b"), VALID_INVALID);
	EQ_INT(field(valid_site_path, "https://example.org/"), VALID_INVALID);
	EQ_INT(field(valid_site_path, "//x"), VALID_INVALID);
}

/* SIRET: 14 digits and the Luhn key; La Poste's exception (SIREN
 * 356 000 000: the sum of the digits a multiple of 5). */
static void
siret_numbers(void)
{
	EQ_INT(field(valid_siret, "73282932000074"), VALID_OK);
	EQ_STR(out, "73282932000074");
	EQ_INT(field(valid_siret, "732 829 320 00074"), VALID_OK);
	EQ_STR(out, "73282932000074");
	EQ_INT(field(valid_siret, "732.829.320-00074"), VALID_OK);
	EQ_STR(out, "73282932000074");
	EQ_INT(field(valid_siret, "73282932000075"), VALID_INVALID);
	EQ_INT(field(valid_siret, "44306184100047"), VALID_OK);
	/* Its digits add up to 40, but it is not La Poste's. */
	EQ_INT(field(valid_siret, "44306184100045"), VALID_INVALID);
	/* La Poste: the head office passes the Luhn key, the others the
	 * sum of their digits. */
	EQ_INT(field(valid_siret, "35600000000048"), VALID_OK);
	EQ_INT(field(valid_siret, "35600000049837"), VALID_OK);
	EQ_STR(out, "35600000049837");
	EQ_INT(field(valid_siret, "35600000049838"), VALID_INVALID);
	EQ_INT(field(valid_siret, "35600000012345"), VALID_INVALID);
	EQ_INT(field(valid_siret, "00000000000000"), VALID_INVALID);
	EQ_INT(field(valid_siret, "7328293200007"), VALID_TOO_SHORT);
	EQ_INT(field(valid_siret, "732829320000740"), VALID_TOO_LONG);
	EQ_INT(field(valid_siret, "7328293200007A"), VALID_BAD_CHARS);
	EQ_INT(field(valid_siret, "７３282932000074"), VALID_BAD_CHARS);
	EQ_INT(field(valid_siret, ""), VALID_MISSING);
	EQ_INT(field(valid_siret, "  "), VALID_MISSING);
	CHECK(siret_check("73282932000074"));
	CHECK(!siret_check("7328293200007"));
	CHECK(!siret_check("732829320000740"));
}

/* RNA: W and 9 digits. */
static void
rna_numbers(void)
{
	EQ_INT(field(valid_rna, "W751234567"), VALID_OK);
	EQ_STR(out, "W751234567");
	EQ_INT(field(valid_rna, "w751234567"), VALID_OK);
	EQ_STR(out, "W751234567");
	EQ_INT(field(valid_rna, "W 751 234 567"), VALID_OK);
	EQ_STR(out, "W751234567");
	EQ_INT(field(valid_rna, "W75123456"), VALID_TOO_SHORT);
	EQ_INT(field(valid_rna, "W7512345678"), VALID_TOO_LONG);
	EQ_INT(field(valid_rna, "X751234567"), VALID_INVALID);
	EQ_INT(field(valid_rna, "751234567"), VALID_INVALID);
	EQ_INT(field(valid_rna, "W75123456X"), VALID_BAD_CHARS);
	EQ_INT(field(valid_rna, ""), VALID_MISSING);
}

UNIT_SUITE(valid,
    UNIT(utf8_length_counts_code_points),
    UNIT(text_squeeze_whitespace),
    UNIT(person_name_recased),
    UNIT(person_name_length),
    UNIT(person_name_bad_chars),
    UNIT(person_name_needs_a_letter),
    UNIT(person_name_small_output),
    UNIT(email_ok_lowercased),
    UNIT(email_refused),
    UNIT(password_length),
    UNIT(birth_date_age_limits),
    UNIT(birth_date_calendar),
    UNIT(birth_date_format),
    UNIT(postal_code_fr),
    UNIT(phone_numbers),
    UNIT(local_datetime),
    UNIT(integers_and_ids),
    UNIT(slugs),
    UNIT(links_and_paths),
    UNIT(siret_numbers),
    UNIT(rna_numbers))
